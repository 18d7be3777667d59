"""Async orchestration: targets streamed through a bounded set of workers, every request under a
global and a per-host concurrency limit, a per-host rate, a per-request time bound and the
run-wide `--max-requests` budget. Each target is judged as soon as it is done and then dropped, so
memory stays flat in the number of targets.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from corsproof.findings import FileError, Finding, ScanResult, Target, UnitDone
from corsproof.judge import judge_policies, rules_judged
from corsproof.probe._guard import AppFailure, one_line, stdout_to_stderr
from corsproof.probe._observe import DUMMY_COOKIE, Exchange, Observation, Probe, replay_command
from corsproof.probe._plan import Plan, TargetFailed, own_origin, simple_method
from corsproof.probe._targets import BadTarget
from corsproof.probe._transport import ProbeError, Transport

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_API_KEY_HEADER = re.compile(
    r"(?i)^(?:x[-_])?api[-_]?(?:key|token)$|^x[-_](?:auth|access)[-_](?:key|token)$"
    r"|^(?:x[-_])?(?:subscription|client)[-_]key$|^ocp-apim-subscription-key$"
)


@dataclass
class ProbeOptions:
    """What `corsproof probe` is told; every field has the command line's default."""

    origins: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    cookie: str | None = None
    cert: str | None = None
    key: str | None = None
    cacert: str | None = None
    insecure: bool = False
    timeout: float = 10.0
    concurrency: int = 32
    per_host: int = 8
    rate: float | None = None
    max_requests: int = 100_000
    allow_methods: frozenset[str] = SAFE_METHODS
    select: set[str] | None = None
    ignore: set[str] | None = None
    progress: Callable[[ProbeProgress], None] | None = None
    trust_env: bool = True
    # called as each target finishes, with its findings, its errors and its `done` record; the
    # result then keeps only counts (memory flat in the number of targets: --format jsonl)
    on_target: Callable[[list[Finding], list[FileError], UnitDone], None] | None = None

    def auth_context(self) -> frozenset[str]:
        """Severity context from the credentials the user supplied (RULES.md)."""
        facts: set[str] = set()
        for name, _value in self.headers:
            if name.strip().lower() in ("authorization", "proxy-authorization"):
                facts.add("authorization-header")
            elif _API_KEY_HEADER.match(name.strip()):
                facts.add("api-key")
        if self.cert:
            facts.add("mtls")
        return frozenset(facts)


@dataclass
class ProbeProgress:
    targets_done: int = 0
    requests: int = 0
    errors: int = 0
    findings: int = 0


@dataclass
class ProbeResult(ScanResult):
    """A `ScanResult` of probed targets (`analysed`, `skipped`); plus the requests sent."""

    requests_sent: int = 0
    unit: str = "target"


def target_label(target: Target | BadTarget) -> str:
    """A target as given (`METHOD URL` for a method other than GET): the path of its errors and
    the target of its `done` line, by which `--resume` knows it."""
    path = target.path if isinstance(target, BadTarget) else target.url
    if isinstance(target, Target) and target.method != "GET":
        path = f"{target.method} {path}"
    return path


class BudgetExhausted(Exception):
    pass


class _Budget:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def take(self) -> None:
        if self.used >= self.limit:
            raise BudgetExhausted
        self.used += 1


class _Host:
    def __init__(self, limit: int, rate: float | None) -> None:
        self.semaphore = asyncio.Semaphore(limit)
        self.interval = 1.0 / rate if rate else 0.0
        self.next_at = 0.0
        self.users = 0

    async def pace(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        at = max(now, self.next_at)
        self.next_at = at + self.interval
        if at > now:
            await asyncio.sleep(at - now)


class Engine:
    def __init__(self, options: ProbeOptions, transport: Transport) -> None:
        self.options = options
        self.transport = transport
        self.budget = _Budget(options.max_requests)
        self.requests = asyncio.Semaphore(max(1, options.concurrency))
        self.hosts: dict[str, _Host] = {}
        # when an idle host may be sent its next request (--rate); only future slots are kept
        self.pacing: dict[str, float] = {}
        self.auth = options.auth_context()
        self.result = ProbeResult(rules=rules_judged(options.select, options.ignore))
        self.progress = ProbeProgress()
        # the prober owns Origin; a Cookie given with -H is treated as --cookie
        self.user_headers = [
            (name, value)
            for name, value in options.headers
            if name.lower() not in ("origin", "cookie", "content-length")
        ]
        self.cookie = options.cookie or next(
            (value for name, value in options.headers if name.lower() == "cookie"), None
        )
        # what was reported already: two targets that redirect to one URL report its findings once
        self.reported: set[str] = set()

    # ------------------------------------------------------------------ one request
    def _headers(self, probe: Probe) -> list[tuple[str, str]]:
        headers: list[tuple[str, str]] = []
        if not probe.preflight:  # browsers send no credentials with a preflight
            headers += self.user_headers
            if probe.cookie == "user" and self.cookie:
                headers.append(("Cookie", self.cookie))
            elif probe.cookie == "dummy":
                headers.append(("Cookie", DUMMY_COOKIE))
        if probe.origin is not None:
            headers.append(("Origin", probe.origin))
        if probe.request_method:
            headers.append(("Access-Control-Request-Method", probe.request_method))
        if probe.request_headers:
            headers.append(("Access-Control-Request-Headers", probe.request_headers))
        if probe.private_network:
            headers.append(("Access-Control-Request-Private-Network", "true"))
        return headers

    async def send(self, probe: Probe, url: str) -> Exchange:
        if probe.method not in self.options.allow_methods and probe.method not in SAFE_METHODS:
            raise ProbeError(f"{probe.method} is not allowed (see --allow-method)")
        self.budget.take()
        self.progress.requests = self.budget.used
        key = urlsplit(url).netloc.lower()
        host = self.hosts.get(key)
        if host is None:
            host = self.hosts[key] = _Host(max(1, self.options.per_host), self.options.rate)
            host.next_at = self.pacing.pop(key, 0.0)
        host.users += 1
        try:
            async with host.semaphore:
                await host.pace()
                async with self.requests:
                    try:
                        async with asyncio.timeout(self.options.timeout):
                            reply = await self.transport.send(
                                probe.method, url, self._headers(probe)
                            )
                    except TimeoutError:
                        raise ProbeError(
                            f"timed out: no complete answer within {self.options.timeout:g}s"
                        ) from None
        finally:
            host.users -= 1
            if not host.users:
                self.hosts.pop(key, None)
                # an idle host keeps its pace: the next request (a plan sends one after another)
                # must still wait for its slot, or --rate would hold only for overlapping requests
                now = time.monotonic()
                if host.next_at > now:
                    self.pacing[key] = host.next_at
                    if len(self.pacing) > 1024:  # memory stays flat over many hosts
                        self.pacing = {k: at for k, at in self.pacing.items() if at > now}
        return Exchange(probe, url, reply)

    # ------------------------------------------------------------------ one target
    async def probe(self, target: Target) -> tuple[list[Finding], list[FileError], bool]:
        """The target's findings and errors, and whether it answered at all."""
        observation = Observation(target)
        own = own_origin(target.url)
        trusted = self.options.origins or (own,)
        plan = Plan(
            observation,
            trusted=trusted,
            method=simple_method(target, self.options.allow_methods),
            user_cookie=bool(self.cookie),
            send=self.send,
        )
        problem: str | None = None
        try:
            await plan.run()
        except TargetFailed as exc:
            problem = str(exc)
        except BudgetExhausted:
            problem = f"--max-requests ({self.options.max_requests}) reached"
        except Exception as exc:  # noqa: BLE001 - one target must never stop the run
            problem = f"internal error while probing: {type(exc).__name__}: {exc}"
        if not observation.exchanges:
            if problem and problem.startswith("--max-requests"):
                self.result.skipped += 1
            return [], [self._error(target, problem or "no answer")], False
        self.result.analysed += 1
        errors: list[FileError] = []
        if problem:
            errors.append(self._error(target, f"incomplete: {problem}"))
        elif observation.failures:
            probe, message = observation.failures[0]
            errors.append(
                self._error(
                    target,
                    f"incomplete: {len(observation.failures)} request(s) failed "
                    f"(first, Origin {probe.origin}: {message})",
                )
            )
        answered = observation.effective_url or target.url
        if answered != target.url:
            # followed redirects (same origin only): the findings are about the URL that answered,
            # where their evidence comes from
            observation.target = Target(answered, target.method)
        checks = self.options.origins or ("",)
        extra = () if self.options.origins else (own,)
        findings, _ = judge_policies(
            [(observation.policy(checks), self.auth)],
            select=self.options.select,
            ignore=self.options.ignore,
            extra_trusted=extra,
        )
        for finding in findings:
            finding.evidence = observation.evidence(finding)
            if finding.evidence is not None and not self.transport.in_process:
                finding.replay = replay_command(finding.evidence)
        return findings, errors, True

    def _error(self, target: Target | BadTarget, message: str) -> FileError:
        self.progress.errors += 1
        return FileError(target_label(target), message)

    def _done(
        self, label: str, findings: list[Finding], errors: list[FileError], answered: bool
    ) -> None:
        """A finished target: to the caller's `on_target`, or kept in the result."""
        fresh = []
        for finding in findings:
            key = finding.fingerprint_key()
            if key not in self.reported:
                self.reported.add(key)
                fresh.append(finding)
        self.progress.findings += len(fresh)
        done = UnitDone(label, len(fresh), "ok" if answered else "failed")
        if self.options.on_target is not None:
            self.options.on_target(fresh, errors, done)
            return
        self.result.findings.extend(fresh)
        self.result.errors.extend(errors)
        self.result.units_done.append(done)

    # ------------------------------------------------------------------ the run
    async def run(self, targets: Iterable[Target | BadTarget]) -> ProbeResult:
        started = time.perf_counter()
        source: Iterator[Target | BadTarget] = iter(targets)
        workers = max(1, self.options.concurrency)

        def pull() -> Target | None:
            while True:
                try:
                    item = next(source)
                except StopIteration:
                    return None
                except Exception as exc:  # noqa: BLE001 - a broken source ends the stream
                    error = FileError("targets", f"{type(exc).__name__}: {exc}")
                    self.progress.errors += 1
                    self._done("targets", [], [error], False)
                    return None
                if isinstance(item, BadTarget):
                    self._done(target_label(item), [], [self._error(item, item.message)], False)
                    continue
                return item

        async def worker() -> None:
            while (target := pull()) is not None:
                if self.budget.used >= self.budget.limit:
                    message = f"not probed: --max-requests ({self.budget.limit}) reached"
                    self.result.skipped += 1
                    self._done(target_label(target), [], [self._error(target, message)], False)
                else:
                    self._done(target_label(target), *await self.probe(target))
                self.progress.targets_done += 1
                if self.options.progress is not None:
                    self.options.progress(self.progress)

        with contextlib.ExitStack() as stack:
            if self.transport.in_process:
                # the application's prints go to stderr, never into the report on stdout
                stack.enter_context(stdout_to_stderr())
            await self._run(worker, workers)
        result = self.result
        result.findings.sort(key=_finding_order)
        result.errors.sort(key=lambda e: e.path)
        result.requests_sent = self.budget.used
        result.duration_s = round(time.perf_counter() - started, 3)
        return result

    async def _run(self, worker: Callable[[], Awaitable[None]], workers: int) -> None:
        try:
            start = getattr(self.transport, "start", None)
            app_started = True
            if start is not None:
                try:
                    await start()
                except AppFailure as exc:
                    # the in-process application cannot be started: one error, nothing probed
                    label = self.transport.label or "application"
                    self.progress.errors += 1
                    self._done(label, [], [FileError(label, one_line(str(exc)))], False)
                    app_started = False
            if app_started:
                await asyncio.gather(*(worker() for _ in range(workers)))
        finally:
            await self.transport.aclose()


def _finding_order(finding: Finding) -> tuple[Any, ...]:
    target = finding.target
    return (target.url if target else "", target.method if target else "", finding.rule_id)


def findings_by_target(result: ScanResult) -> dict[tuple[str, str], set[str]]:
    """`{(url, method): {rule ids}}`: a convenience for tests and callers."""
    out: dict[tuple[str, str], set[str]] = {}
    for finding in result.findings:
        if finding.target is not None:
            out.setdefault((finding.target.url, finding.target.method), set()).add(finding.rule_id)
    return out
