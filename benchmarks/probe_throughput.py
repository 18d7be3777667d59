"""Probe throughput: corsproof vs CORScanner on the same local targets, in the same run.

A uvicorn + Starlette app (its own process, 127.0.0.1 only) serves 200 "strict" endpoints (one
trusted origin, nothing to find) and 200 "open" ones (`allow_origins=["*"], allow_credentials=True`).
Both tools get the same target list; the server counts the requests each one sends. corsproof runs
all its checks (preflights, private network, Vary, exposed headers); CORScanner sends GETs only.

    python benchmarks/probe_throughput.py [--targets 200] [--memory]

`--memory` also compares corsproof's peak RSS on 10x the strict targets (streaming keeps it flat).
CORScanner (`pip install corscanner`) is optional: when it cannot be imported or run, the report
says so and still prints corsproof's figures. It is run with `-t 20` and with tldextract's bundled
public-suffix snapshot (no network).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

TRUSTED = "https://www.example.com"
HERE = Path(__file__).resolve()

# ----------------------------------------------------------------------------------- the server


def build_app():  # type: ignore[no-untyped-def]
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Mount, Route

    counts = {"requests": 0}

    async def data(request):  # type: ignore[no-untyped-def]
        return JSONResponse({"id": request.path_params.get("n"), "secret": 42})

    async def stats(request):  # type: ignore[no-untyped-def]
        if request.method == "DELETE":
            counts["requests"] = 0
        return JSONResponse(counts)

    def counted(app):  # type: ignore[no-untyped-def]
        async def wrapper(scope, receive, send):  # type: ignore[no-untyped-def]
            if scope["type"] == "http":
                counts["requests"] += 1
            await app(scope, receive, send)

        return wrapper

    strict = Starlette(
        routes=[Route("/{n}", data)],
        middleware=[Middleware(CORSMiddleware, allow_origins=[TRUSTED])],
    )
    open_ = Starlette(
        routes=[Route("/{n}", data)],
        middleware=[Middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)],
    )

    async def health(request):  # type: ignore[no-untyped-def]
        return PlainTextResponse("ok")

    outer = Starlette(
        routes=[
            Route("/__stats", stats, methods=["GET", "DELETE"]),
            Route("/__health", health),
            Mount("/strict", app=counted(strict)),
            Mount("/open", app=counted(open_)),
        ]
    )
    return outer


def serve(port: int) -> None:
    import uvicorn

    uvicorn.run(build_app(), host="127.0.0.1", port=port, log_level="error", access_log=False)


# ----------------------------------------------------------------------------------- the runs


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(method: str, url: str) -> dict[str, int]:
    request = urllib.request.Request(url, method=method)
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str, str]:
    """Wall time, peak RSS (KiB) of the child, stdout, stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) if peak > before else peak, proc.stdout, proc.stderr


def run_corsproof(targets: Path) -> tuple[float, int, int, int]:
    """(wall s, findings, errors, peak RSS KiB)"""
    cmd = [
        sys.executable, "-m", "corsproof", "probe", "--targets", str(targets),
        "--origin", TRUSTED, "--format", "json", "--no-progress", "--timeout", "10",
    ]  # fmt: skip
    wall, rss, out, err = timed(cmd)
    try:
        doc = json.loads(out)
    except ValueError:
        raise SystemExit(f"corsproof failed:\n{err}") from None
    return wall, len(doc["findings"]), len(doc["errors"]), rss


CORSCANNER_WRAPPER = """
import sys
import tldextract
offline = tldextract.TLDExtract(suffix_list_urls=())  # the bundled snapshot: no network
tldextract.extract = offline
import CORScanner.common.corscheck as corscheck
corscheck.tldextract.extract = offline
sys.argv = ["corscanner", *sys.argv[1:]]
from CORScanner.cors_scan import main
main()
"""


def corscanner_available() -> str | None:
    """None when CORScanner can be run, else why not."""
    proc = subprocess.run(
        [sys.executable, "-c", "import CORScanner.cors_scan, tldextract, gevent"],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        return (
            "CORScanner is not installed (pip install corscanner): "
            + (proc.stderr.strip().splitlines() or ["import failed"])[-1]
        )
    return None


def run_corscanner(targets: Path, workdir: Path) -> tuple[float, int]:
    """(wall s, findings)"""
    wrapper = workdir / "run_corscanner.py"
    wrapper.write_text(CORSCANNER_WRAPPER)
    output = workdir / "corscanner.json"
    env = dict(os.environ, TLDEXTRACT_CACHE=str(workdir / "tld-cache"))
    cmd = [sys.executable, str(wrapper), "-i", str(targets), "-t", "20", "-o", str(output)]
    wall, _, _, err = timed(cmd, env)
    if not output.exists():
        raise RuntimeError(err.strip().splitlines()[-1] if err.strip() else "no output")
    return wall, len(json.loads(output.read_text() or "[]"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, default=200, help="targets per set (200)")
    parser.add_argument("--memory", action="store_true", help="also measure RSS at 10x targets")
    args = parser.parse_args()

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(HERE), "--serve", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(base + "/__health", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the benchmark server did not start") from None
                time.sleep(0.1)
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            files = {}
            for kind in ("strict", "open"):
                files[kind] = work / f"{kind}.txt"
                files[kind].write_text("".join(f"{base}/{kind}/{i}\n" for i in range(args.targets)))
            missing = corscanner_available()
            print(f"# probe throughput: {args.targets} strict + {args.targets} open targets, "
                  f"uvicorn + Starlette on 127.0.0.1, {os.cpu_count()} cores")  # fmt: skip
            print(f"{'tool':<12} {'set':<7} {'wall s':>8} {'requests':>9} {'req/target':>10} "
                  f"{'findings':>9}")  # fmt: skip
            results: dict[tuple[str, str], float] = {}
            for kind in ("strict", "open"):
                http("DELETE", base + "/__stats")
                wall, findings, errors, _ = run_corsproof(files[kind])
                sent = http("GET", base + "/__stats")["requests"]
                results[("corsproof", kind)] = wall
                print(f"{'corsproof':<12} {kind:<7} {wall:>8.2f} {sent:>9} "
                      f"{sent / args.targets:>10.1f} {findings:>9}"
                      + (f"  ({errors} errors)" if errors else ""))  # fmt: skip
                if missing is None:
                    http("DELETE", base + "/__stats")
                    try:
                        wall, findings = run_corscanner(files[kind], work)
                    except (RuntimeError, subprocess.TimeoutExpired, ValueError) as exc:
                        missing = f"CORScanner failed to run: {exc}"
                    else:
                        sent = http("GET", base + "/__stats")["requests"]
                        results[("corscanner", kind)] = wall
                        print(f"{'CORScanner':<12} {kind:<7} {wall:>8.2f} {sent:>9} "
                              f"{sent / args.targets:>10.1f} {findings:>9}")  # fmt: skip
            if missing:
                print(f"CORScanner: not compared — {missing}")
            elif ("corscanner", "strict") in results:
                ratio = results[("corsproof", "strict")] / results[("corscanner", "strict")]
                print(f"strict set: corsproof takes {ratio:.2f}x CORScanner's time")
            if args.memory:
                # nothing to find on the strict set: what grows is only what is held per target
                n = args.targets * 10
                big = work / "strict-big.txt"
                big.write_text("".join(f"{base}/strict/{i}\n" for i in range(n)))
                small_rss = _rss_of(files["strict"])
                big_rss = _rss_of(big)
                print(
                    f"corsproof peak RSS (strict set): {small_rss / 1024:.0f} MiB for "
                    f"{args.targets} targets, {big_rss / 1024:.0f} MiB for {n} targets"
                )
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


def _rss_of(targets: Path) -> int:
    """Peak RSS (KiB) of one corsproof run, measured in a fresh child that reports its own."""
    code = (
        "import resource, runpy, sys\n"
        "sys.argv = ['corsproof', 'probe', '--targets', sys.argv[1], '--origin', "
        f"'{TRUSTED}', '--format', 'json', '--no-progress', '-o', '/dev/null']\n"
        "try:\n    runpy.run_module('corsproof', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(targets)], capture_output=True, text=True, timeout=1800
    )
    return int(proc.stderr.strip().splitlines()[-1])


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]))
    else:
        sys.exit(main())
