"""Probe at scale: `corsproof probe --format jsonl` on many loopback targets, locally and on a Dask
distributed LocalCluster, with the client's and the workers' memory over the run.

    python benchmarks/scale_probe.py                       # --targets 20000, local + 1 + 2 workers
    python benchmarks/scale_probe.py --targets 100000 --modes local
    python benchmarks/scale_probe.py --modes cluster2 --threads 2 --no-worker-profile

The servers: one child process runs `--servers K` raw HTTP/1.1 servers on 127.0.0.1 (asyncio
protocols in one event loop, keep-alive, every request answered at once with a small fixed
response; no framework), so that the prober, not the server, is measured. Path `/t/<i>` with
`i % --grant-every == 0` (default 1 in 10) reflects any `Origin` with
`Access-Control-Allow-Credentials: true` and `Vary: Origin`, on every method; every other path
sends no CORS header. The server process counts the requests and connections it gets.

Targets: `http://127.0.0.1:PORT/t/<i>` for i in 0..N-1, round-robin over the servers (target i on
server i % K). Every mode runs, as a user would, in a subprocess:

    corsproof probe --targets FILE --format jsonl -o OUT --no-progress --timeout 10 \
        --concurrency 64 --per-host 16 --max-requests 1000000000 [--cluster tcp://…]

(`--max-requests` is raised from its default, 100000, which would stop the run after about
19,600 targets of this mix: 5.1 requests per target.) Modes: `local` (no cluster), `cluster1` and `cluster2`: a
`distributed.LocalCluster(n_workers=1|2, threads_per_worker=--threads (1), processes=True)`
started by this script (so its scheduler runs in this process), warmed up (corsproof imported in
every worker) before the clock starts. Dask's statistical profiler runs in the workers, as it does
by default; `--no-worker-profile` turns it off (`distributed.worker.profile.enabled: false`): it
samples the task thread's stack every 10 ms and keeps one tree per second for the last 1000 s,
which costs CPU and makes a worker's memory grow through its first 1000 s of work.

Per mode: wall time of the corsproof subprocess (start-up and cluster connection included),
targets/s, the requests the servers counted (and requests/s, requests/target, TCP connections),
the CPU seconds of each party (client, servers, workers, this process = scheduler + sampling),
the client's RSS sampled every 0.2 s with psutil (peak, and at 10%, 50% and 100% of the targets
done, counted from the `done` lines of the output file as it grows) and its exact peak
(`ru_maxrss` from `wait4`), the workers' RSS at the same points (psutil) and their peak
(`client.run(getrusage(RUSAGE_SELF).ru_maxrss)`). Then the output is checked: every target has
exactly one `done` line (status ok), no `error` line, and every granting target, and no other,
has the same set of findings; the script exits with status 1 when a check fails.

On a 2-core machine the cluster cannot show what it is for (more cores, more machines): the
servers, the client, the scheduler and the workers share the same two cores. One local corsproof
process is one asyncio thread and uses one core; one worker uses one core too and spends more
CPU per request (each unit is a new probe run: TLS context, clients, connections; and Dask's
profiler), so `cluster1` is slower than `local`; two workers use both cores, so `cluster2` was
1.1-1.6x faster than `local` on 2026-12-07, not 2x. The CPU columns show where the time went
(docs/benchmarks.md has the figures).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MODES = ("local", "cluster1", "cluster2")
RESPONSE_BODY = b'{"ok": true}\n'

# ----------------------------------------------------------------------------------- the servers


class _Http(asyncio.Protocol):
    """A minimal HTTP/1.1 keep-alive server: requests without a body (GET, HEAD, OPTIONS)."""

    def __init__(self, counts: Any, grant_every: int) -> None:
        self.counts = counts
        self.grant_every = grant_every
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.counts[1] += 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        out = []
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            out.append(self._answer(head))
        if out:
            assert self.transport is not None
            self.transport.write(b"".join(out))

    def _answer(self, head: bytes) -> bytes:
        self.counts[0] += 1
        line, _, headers = head.partition(b"\r\n")
        parts = line.split(b" ")
        method = parts[0]
        path = parts[1] if len(parts) > 1 else b"/"
        grant = False
        if path.startswith(b"/t/"):
            try:
                grant = int(path[3:].split(b"?")[0]) % self.grant_every == 0
            except ValueError:
                grant = False
        extra = b""
        if grant:
            origin = None
            for header in headers.split(b"\r\n"):
                name, _, value = header.partition(b":")
                if name.strip().lower() == b"origin":
                    origin = value.strip()
                    break
            if origin is not None:
                extra = (
                    b"Access-Control-Allow-Origin: " + origin + b"\r\n"
                    b"Access-Control-Allow-Credentials: true\r\n"
                    b"Vary: Origin\r\n"
                )
        body = b"" if method == b"HEAD" else RESPONSE_BODY
        return (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + extra
            + b"Content-Length: %d\r\n\r\n" % len(RESPONSE_BODY)
            + body
        )


def serve(count: int, grant_every: int, counts: Any, ports: Any) -> None:
    """The child process: `count` servers in one event loop; their ports to `ports`."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        servers = [
            await loop.create_server(
                lambda: _Http(counts, grant_every), "127.0.0.1", 0, backlog=1024
            )
            for _ in range(count)
        ]
        ports.send([s.sockets[0].getsockname()[1] for s in servers])
        await asyncio.Event().wait()

    asyncio.run(main())


# ----------------------------------------------------------------------------------- measuring


def mib(kib_or_bytes: float, unit: str = "B") -> float:
    return kib_or_bytes / (1024 if unit == "KiB" else 1024 * 1024)


class DoneCounter:
    """Counts the `done` lines of a JSON Lines report as it grows (whole lines only)."""

    MARK = b'{"type": "done"'

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.done = 0

    def poll(self) -> int:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                data = handle.read()
        except FileNotFoundError:
            return self.done
        cut = data.rfind(b"\n") + 1
        self.done += data[:cut].count(self.MARK)
        self.offset += cut
        return self.done


def tree_rss(proc: Any) -> int:
    """RSS of a psutil process and its children, bytes (0 once it is gone)."""
    import psutil

    total = 0
    try:
        total += proc.memory_info().rss
        for child in proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
    except psutil.Error:
        pass
    return total


@dataclass
class Run:
    mode: str
    targets: int
    seconds: float = 0.0
    requests: int = 0
    connections: int = 0
    client_peak_sampled: int = 0  # bytes
    client_maxrss: int = 0  # KiB (wait4)
    client_at: dict[int, int] = field(default_factory=dict)  # percent -> bytes
    workers_at: dict[int, list[int]] = field(default_factory=dict)  # percent -> bytes per worker
    workers_peak: list[int] = field(default_factory=list)  # KiB per worker (ru_maxrss)
    cpu: dict[str, float] = field(default_factory=dict)  # party -> CPU seconds
    late: dict[int, float] = field(default_factory=dict)  # percent -> fraction actually sampled
    checks: list[str] = field(default_factory=list)  # failed checks
    findings: int = 0
    output_bytes: int = 0
    rules: str = ""
    exit_code: int = 0


def run_corsproof(
    cmd: list[str],
    out: Path,
    total: int,
    run: Run,
    workers: list[Any],
    deadline: float,
) -> None:
    """Run corsproof, sampling memory every 0.2 s; fills `run`."""
    import psutil

    counter = DoneCounter(out)
    marks = {10: max(1, total // 10), 50: max(1, total // 2), 100: total}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    watched = psutil.Process(proc.pid)
    status = None
    usage = None
    last: tuple[int, int, list[int]] | None = None  # the last sample of a live client
    while status is None:
        rss = tree_rss(watched)
        run.client_peak_sampled = max(run.client_peak_sampled, rss)
        done = counter.poll()
        if rss:  # 0: the client has exited (a zombie until reaped)
            last = (done, rss, [tree_rss(w) for w in workers])
            for percent, at in marks.items():
                if percent not in run.client_at and done >= at:
                    run.client_at[percent] = rss
                    run.workers_at[percent] = last[2]
        pid, raw_status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            status = raw_status
            break
        if time.perf_counter() - start > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            raise SystemExit(f"{run.mode}: corsproof took more than {deadline:g}s; killed")
        time.sleep(0.2)
    run.seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: tell Popen
    run.exit_code = proc.returncode
    assert usage is not None
    run.client_maxrss = usage.ru_maxrss
    run.cpu["client"] = usage.ru_utime + usage.ru_stime
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if run.exit_code not in (0, 1):
        raise SystemExit(f"{run.mode}: corsproof exited {run.exit_code}:\n{stderr}")
    for percent in marks:
        # the client exits right after its last lines: 100% is its last sample alive
        if percent not in run.client_at and last is not None:
            run.client_at[percent] = last[1]
            run.workers_at[percent] = last[2]
            run.late[percent] = last[0] / total


def check_output(out: Path, urls: list[str], grant_every: int, run: Run) -> None:
    """Every target exactly one `done` line (ok), no error line, and the same findings on every
    granting target and none elsewhere."""
    done: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    rules: dict[str, list[str]] = {}
    errors = 0
    with open(out, encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            kind = item["type"]
            if kind == "done":
                done[item["target"]] += 1
                statuses[item["status"]] += 1
            elif kind == "finding":
                rules.setdefault(item["target"]["url"], []).append(item["rule_id"])
                run.findings += 1
            else:
                errors += 1
    wanted = Counter(urls)
    if done != wanted:
        missing = sum((wanted - done).values())
        extra = sum((done - wanted).values())
        run.checks.append(f"done lines: {missing} targets missing, {extra} extra or repeated")
    if statuses != Counter({"ok": len(urls)}):
        run.checks.append(f"done statuses: {dict(statuses)}")
    if errors:
        run.checks.append(f"{errors} error lines")
    granting = {u for i, u in enumerate(urls) if i % grant_every == 0}
    if set(rules) != granting:
        run.checks.append(
            f"findings on {len(rules)} targets, {len(granting)} grant "
            f"({len(set(rules) - granting)} findings where nothing is granted)"
        )
    kinds = Counter(tuple(sorted(r)) for r in rules.values())
    if len(kinds) > 1:
        run.checks.append(f"granting targets differ in their findings: {dict(kinds)}")
    if kinds:
        only = next(iter(kinds))
        run.rules = "+".join(only)
        if run.findings != len(granting) * len(only):
            run.checks.append(f"{run.findings} findings, expected {len(granting) * len(only)}")


def process_cpu(pid: int) -> float:
    import psutil

    times = psutil.Process(pid).cpu_times()
    return times.user + times.system + times.children_user + times.children_system


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def worker_import() -> int:
    import corsproof.probe  # noqa: F401
    import corsproof.scale._work  # noqa: F401

    return os.getpid()


def worker_profiling() -> bool:
    import dask

    return bool(dask.config.get("distributed.worker.profile.enabled"))


def worker_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def worker_maxrss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def one_mode(
    mode: str,
    args: argparse.Namespace,
    work: Path,
    targets_file: Path,
    urls: list[str],
    server_pid: int,
    counts: Any,
) -> Run:
    import psutil

    run = Run(mode, len(urls))
    out = work / f"{mode}.jsonl"
    cmd = [
        sys.executable, "-m", "corsproof", "probe", "--targets", str(targets_file),
        "--format", "jsonl", "-o", str(out), "--no-progress",
        "--timeout", str(args.timeout), "--concurrency", str(args.concurrency),
        "--per-host", str(args.per_host), "--max-requests", str(args.max_requests),
    ]  # fmt: skip
    cluster = client = None
    worker_procs: list[Any] = []
    try:
        if mode != "local":
            from distributed import Client, LocalCluster

            n = int(mode.removeprefix("cluster"))
            if not args.worker_profile:
                import dask

                # Dask's statistical profiler: a stack sample of the task thread every 10 ms,
                # one tree per second kept for the last 1000 s (distributed.admin.
                # low-level-log-length): CPU, and worker memory growing for 1000 s of work
                dask.config.set({"distributed.worker.profile.enabled": False})
            cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=args.threads,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.CRITICAL,  # teardown noise (heartbeats to a closed scheduler)
            )
            client = Client(cluster)
            client.wait_for_workers(n)
            pids = client.run(worker_import)  # warm: corsproof imported in every worker
            profiling = set(client.run(worker_profiling).values())
            assert profiling == {args.worker_profile}, profiling
            worker_procs = [psutil.Process(pid) for pid in pids.values()]
            cmd += ["--cluster", cluster.scheduler_address]
            cpu_before = client.run(worker_cpu)
        requests0, connections0 = counts[0], counts[1]
        server0, self0 = process_cpu(server_pid), self_cpu()
        run_corsproof(cmd, out, len(urls), run, worker_procs, args.deadline)
        run.requests = counts[0] - requests0
        run.connections = counts[1] - connections0
        run.cpu["servers"] = process_cpu(server_pid) - server0
        run.cpu["this process"] = self_cpu() - self0
        if client is not None:
            cpu_after = client.run(worker_cpu)
            run.cpu["workers"] = sum(cpu_after[k] - cpu_before[k] for k in cpu_after)
            run.workers_peak = list(client.run(worker_maxrss).values())
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    run.output_bytes = out.stat().st_size
    check_output(out, urls, args.grant_every, run)
    if not args.keep:
        out.unlink(missing_ok=True)
    return run


# ----------------------------------------------------------------------------------- reporting


def fmt_mib(value: float) -> str:
    return f"{value:.1f}"


def report(runs: list[Run], args: argparse.Namespace) -> None:
    print()
    header = (
        "| mode | targets | s | targets/s | requests | req/s | req/target | connections "
        "| client RSS 10% / 50% / 100% (MiB) | client peak sampled / ru_maxrss (MiB) "
        "| workers RSS 10% / 50% / 100% (MiB) | workers peak ru_maxrss (MiB) | findings "
        "| output MiB |"
    )
    print(header)
    print("|" + " --- |" * (header.count("|") - 1))
    for r in runs:
        client_at = " / ".join(fmt_mib(mib(r.client_at[p])) for p in (10, 50, 100))
        if r.workers_peak:
            workers_at = " / ".join(
                "+".join(fmt_mib(mib(v)) for v in r.workers_at[p]) for p in (10, 50, 100)
            )
            workers_peak = "+".join(fmt_mib(mib(v, "KiB")) for v in r.workers_peak)
        else:
            workers_at = workers_peak = "-"
        print(
            f"| {r.mode} | {r.targets:,} | {r.seconds:.1f} | {r.targets / r.seconds:,.0f} "
            f"| {r.requests:,} | {r.requests / r.seconds:,.0f} | {r.requests / r.targets:.2f} "
            f"| {r.connections:,} | {client_at} "
            f"| {fmt_mib(mib(r.client_peak_sampled))} / {fmt_mib(mib(r.client_maxrss, 'KiB'))} "
            f"| {workers_at} | {workers_peak} | {r.findings:,} ({r.rules}) "
            f"| {mib(r.output_bytes):.1f} |"
        )
    print()
    print("CPU seconds during each run (client = the corsproof process; this process = the")
    print("LocalCluster scheduler, the memory sampling and the done-line counting):")
    print()
    print("| mode | s | client | servers | workers | this process | sum | sum / (2 cores x s) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in runs:
        total = sum(r.cpu.values())
        cores = os.cpu_count() or 1
        print(
            f"| {r.mode} | {r.seconds:.1f} | {r.cpu.get('client', 0):.1f} "
            f"| {r.cpu.get('servers', 0):.1f} | {r.cpu.get('workers', 0):.1f} "
            f"| {r.cpu.get('this process', 0):.1f} | {total:.1f} "
            f"| {total / (cores * r.seconds):.2f} |"
        )
    print()
    for r in runs:
        for percent, fraction in r.late.items():
            print(
                f"{r.mode}: the {percent}% memory figures are the client's last sample alive, "
                f"at {fraction:.1%} of the targets done"
            )
    for r in runs:
        verdict = "all checks passed" if not r.checks else "FAILED: " + "; ".join(r.checks)
        print(f"{r.mode}: exit {r.exit_code}; {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, default=20000, help="targets (20000)")
    parser.add_argument("--servers", type=int, default=8, help="loopback servers (8)")
    parser.add_argument(
        "--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)} (all)"
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (1)")
    parser.add_argument(
        "--no-worker-profile",
        dest="worker_profile",
        action="store_false",
        help="turn off Dask's statistical profiler in the workers (on by default, as in Dask)",
    )
    parser.add_argument("--grant-every", type=int, default=10, help="1 path in N grants (10)")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--per-host", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=10)
    parser.add_argument("--max-requests", type=int, default=1_000_000_000)
    parser.add_argument("--deadline", type=float, default=3600, help="seconds per mode (3600)")
    parser.add_argument("--keep", action="store_true", help="keep the JSON Lines outputs")
    args = parser.parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        parser.error(f"unknown mode(s): {', '.join(unknown)}")

    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}  {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.system()} {platform.machine()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"{args.targets:,} targets over {args.servers} servers, 1 in {args.grant_every} granting; "
        f"--concurrency {args.concurrency} --per-host {args.per_host} --timeout {args.timeout:g}"
        f" --max-requests {args.max_requests}; cluster workers: threads_per_worker="
        f"{args.threads}, processes=True, Dask's worker profiler "
        f"{'on' if args.worker_profile else 'off'}"
    )
    ctx = multiprocessing.get_context("spawn")
    counts = ctx.RawArray("q", 2)  # requests, connections: one writer (the server process)
    receive, send = ctx.Pipe(duplex=False)
    server = ctx.Process(
        target=serve, args=(args.servers, args.grant_every, counts, send), daemon=True
    )
    server.start()
    runs: list[Run] = []
    try:
        if not receive.poll(30):
            raise SystemExit("the servers did not start")
        ports = receive.recv()
        urls = [f"http://127.0.0.1:{ports[i % len(ports)]}/t/{i}" for i in range(args.targets)]
        with tempfile.TemporaryDirectory(prefix="scale-probe-") as tmp:
            work = Path(tempfile.mkdtemp(prefix="scale-probe-")) if args.keep else Path(tmp)
            targets_file = work / "targets.txt"
            targets_file.write_text("".join(u + "\n" for u in urls))
            for mode in modes:
                load = os.getloadavg()[0]
                run = one_mode(mode, args, work, targets_file, urls, server.pid, counts)
                runs.append(run)
                print(
                    f"{mode}: {run.seconds:.1f} s, {run.requests:,} requests, "
                    f"load {load:.2f} -> {os.getloadavg()[0]:.2f}, "
                    f"{'ok' if not run.checks else 'CHECKS FAILED'}",
                    flush=True,
                )
                if args.keep:
                    print(f"  output kept: {work / (mode + '.jsonl')}")
    finally:
        server.terminate()
        server.join(5)
    report(runs, args)
    return 1 if any(r.checks for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
