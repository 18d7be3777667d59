"""The README's pre-commit and GitHub Actions snippets, as written.

Both pin a commit of this repository by its SHA, with the release tag in a comment
(`rev: <sha>  # frozen: v0.1.0`, `uses: corsproof/corsproof@<sha> # v0.1.0`). The tests check
that the commit exists here and holds the hook manifest / the action the snippet uses, that the
tag in the comment points to it, and that the snippet's settings (commented-out ones too, as a
reader would uncomment them) are accepted by pre-commit, by the action and by `corsproof scan`.

A shallow clone may lack the pinned commit and a clone fetched without tags lacks the tag: those
checks are then skipped with the reason (CI: `actions/checkout` with `fetch-depth: 0`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_support import corsproof
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
REPOSITORY = "corsproof/corsproof"  # owner/name on GitHub, as the snippets name it
PRE_COMMIT_HEADING = "pre-commit"
ACTIONS_HEADING = "GitHub Actions (code scanning)"
SHA = re.compile(r"[0-9a-f]{40}")
CLEAN = 'from flask import Flask\nfrom flask_cors import CORS\n\napp = Flask(__name__)\nCORS(app, origins=["https://app.example.com"])\n'  # noqa: E501


# ------------------------------------------------------------------------------------ helpers


def _snippet(readme_text: str, heading: str) -> str:
    """The first ```yaml fenced block of the section titled `heading` (up to the next heading)."""
    tokens = MarkdownIt().parse(readme_text)
    inside = False
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            if inside:
                break
            inside = tokens[index + 1].content.strip() == heading
        elif inside and token.type == "fence" and token.info.split()[:1] == ["yaml"]:
            return token.content
    raise LookupError(f"no ```yaml block under the heading {heading!r}")


_COMMENTED_KEY = re.compile(r"(?m)^(?P<indent>[ \t]*)#[ \t]?(?P<entry>[A-Za-z][\w-]*:.*)$")


def _uncommented(snippet: str) -> str:
    """The snippet with its commented-out `key: value` lines turned on, as a reader would."""
    return _COMMENTED_KEY.sub(r"\g<indent>\g<entry>", snippet)


def _pin(snippet: str, key: str) -> tuple[str, str]:
    """(value, tag) of the `key: value  # [frozen: ]tag` line of the snippet."""
    pattern = (
        rf"(?m)^[ \t]*(?:-[ \t]+)?{key}:[ \t]*(\S+)[ \t]+#[ \t]*(?:frozen:[ \t]*)?(\S+)[ \t]*$"
    )
    match = re.search(pattern, snippet)
    assert match, f"no `{key}: <ref>  # <tag>` line in the snippet:\n{snippet}"
    return match.group(1), match.group(2)


def _git_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args],
        capture_output=True,
        text=True,
        env=_git_env(),
        timeout=60,
    )


def _require_commit(sha: str) -> None:
    """Fail unless `sha` is a commit here; skip when a shallow clone may simply lack it."""
    assert SHA.fullmatch(sha), f"{sha!r} is not a full 40-hex commit SHA"
    if _git("cat-file", "-e", f"{sha}^{{commit}}").returncode == 0:
        return
    if _git("rev-parse", "--is-shallow-repository").stdout.strip() == "true":
        pytest.skip(
            f"shallow clone: commit {sha} is not in the fetched history "
            "(fetch the full history, e.g. actions/checkout with fetch-depth: 0, to check it)"
        )
    pytest.fail(f"{sha} is not a commit of this repository")


def _require_tag_of(tag: str, sha: str) -> None:
    """Fail unless the tag exists and points to `sha`; skip when the clone has no tags at all."""
    resolved = _git("rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}")
    if resolved.returncode != 0:
        if not _git("tag", "--list").stdout.strip():
            pytest.skip(
                f"this clone has no tags (`git tag --list` is empty: fetched without tags or "
                f"shallow), so the tag {tag!r} named in the comment cannot be checked"
            )
        pytest.fail(f"the comment names the tag {tag!r}, which does not exist in this repository")
    assert resolved.stdout.strip() == sha, f"{tag} is {resolved.stdout.strip()}, the pin is {sha}"


def _file_at(sha: str, path: str) -> str:
    shown = _git("show", f"{sha}:{path}")
    assert shown.returncode == 0, f"commit {sha} has no {path}: {shown.stderr}"
    return shown.stdout


@pytest.fixture(scope="module")
def git_checkout() -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed: the pinned commit and tag cannot be looked up")
    top = _git("rev-parse", "--show-toplevel")
    if top.returncode != 0 or Path(top.stdout.strip()).resolve() != ROOT:
        pytest.skip(f"{ROOT} is not the top of a git checkout (a source archive?)")


@pytest.fixture(scope="module")
def readme_text() -> str:
    return README.read_text(encoding="utf-8")


@pytest.fixture
def pre_commit_snippet(readme_text: str) -> str:
    return _snippet(readme_text, PRE_COMMIT_HEADING)


@pytest.fixture
def actions_snippet(readme_text: str) -> str:
    return _snippet(readme_text, ACTIONS_HEADING)


def _our_step(workflow: dict[str, Any]) -> dict[str, Any]:
    steps = [
        step
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if str(step.get("uses", "")).startswith(f"{REPOSITORY}@")
    ]
    assert len(steps) == 1, f"expected one step using {REPOSITORY}@…, found {len(steps)}"
    return steps[0]


# ---------------------------------------------------------------------------- the helpers work


def test_snippet_is_the_first_yaml_block_of_its_section() -> None:
    text = (
        "## A\n\n```yaml\na: 1\n```\n\n### B\n\n```sh\necho\n```\n\n```yaml\nb: 2\n```\n\n"
        "```yaml\nb: 3\n```\n\n### D\n\n```sh\nd\n```\n\n## C\n\n```yaml\nc: 3\n```\n"
    )
    assert _snippet(text, "A") == "a: 1\n"
    assert _snippet(text, "B") == "b: 2\n"
    assert _snippet(text, "C") == "c: 3\n"
    for heading in ("D", "Missing", "## A"):
        with pytest.raises(LookupError):
            _snippet(text, heading)


def test_uncommented_turns_on_commented_keys_only() -> None:
    text = "a:\n  # b: [1, 2]\n  c: 3  # note\n  # just a remark\n  #d: x   # why\n"
    assert (
        _uncommented(text) == "a:\n  b: [1, 2]\n  c: 3  # note\n  # just a remark\n  d: x   # why\n"
    )


def test_pin_reads_the_ref_and_the_tag_of_its_comment() -> None:
    sha = "0" * 40
    assert _pin(f"  rev: {sha}  # frozen: v1.2.3\n", "rev") == (sha, "v1.2.3")
    assert _pin(f"      - uses: o/n@{sha} # v1.2.3\n", "uses") == (f"o/n@{sha}", "v1.2.3")
    with pytest.raises(AssertionError):
        _pin("  rev: v1.2.3\n", "rev")


# ------------------------------------------------------------------------- pre-commit snippet


@pytest.mark.parametrize("variant", ["as written", "uncommented"])
def test_pre_commit_snippet_is_a_valid_pre_commit_config(
    pre_commit_snippet: str, variant: str, tmp_path: Path
) -> None:
    text = pre_commit_snippet if variant == "as written" else _uncommented(pre_commit_snippet)
    config = yaml.safe_load(text)
    (repo,) = config["repos"]
    assert repo["repo"] == f"https://github.com/{REPOSITORY}"
    assert [hook["id"] for hook in repo["hooks"]] == ["corsproof"]
    path = tmp_path / ".pre-commit-config.yaml"
    path.write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_pre_commit_snippet_rev_is_a_commit_of_this_repository(
    pre_commit_snippet: str, git_checkout: None
) -> None:
    rev, _ = _pin(pre_commit_snippet, "rev")
    assert yaml.safe_load(pre_commit_snippet)["repos"][0]["rev"] == rev
    _require_commit(rev)


def test_pre_commit_snippet_hook_is_defined_at_the_pinned_commit(
    pre_commit_snippet: str, git_checkout: None, tmp_path: Path
) -> None:
    rev, _ = _pin(pre_commit_snippet, "rev")
    _require_commit(rev)
    manifest = _file_at(rev, ".pre-commit-hooks.yaml")
    defined = {hook["id"] for hook in yaml.safe_load(manifest)}
    used = {hook["id"] for hook in yaml.safe_load(pre_commit_snippet)["repos"][0]["hooks"]}
    assert used <= defined, f"{used - defined} not defined at {rev}"
    path = tmp_path / ".pre-commit-hooks.yaml"
    path.write_text(manifest, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_pre_commit_snippet_rev_comment_names_the_tag_of_that_commit(
    pre_commit_snippet: str, git_checkout: None
) -> None:
    rev, tag = _pin(pre_commit_snippet, "rev")
    _require_tag_of(tag, rev)


def test_pre_commit_snippet_args_are_accepted_by_the_hook_entry(
    pre_commit_snippet: str, tmp_path: Path
) -> None:
    (hook,) = yaml.safe_load(_uncommented(pre_commit_snippet))["repos"][0]["hooks"]
    args = [str(arg) for arg in hook.get("args", [])]
    (manifest_hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    entry = str(manifest_hook["entry"]).split()
    assert entry[0] == "corsproof"
    (tmp_path / "app.py").write_text(CLEAN, encoding="utf-8")
    proc = corsproof(*entry[1:], *args, "app.py", cwd=tmp_path)  # as pre-commit calls it
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --------------------------------------------------------------------- GitHub Actions snippet


def test_actions_snippet_is_a_workflow_that_may_upload_alerts(actions_snippet: str) -> None:
    workflow = yaml.safe_load(actions_snippet)
    step = _our_step(workflow)
    assert set(step) <= {"uses", "with", "name", "id", "if", "env"}, step
    # the action uploads the SARIF unless `upload: "false"`: that needs security-events: write
    if str(step.get("with", {}).get("upload", "true")) == "true":
        assert workflow["permissions"]["security-events"] == "write"


def test_actions_snippet_uses_a_commit_of_this_repository_with_action_yml(
    actions_snippet: str, git_checkout: None
) -> None:
    uses, _ = _pin(actions_snippet, "uses")
    assert _our_step(yaml.safe_load(actions_snippet))["uses"] == uses
    repository, _, sha = uses.partition("@")
    assert repository == REPOSITORY
    _require_commit(sha)
    action = yaml.safe_load(_file_at(sha, "action.yml"))
    assert action["runs"]["using"] == "composite"


def test_actions_snippet_uses_comment_names_the_tag_of_that_commit(
    actions_snippet: str, git_checkout: None
) -> None:
    uses, tag = _pin(actions_snippet, "uses")
    _require_tag_of(tag, uses.partition("@")[2])


@pytest.mark.parametrize("variant", ["as written", "uncommented"])
def test_actions_snippet_with_keys_are_inputs_of_the_pinned_action(
    actions_snippet: str, variant: str, git_checkout: None
) -> None:
    text = actions_snippet if variant == "as written" else _uncommented(actions_snippet)
    step = _our_step(yaml.safe_load(text))
    sha = str(step["uses"]).partition("@")[2]
    _require_commit(sha)
    inputs: dict[str, dict[str, Any]] = yaml.safe_load(_file_at(sha, "action.yml"))["inputs"]
    given = set(step.get("with", {}))
    assert given <= set(inputs), f"not inputs of action.yml at {sha}: {given - set(inputs)}"
    required = {
        name for name, spec in inputs.items() if spec.get("required") and "default" not in spec
    }
    assert required <= given, f"required inputs missing: {required - given}"


def test_actions_snippet_path_and_args_survive_the_scan_step_and_are_accepted(
    actions_snippet: str, tmp_path: Path
) -> None:
    """action.yml passes `path` and `args` unquoted (`corsproof scan $CORSPROOF_PATHS … $CORSPROOF_ARGS`):
    bash splits them on whitespace without removing quotes and expands globs, so the snippet's
    values must need neither; then corsproof must accept them as the action calls it."""
    with_ = _our_step(yaml.safe_load(_uncommented(actions_snippet))).get("with", {})
    path, args = str(with_.get("path", ".")), str(with_.get("args", ""))
    for value in (path, args):
        assert not set(value) & set("'\"\\*?[$`"), f"{value!r} is not split as written"
    (tmp_path / "app.py").write_text(CLEAN, encoding="utf-8")
    sarif = tmp_path / "corsproof.sarif"
    proc = corsproof(
        "scan", *path.split(), "--format", "sarif", "-o", str(sarif), "--no-progress",
        *args.split(), cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sarif.is_file()
