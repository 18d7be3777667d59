"""The pre-commit hook as users get it: `pre-commit try-repo` on a sample repository.

`try-repo` clones this checkout (with its uncommitted changes, as pre-commit snapshots them),
pip-installs corsproof into a fresh virtualenv (the package registry must be reachable) and runs
the hook of `.pre-commit-hooks.yaml` on the sample's files, selected by the manifest's `files`
and `types` exactly as in a user's repository. Each run builds its own environment (try-repo
uses a temporary store, whatever PRE_COMMIT_HOME says), so there are two runs: one failing, one
clean.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
import yaml

from corsproof.static.walker import is_dependency_file, is_source

ROOT = Path(__file__).resolve().parent.parent

OPEN_WITH_CREDENTIALS = """\
from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, supports_credentials=True)
"""
TRUSTED_ONLY = OPEN_WITH_CREDENTIALS.replace(
    "supports_credentials=True", 'origins=["https://app.example.com"]'
)
VULNERABLE_PIN = "flask-cors==3.0.10\n"  # CVE-2024-6221 and more: fixed in 6.0.0

# every kind of file a scan reads (corsproof.static.walker), each admitting only fixed releases
CLEAN_FILES = {
    "app.py": TRUSTED_ONLY,
    "requirements.txt": "flask-cors==6.0.1\n",
    "requirements-dev.txt": "flask-cors>=6.0.0\n",
    "requirements/base.txt": "flask-cors~=6.0\n",
    "pyproject.toml": '[project]\nname = "sample"\nversion = "1"\n'
    'dependencies = ["flask-cors>=6.0.0"]\n',
    "setup.cfg": "[options]\ninstall_requires =\n    flask-cors>=6.0.0\n",
    "Pipfile": '[packages]\nflask-cors = ">=6.0.0"\n',
    "Pipfile.lock": '{"default": {"flask-cors": {"version": "==6.0.1"}}, "develop": {}}\n',
    "poetry.lock": '[[package]]\nname = "flask-cors"\nversion = "6.0.1"\n',
    "uv.lock": 'version = 1\n\n[[package]]\nname = "flask-cors"\nversion = "6.0.1"\n',
}
# files the hook must not pass to corsproof (a scan does not read them either); each names a
# vulnerable pin, and the clean run counts the files corsproof was given
NOT_SCANNED = {
    "requirements.in": VULNERABLE_PIN,
    "notes.txt": VULNERABLE_PIN,
    "README.md": f"```\n{VULNERABLE_PIN}```\n",
    "tool.pyi": OPEN_WITH_CREDENTIALS,
}


def _hook() -> dict[str, object]:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return hook


def _git_env() -> dict[str, str]:
    """The environment without GIT_* variables (set when pytest itself runs from a git hook)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


def _sample_repo(path: Path, files: dict[str, str]) -> Path:
    path.mkdir()
    for name, text in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    env = _git_env()
    for command in (
        ["git", "init", "-q"],
        ["git", "config", "user.email", "sample@example.com"],
        ["git", "config", "user.name", "sample"],
        ["git", "add", "--all"],
    ):
        subprocess.run(command, cwd=path, env=env, check=True, capture_output=True)
    return path


def _try_repo(sample: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = _git_env()
    env["PRE_COMMIT_HOME"] = str(home)
    env.pop("NO_COLOR", None)
    env.pop("FORCE_COLOR", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(ROOT),
            "corsproof",
            "--all-files",
            "--verbose",  # the hook's output on success too (the count of files it was given)
            "--color",
            "never",
        ],
        cwd=sample,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed: pre-commit try-repo clones the repository with it")
    if not (ROOT / ".git").exists():
        pytest.skip(f"{ROOT} is not a git checkout: pre-commit try-repo needs one")
    return tmp_path_factory.mktemp("pre-commit-home")


def test_hook_selects_the_files_a_scan_reads() -> None:
    """The manifest's `files` regex names exactly what `corsproof scan DIR` reads."""
    hook = _hook()
    assert hook["types"] == ["text"] and "types_or" not in hook
    files = re.compile(str(hook["files"]))
    paths = [*CLEAN_FILES, *NOT_SCANNED, "pkg/mod.py", "pkg/gui.pyw", "pkg/requirements/x.txt"]
    paths += ["sub/poetry.lock", "requirements.txt.orig", "mypyproject.toml", "Pipfile.bak"]
    paths += ["requirements/notes.md", "docs/requirements_docs.txt", "app.py.bak", "setup.py"]
    for path in paths:
        pure = PurePosixPath(path)
        scanned = is_source(pure.name) or is_dependency_file(pure.name, pure.parent.name)
        assert bool(files.search(path)) == scanned, path


def test_try_repo_fails_on_a_python_finding_and_a_requirements_finding(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    sample = _sample_repo(
        tmp_path / "sample",
        {"app.py": OPEN_WITH_CREDENTIALS, "requirements.txt": VULNERABLE_PIN},
    )
    proc = _try_repo(sample, pre_commit_home)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert re.search(r"^corsproof\.+Failed$", out, re.M), out
    assert "- exit code: 1" in out, out  # findings, not an error (2)
    assert "app.py:5:1: CORS102 [any-origin-with-credentials]" in out, out
    assert "requirements.txt:1:1: CORS302 [vulnerable-cors-library]" in out, out
    assert "Found 2 findings" in out, out


def test_try_repo_passes_on_clean_python_and_dependency_files(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    sample = _sample_repo(tmp_path / "sample", {**CLEAN_FILES, **NOT_SCANNED})
    proc = _try_repo(sample, pre_commit_home)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert re.search(r"^corsproof\.+Passed$", out, re.M), out  # not "(no files to check)"
    # every clean file was given to corsproof, none of NOT_SCANNED
    assert f"Found 0 findings (no findings) in {len(CLEAN_FILES)} files" in out, out
