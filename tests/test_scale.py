"""Scale-out: resumable JSON Lines runs (SIGKILL included), many repositories, and the same units
on a real Dask distributed LocalCluster (2 worker processes), a worker killed mid-run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import cli_support
import pytest
from probe_apps import EXPECTED_HANDWRITTEN, SECOND, TRUSTED, handwritten_app
from probe_support import serve_wsgi
from report_schema import check_lines

from corsproof.scale import ResumeError, finished_units

ROOT = Path(__file__).resolve().parent.parent
PATHS = sorted(EXPECTED_HANDWRITTEN)
ORIGINS = ["--origin", TRUSTED, "--origin", SECOND]  # two: /vary shows its Vary-less echo


def corsproof(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return cli_support.corsproof(*args, "--no-progress", timeout=600, **kwargs)


def slow(app: Any, delay: float) -> Any:
    def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
        time.sleep(delay)
        return app(environ, start_response)

    return wrapped


@contextmanager
def servers(count: int, delay: float = 0.0) -> Iterator[list[str]]:
    with ExitStack() as stack:
        yield [stack.enter_context(serve_wsgi(slow(handwritten_app, delay))) for _ in range(count)]


def targets_file(tmp_path: Path, bases: list[str]) -> tuple[Path, list[str]]:
    urls = [base + path for base in bases for path in PATHS]
    path = tmp_path / "targets.txt"
    path.write_text("\n".join(urls) + "\n")
    return path, urls


def summary(text: str) -> tuple[Counter[str], set[tuple[str, str]]]:
    """(done lines per target, {(target url, rule)}) of a JSON Lines report; every line checked
    against the schema."""
    lines = check_lines(text)
    done = Counter(x["target"] for x in lines if x["type"] == "done")
    found = {(x["target"]["url"], x["rule_id"]) for x in lines if x["type"] == "finding"}
    return done, found


def expected(urls: list[str]) -> set[tuple[str, str]]:
    return {
        (url, rule) for url in urls for rule in EXPECTED_HANDWRITTEN["/" + url.split("/", 3)[3]]
    }


def fingerprints_once(text: str) -> None:
    prints = Counter(json.loads(x)["fingerprint"] for x in text.splitlines() if '"finding"' in x)
    assert [p for p, n in prints.items() if n > 1] == []


# ------------------------------------------------------------------------------------ resume


def test_resume_after_sigkill_reports_every_target_once(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with servers(2, delay=0.05) as bases:
        file, urls = targets_file(tmp_path, bases)
        args = ["probe", "--targets", str(file), *ORIGINS, "--format", "jsonl",
                "-o", str(out), "--concurrency", "2"]  # fmt: skip
        proc = subprocess.Popen(
            [sys.executable, "-m", "corsproof", *args, "--no-progress"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if out.exists() and out.read_text().count('"type": "done"') >= 5:
                break
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        first = out.read_text()
        assert 5 <= first.count('"type": "done"') < len(urls)  # killed mid-run
        resumed = corsproof(*args, "--resume")
    text = out.read_text()
    assert resumed.returncode == 1, resumed.stderr
    done, found = summary(text)
    assert done == Counter(urls)  # every target exactly once
    assert found == expected(urls)
    fingerprints_once(text)


def test_a_cut_last_line_and_an_unfinished_unit_are_done_again(tmp_path: Path) -> None:
    with servers(1) as bases:
        file, urls = targets_file(tmp_path, bases)
        args = ["probe", "--targets", str(file), *ORIGINS, "--format", "jsonl"]
        full = tmp_path / "full.jsonl"
        assert corsproof(*args, "-o", str(full)).returncode == 1
        text = full.read_text()
        # the report as a kill could leave it: whole units, finding lines of an unfinished one,
        # and a line cut in its middle
        done_ends = [
            i + 1
            for i, c in enumerate(text)
            if c == "\n" and '"done"' in text[: i + 1].rsplit("\n", 2)[-2]
        ]
        cut = text[: done_ends[3]]
        rest = text[done_ends[3] :]
        partial = tmp_path / "partial.jsonl"
        partial.write_text(cut + rest[: rest.index("\n") + 1] + rest[rest.index("\n") + 1 :][:17])
        resumed = corsproof(*args, "-o", str(partial), "--resume")
    assert resumed.returncode == 1, resumed.stderr
    after = partial.read_text()
    done, found = summary(after)
    assert done == Counter(urls) and found == expected(urls)
    fingerprints_once(after)
    assert after.startswith(cut)


def test_resume_refuses_what_is_not_a_jsonl_report(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text('{"tool": {"name": "corsproof"}}\n')
    with pytest.raises(ResumeError, match="not a line of a corsproof JSON Lines report"):
        finished_units(str(report))
    proc = corsproof(
        "probe", "http://127.0.0.1:9/", "--format", "jsonl", "-o", str(report), "--resume"
    )
    assert proc.returncode == 2 and "report.json:1: not a line" in proc.stderr
    assert finished_units(str(tmp_path / "missing.jsonl")).done == set()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["probe", "http://127.0.0.1:9/", "--resume", "-o", "x.jsonl"], "add --format jsonl"),
        (["probe", "http://127.0.0.1:9/", "--format", "jsonl", "--resume"], "give -o"),
        (["scan", ".", "--cluster", "tcp://127.0.0.1:9"], "scan --repos FILE --format jsonl"),
        (["scan", "--repos", "r.txt", "--format", "json"], "add --format jsonl"),
        (
            ["probe", "--app", "x:app", "--cluster", "tcp://127.0.0.1:9", "--format", "jsonl"],
            "in-process --app",
        ),
    ],
)
def test_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    proc = corsproof(*args, cwd=tmp_path)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr


# ------------------------------------------------------------------------- many repositories


@pytest.fixture
def repositories(tmp_path: Path) -> Path:
    """A list of repositories: a local directory, a git repository given by file:// URL (cloned
    shallowly), one that does not exist, one URL that cannot be cloned."""
    repo = tmp_path / "service"
    repo.mkdir()
    (repo / "app.py").write_text(
        "from flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\n"
        "CORS(app, supports_credentials=True)\n"
    )
    (repo / "requirements.txt").write_text("flask-cors==5.0.1\n")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@e",
    }
    for command in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "x"]):
        subprocess.run(command, cwd=repo, check=True, env=env, capture_output=True)
    listing = tmp_path / "repos.txt"
    listing.write_text(
        f"# repositories\n{ROOT / 'examples'}\n\n{repo.as_uri()}\n{tmp_path / 'gone'}\n"
        "file:///nonexistent/repo.git\n"
    )
    return listing


def repo_summary(text: str) -> tuple[dict[str, tuple[int, str]], set[tuple[str, str, str, int]]]:
    lines = check_lines(text)
    done = {x["target"]: (x["findings"], x["status"]) for x in lines if x["type"] == "done"}
    found = {
        (x["repository"], x["rule_id"], x["location"]["path"], x["location"]["line"])
        for x in lines
        if x["type"] == "finding"
    }
    return done, found


def test_scan_repos_locally(tmp_path: Path, repositories: Path) -> None:
    out = tmp_path / "repos.jsonl"
    proc = corsproof("scan", "--repos", str(repositories), "--format", "jsonl", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    done, found = repo_summary(out.read_text())
    url = (tmp_path / "service").as_uri()
    assert done[str(ROOT / "examples")] == (31, "ok")
    assert done[url] == (2, "ok")
    assert done[str(tmp_path / "gone")] == (0, "failed")
    assert done["file:///nonexistent/repo.git"] == (0, "failed")
    # paths are relative to the repository, findings tagged with it
    assert (url, "CORS102", "app.py", 4) in found and (
        url,
        "CORS302",
        "requirements.txt",
        1,
    ) in found
    assert not any(p.startswith("/tmp/corsproof-repo-") for _, _, p, _ in found)
    assert not list(Path("/tmp").glob("corsproof-repo-*"))  # clones deleted
    # resumed: nothing done twice
    again = corsproof(
        "scan", "--repos", str(repositories), "--format", "jsonl", "-o", str(out), "--resume"
    )
    assert again.returncode == 1 and repo_summary(out.read_text())[0] == done


# ---------------------------------------------------------------------------------- cluster


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[str, Any]]:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None
        ) as local,
        Client(local) as client,
    ):
        yield local.scheduler_address, client


def test_probe_on_the_cluster_gives_the_local_findings(
    tmp_path: Path, cluster: tuple[str, Any]
) -> None:
    address, _ = cluster
    with servers(3) as bases:
        file, urls = targets_file(tmp_path, bases)
        common = ["probe", "--targets", str(file), *ORIGINS, "--format", "jsonl"]
        local = corsproof(*common)
        remote = corsproof(*common, "--cluster", address)
        from_env = corsproof(
            *common, "--cluster", env={**os.environ, "DASK_SCHEDULER_ADDRESS": address}
        )
    assert local.returncode == remote.returncode == from_env.returncode == 1, remote.stderr
    assert summary(remote.stdout) == summary(local.stdout) == (Counter(urls), expected(urls))
    assert summary(from_env.stdout) == summary(local.stdout)


def test_per_host_holds_across_the_cluster(tmp_path: Path, cluster: tuple[str, Any]) -> None:
    """One origin's targets go to one unit at a time: with --per-host 1, the server never sees
    two requests at once, though two workers with two threads each run units."""
    lock = threading.Lock()
    state = {"now": 0, "most": 0}

    def counting(environ: dict[str, Any], start_response: Any) -> Any:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        try:
            time.sleep(0.005)
            return handwritten_app(environ, start_response)
        finally:
            with lock:
                state["now"] -= 1

    with serve_wsgi(counting) as base:
        file, urls = targets_file(tmp_path, [base] * 4)  # 4 copies: 88 targets, one origin
        proc = corsproof("probe", "--targets", str(file), *ORIGINS, "--format", "jsonl",
                         "--per-host", "1", "--cluster", cluster[0])  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert summary(proc.stdout)[0] == Counter(urls)
    assert state["most"] == 1


def test_a_worker_killed_mid_run_changes_nothing(tmp_path: Path, cluster: tuple[str, Any]) -> None:
    address, client = cluster
    with servers(4, delay=0.03) as bases:
        file, urls = targets_file(tmp_path, bases)
        out = tmp_path / "out.jsonl"
        proc = subprocess.Popen(
            [sys.executable, "-m", "corsproof", "probe", "--targets", str(file), *ORIGINS,
             "--format", "jsonl", "-o", str(out), "--cluster", address, "--no-progress"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (out.exists() and '"done"' in out.read_text()):
            time.sleep(0.02)
        pids = client.run(os.getpid)
        victim = next(iter(pids.values()))
        os.kill(victim, signal.SIGKILL)  # the nanny starts a new worker
        _, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, err
    text = out.read_text()
    done, found = summary(text)
    assert done == Counter(urls) and found == expected(urls)
    fingerprints_once(text)
    assert victim not in client.run(os.getpid).values()


def test_scan_repos_on_the_cluster_gives_the_local_findings(
    tmp_path: Path, repositories: Path, cluster: tuple[str, Any]
) -> None:
    local, remote = tmp_path / "local.jsonl", tmp_path / "remote.jsonl"
    args = ["scan", "--repos", str(repositories), "--format", "jsonl"]
    assert corsproof(*args, "-o", str(local)).returncode == 1
    proc = corsproof(*args, "-o", str(remote), "--cluster", cluster[0])
    assert proc.returncode == 1, proc.stderr
    assert repo_summary(remote.read_text()) == repo_summary(local.read_text())


def test_cluster_unreachable_and_not_installed(tmp_path: Path) -> None:
    proc = corsproof(
        "probe", "http://127.0.0.1:9/", "--format", "jsonl", "--cluster", "tcp://127.0.0.1:9"
    )
    assert (
        proc.returncode == 2
        and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in proc.stderr
    )
    # a Python where `distributed` cannot be imported: the install hint
    blocker = tmp_path / "blocker"
    (blocker / "distributed").mkdir(parents=True)
    (blocker / "distributed" / "__init__.py").write_text("raise ImportError('not installed')\n")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(blocker), os.environ.get("PYTHONPATH", "")]),
    }
    proc = corsproof(
        "probe",
        "http://127.0.0.1:9/",
        "--format",
        "jsonl",
        "--cluster",
        "tcp://127.0.0.1:9",
        env=env,
    )
    assert proc.returncode == 2 and 'pip install "corsproof[cluster]"' in proc.stderr
    proc = corsproof("probe", "http://127.0.0.1:9/", "--format", "jsonl", "--cluster",
                     env={k: v for k, v in os.environ.items() if k != "DASK_SCHEDULER_ADDRESS"})  # fmt: skip
    assert proc.returncode == 2 and "needs DASK_SCHEDULER_ADDRESS" in proc.stderr


def test_the_default_install_does_not_need_dask(tmp_path: Path) -> None:
    """Dask is an extra (corsproof[cluster]); nothing but --cluster imports it."""
    from importlib.metadata import requires

    needs = [r for r in requires("corsproof") or [] if r.startswith("distributed")]
    assert any("cluster" in r for r in needs)  # corsproof[cluster]
    assert all("extra ==" in r for r in needs)  # and only as an extra
    code = (
        "import sys\n"
        "from corsproof.cli import main\n"
        f"main(['scan', {str(ROOT / 'examples')!r}, '--format', 'jsonl', '-o', {str(tmp_path / 'a')!r}])\n"
        f"main(['probe', 'http://127.0.0.1:9/', '--format', 'jsonl', '-o', {str(tmp_path / 'b')!r}])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('distributed', 'dask')))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stderr


def test_max_requests_holds_for_the_whole_cluster_run(
    tmp_path: Path, cluster: tuple[str, Any]
) -> None:
    lock = threading.Lock()
    seen = {"requests": 0}

    def counting(environ: dict[str, Any], start_response: Any) -> Any:
        with lock:
            seen["requests"] += 1
        return handwritten_app(environ, start_response)

    with ExitStack() as stack:
        bases = [stack.enter_context(serve_wsgi(counting)) for _ in range(3)]
        file, urls = targets_file(tmp_path, bases)  # 66 targets, about 5-16 requests each
        proc = corsproof("probe", "--targets", str(file), *ORIGINS, "--format", "jsonl",
                         "--max-requests", "100", "--cluster", cluster[0])  # fmt: skip
    lines = check_lines(proc.stdout)
    assert seen["requests"] <= 100
    done = Counter(x["target"] for x in lines if x["type"] == "done")
    assert done == Counter(urls)  # every target still reported once
    skipped = [x for x in lines if x["type"] == "error" and "--max-requests" in x["message"]]
    assert skipped and all("--max-requests (100)" in x["message"] for x in skipped)
