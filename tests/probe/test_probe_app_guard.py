"""An in-process application cannot end or silence corsproof: `sys.exit()`, a `KeyboardInterrupt`
or any exception while it is imported, built (factory), started (ASGI lifespan) or while it answers
is one error for that target; the report is still written (valid JSON with `--format json`) and
the run exits 2 when nothing could be probed. A real SIGINT still interrupts. `os._exit()` is
survived only with isolation (a child process).

The command-line tests run `python -m corsproof` in a subprocess: an application that calls
`sys.exit()` must not take the test process down either.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from corsproof.probe import FailedApp, IsolatedApp, ProbeOptions, load_app, probe_targets

MODULES = {
    "exits_zero": "import sys\nsys.exit(0)\n",
    "exits_three": "import sys\nsys.exit(3)\n",
    "interrupts": "raise KeyboardInterrupt\n",
    "base_exception": "raise BaseException('odd')\n",
    "factory": textwrap.dedent(
        """\
        import sys


        def create_app():
            raise RuntimeError("no database configured\\n(set DATABASE_URL)")


        def create_exit():
            sys.exit("bye")
        """
    ),
    "lifespan_exit": textwrap.dedent(
        """\
        import sys
        from contextlib import asynccontextmanager

        from starlette.applications import Starlette


        @asynccontextmanager
        async def lifespan(app):
            sys.exit(5)
            yield


        app = Starlette(lifespan=lifespan)
        """
    ),
    "lifespan_raw": textwrap.dedent(
        """\
        async def app(scope, receive, send):
            if scope["type"] == "lifespan":
                await receive()
                raise KeyboardInterrupt
        """
    ),
    # prints on import and exits in one endpoint: the others are probed, stdout stays JSON
    "answers": textwrap.dedent(
        """\
        import os
        import sys

        print("starting the answers app")


        def app(environ, start_response):
            path = environ["PATH_INFO"]
            if path == "/exit":
                sys.exit(4)
            if path == "/interrupt":
                raise KeyboardInterrupt
            if path == "/die":
                os._exit(9)
            print("answering", path)
            start_response("200 OK", [("Access-Control-Allow-Origin", "*")])
            return [b"ok"]


        async def asgi(scope, receive, send):
            if scope["type"] != "http":
                return
            if scope["path"] == "/exit":
                sys.exit(4)
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"access-control-allow-origin", b"*")],
                }
            )
            await send({"type": "http.response.body", "body": b""})
        """
    ),
    "hard_exit": "import os\nos._exit(7)\n",
    "sends_sigint": "import os, signal, time\nos.kill(os.getpid(), signal.SIGINT)\ntime.sleep(5)\n",
    "imports_missing": "import corsproof_no_such_dependency\n",
}


@pytest.fixture(scope="module")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("apps")
    for name, source in MODULES.items():
        (directory / f"cpguard_{name}.py").write_text(source)
    return directory


def cli(app_dir: Path, spec: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable, "-m", "corsproof", "probe", "--app", f"cpguard_{spec}",
            "--app-dir", str(app_dir), "--format", "json", "--no-progress", *args,
        ],
        capture_output=True, text=True, timeout=120, cwd=app_dir,
    )  # fmt: skip


@pytest.mark.parametrize(
    "spec, says",
    [
        ("exits_zero:app", "importing 'cpguard_exits_zero' called sys.exit(0)"),
        ("exits_three:app", "importing 'cpguard_exits_three' called sys.exit(3)"),
        ("interrupts:app", "importing 'cpguard_interrupts' raised KeyboardInterrupt"),
        ("base_exception:app", "raised BaseException: odd"),
        (
            "factory:create_app()",
            "cpguard_factory:create_app() raised RuntimeError: no database configured "
            "(set DATABASE_URL)",
        ),
        ("factory:create_exit()", "cpguard_factory:create_exit() called sys.exit('bye')"),
        ("lifespan_exit:app", "ASGI lifespan) failed: SystemExit: 5"),
        ("lifespan_raw:app", "ASGI lifespan) failed: raised KeyboardInterrupt"),
        ("imports_missing:app", "raised ModuleNotFoundError"),
    ],
)
def test_the_application_cannot_end_the_run(app_dir: Path, spec: str, says: str) -> None:
    proc = cli(app_dir, spec, "--path", "/a", "--path", "/b")
    assert proc.returncode == 2, proc.stderr
    doc = json.loads(proc.stdout)  # the report is written, and it is JSON
    assert doc["findings"] == [] and doc["stats"]["files_scanned"] == 0
    (error,) = doc["errors"]
    assert error["path"] == f"cpguard_{spec}"
    assert says in error["message"], error["message"]
    assert "\n" not in error["message"]
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and "no target could be probed" in err[0], proc.stderr
    assert "Traceback" not in proc.stderr


def test_exits_inside_requests_are_per_target_errors(app_dir: Path) -> None:
    proc = cli(app_dir, "answers:app", "--path", "/ok", "--path", "/exit", "--path", "/interrupt")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)  # the app's prints went to stderr
    assert [(f["rule_id"], f["target"]["url"]) for f in doc["findings"]] == [
        ("CORS101", "http://localhost/ok")
    ]
    errors = {e["path"]: e["message"] for e in doc["errors"]}
    assert "called sys.exit(4) while answering" in errors["http://localhost/exit"]
    assert "raised KeyboardInterrupt while answering" in errors["http://localhost/interrupt"]
    assert "starting the answers app" in proc.stderr and "answering /ok" in proc.stderr


def test_exit_inside_an_asgi_request_is_a_per_target_error(app_dir: Path) -> None:
    proc = cli(app_dir, "answers:asgi", "--path", "/ok", "--path", "/exit")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert [f["target"]["url"] for f in doc["findings"]] == ["http://localhost/ok"]
    (error,) = doc["errors"]
    assert error["path"] == "http://localhost/exit"
    assert "called sys.exit(4) while answering" in error["message"]


def test_what_the_command_line_got_wrong_stays_a_usage_error(app_dir: Path) -> None:
    proc = cli(app_dir, "nowhere:app")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "no module named 'cpguard_nowhere'" in proc.stderr
    proc = cli(app_dir, "answers:nothing_here")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "has no attribute 'nothing_here'" in proc.stderr


def test_a_real_sigint_still_interrupts(app_dir: Path) -> None:
    """SIGINT delivered to the process while the module is imported is the user's Ctrl-C."""
    code = textwrap.dedent(
        f"""\
        import signal
        # Ctrl-C raises KeyboardInterrupt here even when the tests run as a background job
        signal.signal(signal.SIGINT, signal.default_int_handler)
        from corsproof.probe import load_app
        try:
            load_app("cpguard_sends_sigint:app", {str(app_dir)!r})
        except KeyboardInterrupt:
            print("interrupted")
        else:
            print("contained")
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=app_dir
    )
    assert proc.stdout.strip() == "interrupted", proc.stderr
    # the same exception raised by the module's code is contained
    proc = subprocess.run(
        [sys.executable, "-c", code.replace("sends_sigint", "interrupts")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=app_dir,
    )
    assert proc.stdout.strip() == "contained", proc.stderr


# ------------------------------------------------------------------------------ --isolate


def test_isolation_survives_os_exit_on_import(app_dir: Path) -> None:
    app = load_app("cpguard_hard_exit:app", str(app_dir), isolate=True)
    assert isinstance(app, FailedApp)
    assert "exited with code 7" in app.message
    result = probe_targets(["http://localhost/"], ProbeOptions(timeout=5), app=app)
    assert result.analysed == 0
    assert [(e.path, "code 7" in e.message) for e in result.errors] == [
        ("cpguard_hard_exit:app", True)
    ]


def test_isolation_survives_os_exit_in_a_request(app_dir: Path) -> None:
    app = load_app("cpguard_answers:app", str(app_dir), isolate=True)
    assert isinstance(app, IsolatedApp)
    # one at a time, so that the endpoint before the crash is probed in full
    result = probe_targets(
        ["http://localhost/ok", "http://localhost/die", "http://localhost/after"],
        ProbeOptions(timeout=5, concurrency=1),
        app=app,
    )
    assert [(f.rule_id, f.target.url if f.target else "") for f in result.findings] == [
        ("CORS101", "http://localhost/ok")
    ]
    errors = {e.path: e.message for e in result.errors}
    assert "exited with code 9" in errors["http://localhost/die"]
    assert "http://localhost/after" in errors
    assert app.process.poll() == 9


def test_isolated_and_in_process_agree(app_dir: Path) -> None:
    targets = ["http://localhost/ok", "http://localhost/exit"]
    try:
        in_process = load_app("cpguard_answers:app", str(app_dir))
        here = probe_targets(targets, ProbeOptions(timeout=5), app=in_process)
    finally:
        sys.modules.pop("cpguard_answers", None)
        if str(app_dir) in sys.path:
            sys.path.remove(str(app_dir))
    isolated_app = load_app("cpguard_answers:app", str(app_dir), isolate=True)
    there = probe_targets(targets, ProbeOptions(timeout=5), app=isolated_app)
    assert [(f.rule_id, f.target) for f in here.findings] == [
        (f.rule_id, f.target) for f in there.findings
    ]
    assert [(e.path, e.message) for e in here.errors] == [(e.path, e.message) for e in there.errors]
    assert here.requests_sent == there.requests_sent
    assert isolated_app.process.wait(10) == 0  # ended when the run ended


def test_isolation_reports_lifespan_and_usage_errors(app_dir: Path) -> None:
    from corsproof.probe import TargetSourceError

    app = load_app("cpguard_lifespan_exit:app", str(app_dir), isolate=True)
    result = probe_targets(["http://localhost/"], ProbeOptions(timeout=5), app=app)
    (error,) = result.errors
    assert "SystemExit: 5" in error.message and result.analysed == 0
    with pytest.raises(TargetSourceError, match="no module named"):
        load_app("cpguard_nowhere:app", str(app_dir), isolate=True)


def test_cli_isolate(app_dir: Path) -> None:
    proc = cli(app_dir, "hard_exit:app", "--isolate")
    assert proc.returncode == 2
    (error,) = json.loads(proc.stdout)["errors"]
    assert "exited with code 7" in error["message"]
    assert len(proc.stderr.strip().splitlines()) == 1
