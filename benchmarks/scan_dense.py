"""The worst case of `corsproof scan`: every file of the corpus parsed and given to every adapter.

    python benchmarks/scan_dense.py [--runs N] [--corpus DIR] [--only dense|normal] [--verify]
    python benchmarks/scan_dense.py --profile [--subset PKG,PKG,...]

The dense corpus is a copy of the corpus of `scan_corpus.py` (built first when missing) in which
every `.py`/`.pyw` file ends with one more line, the comment `DENSE_COMMENT`: a word for each
adapter's prefilter, so that no file is skipped by the byte prefilter: every file is parsed and
given to every adapter (which then rules out, from the module's node index and imports, what
cannot be its library's: a word in a comment is no call). It is built once under `benchmarks/corpus-dense/tree/` (other files are hard links to
the corpus); `benchmarks/corpus-dense/.gitignore` (`*`) keeps it out of git, and since corsproof
reads `.gitignore` files only from the scanned directory down, the scan of `tree/` does not see it.

The comment must change no finding: it names no authentication word (`corsproof.auth`), no
suppression, and none of the words some adapters look for in the source text besides the tree
(`cherrypy_cors`, `cors.`, `corsheaders`). At build time (and with `--verify`) the script checks,
with corsproof's own code, that every file of the dense corpus matches every adapter's prefilter
(`prefilter.Prefilter.matching`) and has the same authentication facts as the original, and that a scan of the
dense corpus gives the same policies, findings, errors and counts as a scan of the original in
which every adapter is forced on every file, both on the corpus (which has no CORS configuration)
and on a dense copy of tests/fixtures (hundreds of policies and findings). The prefilter check runs
every time; the scans again only for another corsproof or set of prefilters, or with `--verify`.

Then, for the normal and the dense corpus, in the same run:

- parse-all: read + `ast.parse` of every `.py` file in this process (best of N); trees are not
  kept, and the start-up objects are frozen (`gc.freeze()`) so that the cyclic collector does not
  walk them again at every full collection;
- corsproof: wall time of `python -m corsproof scan DIR --include-deps --format json` (default
  parallelism, best of N), and the peak memory of one more run (summed RSS of the process tree and
  largest process, as in `scan_corpus.py`);
- the ratio corsproof / parse-all (best / best, and run by run), and how many files the prefilter
  sends to the parser.

corsproof's own modules are byte-compiled first (`scan_corpus.compile_corsproof`), as `pip install`
does: with PYTHONDONTWRITEBYTECODE set (as on this machine), an editable install compiles them
from source at every start. The parse-all and scan runs take turns (parse, scan, parse, scan,
…): on a shared machine the same work has taken from 9 to 15 s within an hour, and a slow spell
then hits both sides.

Targets: dense ratio <= 1.0 and dense peak (process tree) < 200 MB; normal ratio <= 0.13.
Exit status 1 when a target is missed.

`--profile` runs the dense scan of a subset (~500 files) in one process (`workers=1`) under
cProfile and prints the top functions and the callers of `ast.walk`; then times the same scan in
fresh processes (peak RSS from VmHWM) with the collector as is, frozen after start-up, disabled
around each `ast.parse` (corsproof's `parse_source` wrapped from outside), with a gen-0 threshold
of 50,000, disabled for the whole scan, and with the per-worker module cache off (`CACHE_BYTES =
0`). `--subset ALL` profiles the whole dense corpus.
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import gc
import hashlib
import io
import json
import multiprocessing
import os
import platform
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from scan_corpus import (
    DEFAULT_CORPUS,
    HERE,
    build_corpus,
    compile_corsproof,
    corpus_size,
    load,
    mib,
    parse_all,
    python_files,
    run_scan,
)

# one word per adapter prefilter (src/corsproof/static/adapters/*.py, `prefilter`):
# aiohttp_cors, cherrypy, django-cors-headers (CORS_), litestar (CORSConfig), falcon and starlette
# (CORSMiddleware), flask_cors, quart_cors, sanic_cors, hand-written headers (access-control-),
# django-cors-headers' check_request_enabled signal (adapter added with the semantic model)
DENSE_COMMENT = (
    b"# aiohttp_cors cherrypy CORS_ CORSConfig CORSMiddleware flask_cors quart_cors sanic_cors"
    b" access-control- check_request_enabled"
)
DEFAULT_DENSE = HERE / "corpus-dense"
FIXTURES = HERE.parent / "tests" / "fixtures"
BUILD_VERSION = "1"
TARGET_DENSE_RATIO = 1.0
TARGET_DENSE_PEAK = 200 * 1000 * 1000  # bytes (200 MB = 190.7 MiB)
TARGET_NORMAL_RATIO = 0.13
# the profiled subset: whole packages (so that imports resolve as in the full scan), ~500 files
# of about the corpus's mean file size
PROFILE_SUBSET = (
    "boto3,botocore,click,corsheaders,fastapi,flask,flask_cors,jinja2,pydantic,requests,starlette,"
    "urllib3,werkzeug"
)


# ------------------------------------------------------------------------------ dense corpus


def is_python(name: str) -> bool:
    return name.endswith((".py", ".pyw"))


def densify(data: bytes) -> bytes:
    """The file with the comment line appended (after a line end of its own if it has none)."""
    if data and not data.endswith((b"\n", b"\r")):
        data += b"\n"
    return data + DENSE_COMMENT + b"\n"


def fingerprint(corpus: Path) -> str:
    """Changes when a file of the corpus is added, removed or rewritten (name, size, mtime)."""
    digest = hashlib.sha256(f"{BUILD_VERSION}\n{corpus}\n".encode() + DENSE_COMMENT)
    for directory, dirs, files in os.walk(corpus):
        dirs.sort()
        for name in sorted(files):
            st = os.lstat(os.path.join(directory, name))
            rel = os.path.relpath(os.path.join(directory, name), corpus)
            digest.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _copy(source: str, target: str) -> None:
    if is_python(source):
        with open(source, "rb") as handle:
            data = handle.read()
        with open(target, "wb") as handle:  # a new file: the original is never opened to write
            handle.write(densify(data))
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def build_dense(corpus: Path, dense: Path) -> Path:
    """The dense tree, built when missing or stale."""
    tree = dense / "tree"
    stamp = dense / ".dense-stamp"
    wanted = fingerprint(corpus)
    if stamp.is_file() and stamp.read_text() == wanted and tree.is_dir():
        return tree
    print(f"building the dense corpus in {tree}…", flush=True)
    dense.mkdir(parents=True, exist_ok=True)
    (dense / ".gitignore").write_text("# built by benchmarks/scan_dense.py\n*\n")
    stamp.unlink(missing_ok=True)
    if tree.exists():
        shutil.rmtree(tree)
    shutil.copytree(
        corpus,
        tree,
        symlinks=True,
        copy_function=_copy,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    stamp.write_text(wanted)
    return tree


def checks(corpus: Path, tree: Path, verify: bool) -> dict[str, Any]:
    """The prefilter check (a few seconds: every run), and the findings check (two full scans:
    again only for another corpus, corsproof source tree or set of prefilters, or `verify`)."""
    import corsproof
    from corsproof.static.adapters import all_adapters

    key = {
        "version": 2,
        "tree": (tree.parent / ".dense-stamp").read_text(),
        "corsproof": str(Path(corsproof.__file__).parent),
        "prefilters": sorted(f"{a.__name__}: {a.prefilter.pattern!r}" for a in all_adapters()),
    }
    cache = tree.parent / ".dense-checks.json"
    saved = json.loads(cache.read_text()) if cache.is_file() else {}
    state = {"prefilter": check_prefilters(corpus, tree)}
    if not verify and saved.get("key") == key:
        state["findings"] = saved["findings"]
    else:
        state["findings"] = check_findings(corpus, tree)
        cache.write_text(json.dumps({"key": key, "findings": state["findings"]}, indent=1) + "\n")
    return state


def check_prefilters(corpus: Path, tree: Path) -> dict[str, Any]:
    """With the engine's own prefilter: the adapters each dense file matches, and whether its
    authentication facts are those of the original."""
    from corsproof.auth import auth_facts
    from corsproof.static.adapters import all_adapters
    from corsproof.static.prefilter import Prefilter

    adapters = all_adapters()
    _matching = Prefilter(adapters).matching
    files = _sources(tree)
    counts = {"files": len(files), "all": 0, "any": 0, "same_auth": 0}
    missing: dict[str, int] = {}
    for path in files:
        dense_data = path.read_bytes()
        original = (corpus / path.relative_to(tree)).read_bytes()
        matched = _matching(dense_data)
        counts["all"] += len(matched) == len(adapters)
        counts["any"] += bool(matched)
        counts["same_auth"] += auth_facts(dense_data) == auth_facts(original)
        for adapter in adapters:
            if adapter not in matched:
                missing[adapter.__name__] = missing.get(adapter.__name__, 0) + 1
    counts["adapters"] = len(adapters)
    counts["missing"] = missing
    return counts


def _sources(top: Path) -> list[Path]:
    found = []
    for directory, dirs, files in os.walk(top):
        dirs.sort()
        found.extend(Path(directory, name) for name in sorted(files) if is_python(name))
    return found


def _scan_document(top: Path, *, every_adapter: bool) -> dict[str, Any]:
    """Findings, errors and counts of an in-process scan of `top` (displayed relative to it, so
    that two trees compare), optionally with every adapter forced on every file (the pool's
    workers are forked and inherit the patch)."""
    from corsproof.static import engine
    from corsproof.static.adapters import all_adapters
    from corsproof.static.prefilter import Prefilter

    original, judge = Prefilter.matching, engine.judge_policies
    if every_adapter:
        adapters = all_adapters()
        Prefilter.matching = lambda self, data, lowered=None: list(adapters)  # type: ignore[method-assign]
    policies: list[str] = []
    root = str(top.resolve())

    def judging(pairs: Any, **options: Any) -> Any:
        pairs = list(pairs)
        policies.extend(repr(policy).replace(root, "<root>") for policy, _ in pairs)
        return judge(pairs, **options)

    engine.judge_policies = judging
    here = os.getcwd()
    try:
        os.chdir(top)
        # workers started otherwise than by fork would not see the patch: then one process
        forked = multiprocessing.get_start_method() == "fork"
        result = engine.scan_paths(["."], include_deps=True, workers=None if forked else 1)
    finally:
        os.chdir(here)
        Prefilter.matching, engine.judge_policies = original, judge  # type: ignore[method-assign]
    return {
        "policies": sorted(policies),
        "findings": sorted(json.dumps(f.to_json(), sort_keys=True) for f in result.findings),
        "errors": sorted(json.dumps(e.to_json(), sort_keys=True) for e in result.errors),
        "files_scanned": result.analysed,
        "files_skipped": result.skipped,
        "suppressed": result.suppressed,
        "seconds": result.duration_s,
    }


def compare(original: Path, dense: Path) -> dict[str, Any]:
    """A scan of `dense` against a scan of `original` with every adapter forced on every file."""
    forced = _scan_document(original, every_adapter=True)
    densified = _scan_document(dense, every_adapter=False)
    differences: dict[str, Any] = {
        key: {
            "only_original": sorted(set(forced[key]) - set(densified[key]))[:5],
            "only_dense": sorted(set(densified[key]) - set(forced[key]))[:5],
        }
        for key in ("policies", "findings", "errors")
        if forced[key] != densified[key]
    }
    for key in ("files_scanned", "files_skipped", "suppressed"):
        if forced[key] != densified[key]:
            differences[key] = {"original": forced[key], "dense": densified[key]}
    return {
        "same": not differences,
        "policies": len(densified["policies"]),
        "findings": len(densified["findings"]),
        "errors": len(densified["errors"]),
        "files": densified["files_scanned"],
        "seconds": [forced["seconds"], densified["seconds"]],
        "differences": differences,
    }


def check_findings(corpus: Path, tree: Path) -> dict[str, Any]:
    """`compare` on the corpus (it has no CORS configuration: policies and findings are few or
    none) and on a dense copy of the test fixtures (hundreds of policies and findings)."""
    print("checking that the comment changes no finding (four in-process scans)…", flush=True)
    checked = {"corpus": compare(corpus, tree)}
    if FIXTURES.is_dir():
        with tempfile.TemporaryDirectory() as scratch:
            dense = Path(scratch, "fixtures")
            shutil.copytree(FIXTURES, dense, symlinks=True, copy_function=_copy)
            checked["fixtures"] = compare(FIXTURES, dense)
    return checked


def report_checks(state: dict[str, Any]) -> bool:
    pre = state["prefilter"]
    print(f"dense comment ({len(DENSE_COMMENT)} bytes): {DENSE_COMMENT.decode()}")
    print(f"  {pre['all']:,} of {pre['files']:,} dense files match all {pre['adapters']} adapters' "
          f"prefilters, {pre['any']:,} match at least one; same authentication facts as the "
          f"original: {pre['same_auth']:,}")  # fmt: skip
    if pre["missing"]:
        print(f"  files not matched, by adapter: {pre['missing']}")
    ok = pre["all"] == pre["files"] == pre["same_auth"]
    for where, same in state["findings"].items():
        verdict = "same" if same["same"] else "DIFFERENT"
        ok &= same["same"]
        print(f"  {where}: dense scan vs original scan with every adapter forced: {verdict} "
              f"policies ({same['policies']}), findings ({same['findings']}), errors "
              f"({same['errors']}) and counts ({same['files']} files); in-process scans "
              f"{same['seconds'][0]:.1f} s and {same['seconds'][1]:.1f} s")  # fmt: skip
        if not same["same"]:
            print(f"  differences: {json.dumps(same['differences'], indent=1)}")
    return ok


# ------------------------------------------------------------------------------ measurements


def prefiltered(files: list[Path]) -> int:
    """Files the engine would parse (some adapter prefilter matches their bytes)."""
    from corsproof.static.adapters import all_adapters
    from corsproof.static.prefilter import Prefilter

    matching = Prefilter(all_adapters()).matching
    return sum(1 for path in files if matching(path.read_bytes()))


def parse_once(files: list[Path]) -> tuple[float, float, int]:
    """One parse-all: wall and CPU time, parse failures; the start-up objects frozen."""
    gc.collect()
    gc.freeze()
    try:
        return parse_all(files)
    finally:
        gc.unfreeze()


def measure(label: str, top: Path, runs: int) -> dict[str, Any]:
    files = python_files(top)
    size, lines = corpus_size(files)
    parsed = prefiltered(files)
    print(f"\n[{label}] {top}: {len(files):,} .py files, {size / 1e6:.1f} MB, {lines:,} lines; "
          f"parsed (an adapter prefilter matches): {parsed:,}, skipped after the byte "
          f"prefilter: {len(files) - parsed:,}; {load()}", flush=True)  # fmt: skip
    # parse-all and the scan take turns, so that a slow minute of a shared machine slows both
    parses: list[tuple[float, float, int]] = []
    scans: list[dict[str, Any]] = []
    for _ in range(runs):
        parses.append(parse_once(files))
        scans.append(run_scan([top], sample=False))
    walls = [p[0] for p in parses]
    parse, cpu, failed = min(parses)
    print(f"  parse-all (gc.freeze, trees not kept): best {parse:.2f} s "
          f"(of {', '.join(f'{w:.2f}' for w in walls)}), CPU {cpu:.2f} s; "
          f"{failed} failed to parse", flush=True)  # fmt: skip
    best = min(scans, key=lambda s: s["wall"])
    scan_walls = ", ".join(f"{s['wall']:.2f}" for s in scans)
    print(f"  corsproof scan: best {best['wall']:.2f} s (of {scan_walls}), CPU {best['cpu']:.2f} s; "
          f"{best['stats']['files_scanned']:,} files scanned, {best['errors']} errors, "
          f"{best['findings']} findings", flush=True)  # fmt: skip
    sampled = run_scan([top], sample=True)
    largest = max(s["max_rss"] for s in [*scans, sampled])
    ratio = best["wall"] / parse
    turns = ", ".join(f"{s['wall'] / p[0]:.2f}" for p, s in zip(parses, scans, strict=True))
    print(f"  peak memory: process tree {mib(sampled['tree_rss'])}, largest process "
          f"{mib(largest)}; ratio scan / parse-all: {ratio:.3f} (CPU "
          f"{best['cpu'] / cpu:.3f}; turn by turn: {turns})", flush=True)  # fmt: skip
    return {"ratio": ratio, "tree_rss": sampled["tree_rss"], "parse": parse, "scan": best["wall"]}


def verdicts(results: dict[str, dict[str, Any]]) -> bool:
    ok = True
    print()
    if "normal" in results:
        ratio = results["normal"]["ratio"]
        good = ratio <= TARGET_NORMAL_RATIO
        ok &= good
        print(f"normal: ratio {ratio:.3f} {'meets' if good else 'MISSES'} the target "
              f"<= {TARGET_NORMAL_RATIO}")  # fmt: skip
    if "dense" in results:
        ratio, peak = results["dense"]["ratio"], results["dense"]["tree_rss"]
        good = ratio <= TARGET_DENSE_RATIO
        ok &= good
        print(f"dense: ratio {ratio:.3f} {'meets' if good else 'MISSES'} the target "
              f"<= {TARGET_DENSE_RATIO}")  # fmt: skip
        good = peak < TARGET_DENSE_PEAK
        ok &= good
        print(f"dense: peak {peak / 1e6:.1f} MB ({mib(peak)}) {'meets' if good else 'MISSES'} "
              f"the target < {TARGET_DENSE_PEAK / 1e6:.0f} MB")  # fmt: skip
    return ok


# ------------------------------------------------------------------------------ profile

# one in-process scan (workers=1) with the cyclic collector as is or changed from outside corsproof
GC_VARIANT = """
import gc, json, sys, time
from corsproof.static import _module, engine
variant, paths = sys.argv[1], sys.argv[2:]
if variant == "freeze":
    gc.collect()
    gc.freeze()
elif variant == "no-gc-in-parse":
    original = _module.parse_source
    def parse_source(source, filename):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return original(source, filename)
        finally:
            if enabled:
                gc.enable()
    _module.parse_source = engine.parse_source = parse_source
elif variant == "threshold-50k":
    gc.set_threshold(50_000, 10, 10)
elif variant == "no-gc":
    gc.disable()
elif variant == "no-cache":
    _module.CACHE_BYTES = 0
started = time.perf_counter()
result = engine.scan_paths(paths, include_deps=True, workers=1)
wall = time.perf_counter() - started
# VmHWM, not getrusage: Linux carries the parent's peak over fork + exec into ru_maxrss
with open("/proc/self/status") as status:
    peak = next(int(l.split()[1]) * 1024 for l in status if l.startswith("VmHWM:"))
print(json.dumps({"wall": wall, "peak": peak, "files": result.analysed,
                  "collections": [s["collections"] for s in gc.get_stats()]}))
"""
VARIANTS = ("default", "freeze", "no-gc-in-parse", "threshold-50k", "no-gc", "no-cache")


def subset_root(tree: Path, subset: list[str]) -> Path:
    """One directory holding the chosen packages (hard links), so that the subset is one project
    as the whole corpus is (several scan roots would be several projects)."""
    if subset == ["ALL"]:
        return tree
    root = tree.parent / ("subset-" + hashlib.sha256(",".join(subset).encode()).hexdigest()[:12])
    stamp = root / ".subset-stamp"
    wanted = (tree.parent / ".dense-stamp").read_text()
    if stamp.is_file() and stamp.read_text() == wanted:
        return root
    if root.exists():
        shutil.rmtree(root)
    root.mkdir()
    for name in subset:
        shutil.copytree(tree / name, root / name, symlinks=True, copy_function=os.link)
    stamp.write_text(wanted)
    return root


def walk_callers(stats: pstats.Stats) -> list[tuple[str, int, float]]:
    """(caller, nodes yielded by `ast.walk` for it, cumulative seconds), largest first."""
    for (filename, _, name), value in stats.stats.items():  # type: ignore[attr-defined]
        if name == "walk" and filename.endswith("ast.py"):
            callers = value[4]
            rows = [
                (f"{Path(f).name}:{line}({caller})", counts[1], counts[3])
                for (f, line, caller), counts in callers.items()
            ]
            return sorted(rows, key=lambda row: -row[2])
    return []


def profile(tree: Path, subset: list[str], runs: int) -> None:
    from corsproof.static import engine

    root = subset_root(tree, subset)
    files = python_files(root)
    size, lines = corpus_size(files)
    nodes = 0
    for path in files:
        nodes += sum(1 for _ in ast.walk(ast.parse(path.read_bytes())))
    print(f"\nprofile: {root} ({', '.join(subset)}): {len(files)} .py files, {size / 1e6:.1f} MB, "
          f"{lines:,} lines, {nodes:,} AST nodes; {load()}")  # fmt: skip
    walls = [parse_once(files)[0] for _ in range(runs)]
    print(f"  parse-all of the subset (gc.freeze): best {min(walls):.2f} s", flush=True)
    profiler = cProfile.Profile()
    profiler.enable()
    engine.scan_paths([str(root)], include_deps=True, workers=1)
    profiler.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(order).print_stats(25)
        text = out.getvalue().replace(str(Path(engine.__file__).parents[2]) + os.sep, "")
        print(f"\n  top 25 by {order} (workers=1, under cProfile):")
        print(text[text.find("   ncalls") :].rstrip())
    rows = walk_callers(pstats.Stats(profiler))
    yielded = sum(row[1] for row in rows)
    print(f"\n  ast.walk: {yielded:,} nodes yielded = {yielded / nodes:.1f} walks of every tree; "
          f"by caller (nodes yielded, full-tree walks, cumulative s under cProfile):")  # fmt: skip
    for caller, count, seconds in rows[:16]:
        print(f"    {caller:<48} {count:>11,} {count / nodes:6.2f} {seconds:7.2f}")
    print(f"\n  in-process scan (workers=1), one fresh process per run, best of {runs}:",
          flush=True)  # fmt: skip
    results: dict[str, list[dict[str, Any]]] = {variant: [] for variant in VARIANTS}
    for _ in range(runs):  # variants interleaved, so that a busy minute hits them all
        for variant in VARIANTS:
            command = [sys.executable, "-c", GC_VARIANT, variant, str(root)]
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            results[variant].append(json.loads(out))
    for variant, data in results.items():
        best = min(data, key=lambda d: d["wall"])
        walls = ", ".join(f"{d['wall']:.2f}" for d in data)
        print(f"  {variant:>15}: best {best['wall']:.2f} s (of {walls}), peak RSS "
              f"{mib(max(d['peak'] for d in data))}, {best['files']} files, collections per "
              f"generation {best['collections']}")  # fmt: skip


# ------------------------------------------------------------------------------ main


def corsproof_source() -> str:
    """Where corsproof is imported from, and its git commit (+ local changes) when known."""
    import corsproof

    where = Path(corsproof.__file__).resolve().parent
    try:
        git = ["git", "--no-optional-locks", "-C", str(where)]
        commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()  # fmt: skip
        changed = subprocess.run([*git, "status", "--porcelain", "--", "."], capture_output=True,
                                 text=True, check=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return f"{where} (not a git work tree)"
    return f"{where} at {commit}{' with local changes' if changed else ''}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--dense", type=Path, help="where to build the dense copy "
                        "(default: benchmarks/corpus-dense, or DIR-dense next to --corpus DIR)")  # fmt: skip
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("dense", "normal"))
    parser.add_argument("--verify", action="store_true", help="check the dense corpus again")
    parser.add_argument("--profile", action="store_true", help="profile the dense scan of a subset")
    parser.add_argument("--subset", default=PROFILE_SUBSET,
                        help="top-level packages to profile, comma-separated, or ALL")  # fmt: skip
    args = parser.parse_args()
    compile_corsproof()
    corpus: Path = args.corpus.resolve()
    if corpus == DEFAULT_CORPUS.resolve():
        build_corpus(corpus)
        dense = args.dense or DEFAULT_DENSE
    elif not corpus.is_dir():
        raise SystemExit(f"no such corpus directory: {corpus}")
    else:
        dense = args.dense or corpus.with_name(corpus.name + "-dense")
    runs = max(1, args.runs)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; {load()}")  # fmt: skip
    print(f"corsproof: {corsproof_source()}")

    checked = True
    tree: Path | None = None
    if args.only != "normal" or args.profile:
        tree = build_dense(corpus, dense.resolve())
        checked = report_checks(checks(corpus, tree, args.verify))
    if args.profile:
        assert tree is not None
        profile(tree, args.subset.split(","), runs)
        return 0

    results: dict[str, dict[str, Any]] = {}
    if args.only != "dense":
        results["normal"] = measure("normal", corpus, runs)
    if tree is not None:
        results["dense"] = measure("dense", tree, runs)
    ok = verdicts(results) and checked
    print(f"done; {load()}")
    return 0 if ok else 1


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"({time.perf_counter() - started:.0f} s)")
    sys.exit(code)
