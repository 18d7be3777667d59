"""Scan speed and memory of `corsproof scan` on a large corpus of real Python code.

    python benchmarks/scan_corpus.py [--corpus DIR] [--runs N]

The corpus is built once (pip, no dependencies, pinned versions) under benchmarks/corpus/, which is
git-ignored: ~3,800 files, ~58 MB, ~1.65 M lines of Django, Flask, FastAPI, Starlette, SQLAlchemy,
boto3/botocore, numpy, pandas and friends. Then, in the same run:

(a) parse-all: the time to read and `ast.parse` every .py file once, in this process (best of N);
(b) corsproof: the wall time of `python -m corsproof scan CORPUS --include-deps --format json` as a
    subprocess (best of N), its peak memory, and the same on half of the corpus, to show memory
    does not grow with the number of files.

Target: corsproof <= 0.25 x parse-all. Exit status 1 when the target is missed.

Memory is reported two ways, with no extra dependency: the peak of the summed RSS of the process
tree (corsproof and its workers), sampled every 10 ms from /proc (psutil when installed); and the
largest single process (`getrusage(RUSAGE_CHILDREN).ru_maxrss`, taken in a fresh wrapper process so
that nothing else run here counts). The tree sum counts twice the pages that forked workers share
with their parent, so it is an upper bound.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE / "corpus"
# pinned so that figures can be compared between runs; numpy/pandas are binary wheels for the
# running interpreter, which changes nothing in their .py files count
PACKAGES = [
    "django==5.2.19",
    "flask==3.1.3",
    "flask-cors==6.0.5",
    "django-cors-headers==4.9.0",
    "fastapi==0.165.0",
    "starlette==1.10.0",
    "sqlalchemy==2.1.9",
    "requests==2.34.2",
    "boto3==1.44.5",
    "botocore==1.44.5",
    "numpy==2.4.6",
    "pandas==3.1.1",
    "werkzeug==3.1.9",
    "jinja2==3.1.6",
    "pydantic==2.14.3",
    "urllib3==2.8.0",
    "click==8.5.1",
    "setuptools==84.2.1",
]
TARGET = 0.25


# ------------------------------------------------------------------------------------ corpus


def build_corpus(corpus: Path) -> None:
    stamp = corpus / ".corpus-packages"
    wanted = "\n".join(PACKAGES) + "\n"
    if stamp.is_file() and stamp.read_text() == wanted:
        return
    print(f"building the corpus in {corpus} (pip install --target, no dependencies)…", flush=True)
    corpus.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    command += ["--no-deps", "--upgrade", "--target", str(corpus), *PACKAGES]
    subprocess.run(command, check=True)
    stamp.write_text(wanted)


def python_files(top: Path) -> list[Path]:
    found = []
    for directory, dirs, files in os.walk(top):
        dirs.sort()
        found.extend(Path(directory, name) for name in sorted(files) if name.endswith(".py"))
    return found


def corpus_size(files: list[Path]) -> tuple[int, int]:
    size = lines = 0
    for path in files:
        data = path.read_bytes()
        size += len(data)
        lines += data.count(b"\n")
    return size, lines


def half_of(corpus: Path, files: list[Path]) -> list[Path]:
    """Top-level packages of the corpus holding about half of its .py files (largest first)."""
    counts: dict[Path, int] = {}
    for path in files:
        top = corpus / path.relative_to(corpus).parts[0]
        counts[top] = counts.get(top, 0) + 1
    chosen: list[Path] = []
    total = 0
    for top in sorted(counts, key=lambda t: (-counts[t], t)):
        if total + counts[top] <= len(files) * 0.55:
            chosen.append(top)
            total += counts[top]
    return sorted(chosen)


# ------------------------------------------------------------------------------ measurements


def parse_all(files: list[Path]) -> tuple[float, float, int]:
    """(wall time, CPU time, files that failed to parse)"""
    started = time.perf_counter()
    cpu = time.process_time()
    failed = 0
    for path in files:
        with open(path, "rb") as handle:
            data = handle.read()
        try:
            ast.parse(data, filename=str(path))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            failed += 1
    return time.perf_counter() - started, time.process_time() - cpu, failed


def _children_of(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.append(int(entry))
    return kids


def _tree_rss(pid: int) -> int:
    try:
        import psutil  # type: ignore[import-not-found]
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            process = psutil.Process(pid)
            tree = [process, *process.children(recursive=True)]
            return sum(p.memory_info().rss for p in tree if p.is_running())
        except psutil.Error:
            return 0
    total = 0
    todo = [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * page
        except OSError:
            continue
        todo.extend(_children_of(current))
    return total


def compile_corsproof() -> None:
    """Byte-compile corsproof's own modules, as `pip install` does: a scan then starts the way an
    installed corsproof does. (Where PYTHONDONTWRITEBYTECODE is set, as on some CI machines, an
    editable install would otherwise compile its ~50 modules from source at every start: 0.2 s
    of a 1.3 s scan.)"""
    import compileall

    import corsproof

    compileall.compile_dir(Path(corsproof.__file__).parent, quiet=1)


WRAPPER = """
import resource, subprocess, sys, time
started = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
elapsed = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.buffer.write(proc.stderr)
sys.stdout.buffer.write(proc.stdout)
print("\\n@@", elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode)
"""


def run_scan(paths: list[Path], sample: bool) -> dict[str, Any]:
    """One scan: wall and CPU time (corsproof and its workers), largest process RSS, the report's
    stats, and when `sample`, the peak RSS of the process tree (sampling costs CPU: the timed
    runs do not sample)."""
    command = [sys.executable, "-m", "corsproof", "scan", *map(str, paths)]
    command += ["--include-deps", "--format", "json"]
    wrapper = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    peak = 0
    stop = threading.Event()

    def sampling() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(wrapper.pid) - _own_rss(wrapper.pid))
            stop.wait(0.01)

    sampler = threading.Thread(target=sampling, daemon=True)
    if sample and Path("/proc").is_dir():
        sampler.start()
    out, err = wrapper.communicate()
    stop.set()
    if sampler.is_alive():
        sampler.join()
    report, _, tail = out.decode().rpartition("\n@@ ")
    elapsed, cpu, maxrss, code = tail.split()
    if int(code) not in (0, 1):
        raise SystemExit(f"corsproof failed ({code}):\n{err.decode()}")
    document = json.loads(report)
    return {
        "wall": float(elapsed),
        "cpu": float(cpu),
        "tree_rss": peak,
        "max_rss": int(maxrss) * 1024,
        "stats": document["stats"],
        "errors": len(document["errors"]),
        "findings": len(document["findings"]),
    }


def _own_rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def parsed_by_corsproof(files: list[Path]) -> int:
    from corsproof.static.adapters import all_adapters

    adapters = all_adapters()
    return sum(1 for f in files if any(a.prefilter.search(f.read_bytes()) for a in adapters))


def mib(n: float) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"


def load() -> str:
    try:
        return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    compile_corsproof()
    corpus: Path = args.corpus.resolve()
    if corpus == DEFAULT_CORPUS.resolve():
        build_corpus(corpus)
    elif not corpus.is_dir():
        raise SystemExit(f"no such corpus directory: {corpus}")
    runs = max(1, args.runs)

    files = python_files(corpus)
    size, lines = corpus_size(files)
    cpus = os.cpu_count()
    print(
        f"machine: {platform.machine()}, {cpus} cores, Python {platform.python_version()}; {load()}"
    )
    print(f"corpus: {corpus}")
    print(f"corpus: {len(files):,} .py files, {size / 1e6:.1f} MB, {lines:,} lines")
    print(f"files whose bytes match an adapter prefilter (parsed): {parsed_by_corsproof(files)}")

    parses = [parse_all(files) for _ in range(runs)]
    parse_best = min(parses)
    failed = parse_best[2]
    walls = ", ".join(f"{p[0]:.2f}" for p in parses)
    print(f"(a) read + ast.parse of every file, one process: best {parse_best[0]:.2f} s "
          f"(of {walls}), CPU {parse_best[1]:.2f} s; {failed} failed to parse")  # fmt: skip

    scans = [run_scan([corpus], sample=False) for _ in range(runs)]
    best = min(scans, key=lambda s: s["wall"])
    walls = ", ".join(f"{s['wall']:.2f}" for s in scans)
    print(f"(b) corsproof scan --include-deps: best {best['wall']:.2f} s (of {walls}), "
          f"CPU {best['cpu']:.2f} s; {best['stats']['files_scanned']} files scanned, "
          f"{best['errors']} errors, {best['findings']} findings")  # fmt: skip
    whole = run_scan([corpus], sample=True)
    whole_max = max(s["max_rss"] for s in [*scans, whole])
    print(f"    peak memory, whole corpus: process tree {mib(whole['tree_rss'])}, "
          f"largest process {mib(whole_max)}")  # fmt: skip

    half = half_of(corpus, files)
    in_half = [f for f in files if any(h in f.parents for h in half)]
    half_size, _ = corpus_size(in_half)
    half_scan = run_scan(half, sample=True)
    print(f"    peak memory, half the corpus ({len(in_half):,} files, {half_size / 1e6:.1f} MB: "
          f"{', '.join(h.name for h in half)}): process tree {mib(half_scan['tree_rss'])}, "
          f"largest process {mib(half_scan['max_rss'])}")  # fmt: skip

    ratio = best["wall"] / parse_best[0]
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"ratio corsproof / parse-all, wall time: {ratio:.3f} ({verdict} the target <= {TARGET}); "
          f"CPU time: {best['cpu'] / parse_best[1]:.3f}")  # fmt: skip
    print(f"memory whole / half corpus: process tree {whole['tree_rss'] / half_scan['tree_rss']:.2f}, "
          f"largest process {whole_max / half_scan['max_rss']:.2f}")  # fmt: skip
    print(f"done; {load()}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
