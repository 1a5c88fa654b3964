"""The API under load, from outside, with production settings: ``make bench``.

    uv run python bench/bench_api.py [--sizes 100k,1m] [--duration 20] [--only REGEX]

For each size N: a database ``complaints_bench_<N>`` holding N complaints from
``seed_demo --complaints N`` (seeded only when missing or stale, see bench/bench_api_db.py),
served by gunicorn with ``DJANGO_ENV=prod`` and 3 sync workers (throwaway secrets made for
the run; the pgcrypto and blind-index keys are derived from the database's name, because a
seeded database is reused by every later run), driven by Debian's ``wrk -t2 -c16 -d20s --latency
--timeout 10s``, one request at a time. The floor, ``GET /health/`` (Django and gunicorn
doing nothing), is measured before and after the requests; each request's ratio is to their
mean. Every response is counted by status in wrk's Lua hooks: a run with non-2xx answers,
timeouts or socket errors says so.

Prints one Markdown table (both sizes side by side, the targets of issue 10 checked at the
largest size) and writes it with the run's date, commit and machine to ``--out``
(``bench/results/latest.md``). Timing belongs here, never in a test.
"""

import argparse
import base64
import contextlib
import json
import math
import os
import platform
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_api_db import data_keys  # noqa: E402

from complaints_project.rsa_keys import new_private_key_pem  # noqa: E402

RUN_DIR = ROOT / ".run" / "bench"
WRK = "/usr/bin/wrk"
SIZES = {"100k": 100_000, "1m": 1_000_000}
TITLE_PREFIX = "bench-post "
# The Streamlit dashboard's periods (7, 30, 90 days) and the longest the API allows.
STATS_PERIODS = ("7", "30", "90", "365")
LIST = "list"
DETAIL = "detail"
CREATE = "create"
STATS = "stats"
FLOOR = "floor"
# issue 10's targets, checked at the largest size: (min share of the floor, max p50, max p99).
TARGETS: dict[str, tuple[float | None, float | None, float | None]] = {
    LIST: (0.2, None, 100.0),
    DETAIL: (0.4, None, 40.0),
    CREATE: (0.15, None, None),
    STATS: (None, 50.0, 100.0),
}
# The same request at the two sizes may differ by less than this (req/s).
MAX_GROWTH = 0.2
# Between two runs: at most this long for the workers to drain, probed this many at once.
IDLE_WAIT_SECONDS = 300
IDLE_PROBES = 6
IDLE_BURST_SECONDS = 0.25
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ environment and server


def base_env(database: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ENV", "TEST_DB_NAME"}}
    env.update(data_keys(database))
    env.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/2"),
            "DJANGO_SETTINGS_MODULE": "complaints_project.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def prod_env(database: str, port: int, workers: int) -> dict[str, str]:
    """What docker-compose gives the api container, with secrets made for this run."""
    env = base_env(database)
    env.update(
        {
            "DJANGO_ENV": "prod",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "JWT_PRIVATE_KEY": new_private_key_pem(),
            "ATTACHMENT_MASTER_KEYS": "bench:"
            + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # As in docker-compose.yml: TLS ends in front of Kong.
            "SECURE_SSL_REDIRECT": "false",
            "EMAIL_HOST": "127.0.0.1",
            # A run lasts longer than an access token's default 15 minutes.
            "JWT_ACCESS_MINUTES": "240",
            "GUNICORN_WORKERS": str(workers),
            "PROMETHEUS_MULTIPROC_DIR": str(RUN_DIR / f"prometheus-{port}"),
            "CACHE_KEY_PREFIX": f"bench-{database}",
        }
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(
    method: str, url: str, *, token: str = "", body: dict | None = None, timeout: float = 60
) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - our server
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, {}


@contextlib.contextmanager
def gunicorn(database: str, workers: int, label: str) -> Iterator[str]:
    port = free_port()
    log_path = RUN_DIR / f"gunicorn-{label}.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "complaints_project.wsgi:application",
        "--config",
        "python:complaints_project.gunicorn_conf",
        "--bind",
        f"127.0.0.1:{port}",
    ]
    with log_path.open("w") as out:
        server = subprocess.Popen(
            command, cwd=ROOT, env=prod_env(database, port, workers), stdout=out, stderr=out
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, server, log_path)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)


def wait_until_up(base: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited; see {log_path}")
        with contextlib.suppress(OSError):
            if http("GET", f"{base}/health/")[0] == 200:
                return
        time.sleep(0.3)
    sys.exit(f"gunicorn did not answer /health/ within 60 s; see {log_path}")


def _probe(base: str) -> bool:
    try:
        return http("GET", f"{base}/health/", timeout=IDLE_BURST_SECONDS * 20)[0] == 200
    except OSError:
        return False


def wait_until_idle(base: str) -> None:
    """Let the workers finish what the last run left queued (wrk's last requests are still
    in the listen backlog when it stops): idle once a burst of ``/health/`` is answered fast."""
    deadline = time.monotonic() + IDLE_WAIT_SECONDS
    with ThreadPoolExecutor(IDLE_PROBES) as pool:
        while time.monotonic() < deadline:
            started = time.monotonic()
            answered = all(pool.map(lambda _: _probe(base), range(IDLE_PROBES)))
            if answered and time.monotonic() - started < IDLE_BURST_SECONDS:
                return
            time.sleep(0.5)
    log("  (the server was still busy after the last run)")


# ------------------------------------------------------------------------------ wrk


LUA = """
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end
function init(args)
  ok, redirect, client_error, server_error, counter = 0, 0, 0, 0, 0
  first_error = ""
  wrk.method = "%(method)s"
  wrk.headers["Content-Type"] = "application/json"
  %(auth)s
end
%(request)s
function response(status, headers, body)
  if status < 300 then ok = ok + 1
  elseif status < 400 then redirect = redirect + 1
  elseif status < 500 then client_error = client_error + 1
  else server_error = server_error + 1 end
  if status >= 300 and first_error == "" then
    first_error = status .. " " .. string.sub(body or "", 1, 160)
  end
end
function done(summary, latency, requests)
  local t = {0, 0, 0, 0}
  local first = ""
  for _, thread in ipairs(threads) do
    t[1] = t[1] + thread:get("ok")
    t[2] = t[2] + thread:get("redirect")
    t[3] = t[3] + thread:get("client_error")
    t[4] = t[4] + thread:get("server_error")
    if first == "" then first = thread:get("first_error") end
  end
  io.write(string.format("BENCH_STATUS %%d %%d %%d %%d\\n", t[1], t[2], t[3], t[4]))
  io.write("BENCH_FIRST_ERROR " .. first .. "\\n")
end
"""
# POST: a unique title per request (thread number and counter).
LUA_CREATE_REQUEST = """
function request()
  counter = counter + 1
  local body = string.format(
    '{"category": %(category)d, "title": "%(prefix)s%%d-%%d parcel", '
    .. '"description": "Filed by the benchmark: my parcel never arrived."}',
    thread_number, counter)
  return wrk.format(nil, nil, nil, body)
end
"""


@dataclass
class Request:
    name: str
    kind: str
    path: str
    role: str = "agent"
    method: str = "GET"


@dataclass
class Result:
    name: str
    kind: str
    rps: float = 0.0
    p50: float = 0.0
    p99: float = 0.0
    requests: int = 0
    ok: int = 0
    non_2xx: int = 0
    timeouts: int = 0
    socket_errors: int = 0
    first_error: str = ""
    ratio: float | None = None

    @property
    def failed(self) -> bool:
        return bool(self.non_2xx or self.timeouts or self.socket_errors or not self.ok)

    @property
    def errors(self) -> str:
        parts = [] if self.ok else ["no response completed"]
        if self.non_2xx:
            parts.append(f"{self.non_2xx} non-2xx ({self.first_error[:60]})")
        if self.timeouts:
            parts.append(f"{self.timeouts} timeouts")
        if self.socket_errors:
            parts.append(f"{self.socket_errors} socket errors")
        return "; ".join(parts)


def lua_script(request: Request, token: str, category: int) -> str:
    auth = f'wrk.headers["Authorization"] = "Bearer {token}"' if token else ""
    body = ""
    if request.method == "POST":
        body = LUA_CREATE_REQUEST % {"category": category, "prefix": TITLE_PREFIX}
    return LUA % {"method": request.method, "auth": auth, "request": body}


def milliseconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"wrk latency {text!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def parse_wrk(output: str, result: Result) -> Result:
    """Fill ``result`` from wrk's ``--latency`` report and our Lua status line."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    result.rps = float(rps.group(1)) if rps else 0.0
    for pct, attr in (("50", "p50"), ("99", "p99")):
        found = re.search(rf"^\s+{pct}%\s+(\S+)", output, re.M)
        setattr(result, attr, milliseconds(found.group(1)) if found else math.nan)
    total = re.search(r"(\d+) requests in", output)
    result.requests = int(total.group(1)) if total else 0
    sockets = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if sockets:
        connect, read, write, timeout = map(int, sockets.groups())
        result.timeouts = timeout
        result.socket_errors = connect + read + write
    status = re.search(r"BENCH_STATUS (\d+) (\d+) (\d+) (\d+)", output)
    if status:
        ok, redirect, client, server = map(int, status.groups())
        result.ok, result.non_2xx = ok, redirect + client + server
    if not result.ok:
        # wrk's latency figures cover answered requests only: there were none.
        result.p50 = result.p99 = math.nan
    first = re.search(r"BENCH_FIRST_ERROR (.*)", output)
    result.first_error = first.group(1).strip() if first else ""
    return result


@dataclass
class Load:
    threads: int
    connections: int
    duration: int
    warmup: int
    timeout: int


def run_wrk(base: str, request: Request, token: str, category: int, load: Load) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", dir=RUN_DIR, delete=False) as script:
        script.write(lua_script(request, token, category))
    try:
        common = [WRK, f"-t{load.threads}", f"-c{load.connections}", "--latency"]
        common += [f"--timeout={load.timeout}s", "-s", script.name, base + request.path]
        if load.warmup:
            subprocess.run(
                [*common[:4], f"-d{load.warmup}s", *common[4:]], capture_output=True, check=False
            )
            wait_until_idle(base)
        done = subprocess.run(
            [*common, f"-d{load.duration}s"], capture_output=True, text=True, check=True
        )
    finally:
        Path(script.name).unlink()
    return parse_wrk(done.stdout, Result(request.name, request.kind))


# --------------------------------------------------------------------------- requests


def tokens(base: str, users: dict) -> dict[str, str]:
    found = {}
    for role in ("agent", "customer", "supervisor"):
        code, body = http("POST", f"{base}/api/token/", body=users[role])
        if code != 200:
            sys.exit(f"login as {role} failed ({code}); see .run/bench/gunicorn-*.log")
        found[role] = body["access"]
    return found


def last_page(base: str, token: str, page_size: int) -> int:
    """The deepest page the API serves the agent: the last one, or the deepest allowed when the
    count is capped (``count_is_exact`` false) and the pages stop before the list does."""

    def served(page: int) -> bool:
        return http("GET", f"{base}/api/complaints/?page={page}", token=token)[0] == 200

    _, body = http("GET", f"{base}/api/complaints/", token=token)
    low = max(1, math.ceil(int(body.get("count") or 1) / page_size))
    if not served(low):
        low = 1
    high = low
    while served(high * 2):  # past the count when it is capped: look further, doubling
        low = high = high * 2
    high *= 2
    while low < high - 1:  # low is served, high is not
        middle = (low + high) // 2
        low, high = (middle, high) if served(middle) else (low, middle)
    return low


def requests_for(fixtures: dict, deep_page: int, periods: tuple[str, ...]) -> list[Request]:
    list_path = "/api/complaints/"
    rows = [
        Request("`GET /api/complaints/`", LIST, list_path),
        Request("`?status=new`", LIST, f"{list_path}?status=new"),
        Request("`?assignee=me`", LIST, f"{list_path}?assignee=me"),
        Request(
            f"`?category={fixtures['category_id']}`",
            LIST,
            f"{list_path}?category={fixtures['category_id']}",
        ),
        Request("`?overdue=true`", LIST, f"{list_path}?overdue=true"),
        # What the Streamlit queue asks first: mine, the open statuses, due soonest.
        Request(
            "queue: `?assignee=me&status=<open>&ordering=resolve_due_at`",
            LIST,
            f"{list_path}?assignee=me&status={','.join(fixtures['open_statuses'])}"
            "&ordering=resolve_due_at",
        ),
        Request(
            f"`?q={fixtures['common_word']}`", LIST, f"{list_path}?q={fixtures['common_word']}"
        ),
        Request(
            f"`?q={fixtures['rare_word']}` (rare)", LIST, f"{list_path}?q={fixtures['rare_word']}"
        ),
    ]
    rows += [
        Request(f"`?ordering={o}`", LIST, f"{list_path}?ordering={o}")
        for o in fixtures["orderings"]
    ]
    rows += [
        Request(f"`?page={deep_page}` (deepest)", LIST, f"{list_path}?page={deep_page}"),
        Request("`GET /api/complaints/{id}/`", DETAIL, f"{list_path}{fixtures['detail_id']}/"),
        Request("`POST /api/complaints/` (customer)", CREATE, list_path, "customer", "POST"),
    ]
    rows += [
        Request(
            f"`GET /api/stats/?days={p}` (supervisor)", STATS, f"/api/stats/?days={p}", "supervisor"
        )
        for p in periods
    ]
    return rows


FLOOR_REQUEST = Request("floor `GET /health/`", FLOOR, "/health/", role="")


# ------------------------------------------------------------------------------ sizes


@dataclass
class SizeRun:
    label: str
    size: int
    fixtures: dict
    floor_before: Result
    floor_after: Result
    results: list[Result] = field(default_factory=list)
    load_average: tuple[float, float] = (0.0, 0.0)

    @property
    def floor(self) -> float:
        return statistics.mean([self.floor_before.rps, self.floor_after.rps])


def run_db_helper(database: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_api_db.py"), *args],
        cwd=ROOT,
        env=base_env(database),
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(request: Request, base: str, fixtures: dict, auth: dict, load: Load) -> Result:
    wait_until_idle(base)
    result = run_wrk(base, request, auth.get(request.role, ""), fixtures["category_id"], load)
    log(
        f"  {request.name:<48} {result.rps:>9.1f} req/s  p50 {result.p50:>8.1f} ms"
        f"  p99 {result.p99:>8.1f} ms  {result.errors}"
    )
    return result


def run_size(label: str, args: argparse.Namespace, load: Load) -> SizeRun:
    size = SIZES[label]
    database = f"complaints_bench_{label}"
    log(f"== {label}: {database}")
    fixtures = run_db_helper(database, "prepare", "--size", str(size))
    start_load = os.getloadavg()[0]
    with gunicorn(database, args.workers, label) as base:
        auth = tokens(base, fixtures["users"])
        deep = last_page(base, auth["agent"], fixtures["page_size"])
        pattern = re.compile(args.only) if args.only else None
        chosen = [
            r
            for r in requests_for(fixtures, deep, tuple(args.stats_periods.split(",")))
            if pattern is None or pattern.search(r.name)
        ]
        run = SizeRun(
            label,
            size,
            fixtures,
            measure(FLOOR_REQUEST, base, fixtures, auth, load),
            Result("", ""),
        )
        run.results = [measure(r, base, fixtures, auth, load) for r in chosen]
        run.floor_after = measure(FLOOR_REQUEST, base, fixtures, auth, load)
    try:
        deleted = run_db_helper(database, "cleanup")["deleted"]
        log(f"  removed the {deleted} complaints the POST row filed")
    except subprocess.CalledProcessError:
        # The next run finds the wrong count and seeds the database again.
        log("  could not remove the complaints the POST row filed (see above)")
    run.load_average = (start_load, os.getloadavg()[0])
    for result in run.results:
        result.ratio = result.rps / run.floor if run.floor else None
    return run


# ------------------------------------------------------------------------------ report


def target_verdict(result: Result) -> str:
    target = TARGETS.get(result.kind)
    if target is None:
        return ""
    min_ratio, max_p50, max_p99 = target
    misses = []
    if min_ratio is not None and (result.ratio or 0) < min_ratio:
        misses.append(f"x floor < {min_ratio}")
    if max_p50 is not None and not result.p50 <= max_p50:
        misses.append(f"p50 > {max_p50:g} ms")
    if max_p99 is not None and not result.p99 <= max_p99:
        misses.append(f"p99 > {max_p99:g} ms")
    if result.failed:
        misses.append("errors")
    return "met" if not misses else "**not met**: " + ", ".join(misses)


def cells(result: Result | None) -> list[str]:
    if result is None:
        return ["", "", "", ""]
    ratio = "" if result.ratio is None else f"{result.ratio:.3f}"
    return [f"{result.rps:,.1f}", _ms(result.p50), _ms(result.p99), ratio]


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:,.1f}"


def growth(small: Result | None, large: Result | None) -> str:
    if small is None or large is None or not small.rps:
        return ""
    change = large.rps / small.rps - 1
    mark = "" if abs(change) < MAX_GROWTH else " ✗"
    return f"{change:+.0%}{mark}"


def table(runs: list[SizeRun]) -> str:
    header = ["request"]
    for run in runs:
        header += [f"{run.label} req/s", "p50 ms", "p99 ms", "x floor"]
    if len(runs) > 1:
        header.append(f"{runs[-1].label} vs {runs[0].label}")
    header += [f"target ({runs[-1].label})", "errors"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    floor_row = ["floor `GET /health/` (mean of before/after)"]
    for run in runs:
        floor_row += [
            f"{run.floor:,.1f}",
            _ms(run.floor_before.p50),
            _ms(run.floor_before.p99),
            "1",
        ]
    if len(runs) > 1:
        floor_row.append(growth(runs[0].floor_before, runs[-1].floor_before))
    floor_errors = [
        r.errors for run in runs for r in (run.floor_before, run.floor_after) if r.errors
    ]
    floor_row += ["", "; ".join(floor_errors)]
    lines.append("| " + " | ".join(floor_row) + " |")
    for index, result in enumerate(runs[-1].results):
        per_size = [run.results[index] if index < len(run.results) else None for run in runs]
        row = [result.name]
        for item in per_size:
            row += cells(item)
        if len(runs) > 1:
            row.append(growth(per_size[0], per_size[-1]))
        errors = [
            f"{run.label}: {item.errors}"
            for run, item in zip(runs, per_size, strict=True)
            if item and item.errors
        ]
        row += [target_verdict(result), "; ".join(errors)]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def floors(runs: list[SizeRun]) -> str:
    return "\n".join(
        f"- {run.label}: floor {run.floor_before.rps:,.0f} req/s before the requests, "
        f"{run.floor_after.rps:,.0f} after; load average {run.load_average[0]:.2f} at the start, "
        f"{run.load_average[1]:.2f} at the end; "
        + (
            f"seeded in {run.fixtures['seed_seconds']:.0f} s "
            f"({run.size / run.fixtures['seed_seconds']:,.0f} complaints/s)"
            if run.fixtures["seeded"]
            else "database reused"
        )
        for run in runs
    )


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    postgres = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SHOW server_version"],
        check=False,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return (
        f"{os.cpu_count()} x {cpu}, {int(memory) / 1024 / 1024:.0f} GB RAM, "
        f"{platform.system()} {platform.release()}, PostgreSQL {postgres}"
    )


def report(runs: list[SizeRun], load: Load, args: argparse.Namespace, started: datetime) -> str:
    dirty = (
        " (with uncommitted changes)"
        if git("status", "--porcelain", "--untracked-files=no")
        else ""
    )
    errors = any(
        r.failed for run in runs for r in [run.floor_before, run.floor_after, *run.results]
    )
    verdict = (
        "**This run had errors: see the errors column.**"
        if errors
        else "No errors: every response was 2xx, no timeouts, no socket errors."
    )
    commit, branch = git("rev-parse", "--short", "HEAD"), git("rev-parse", "--abbrev-ref", "HEAD")
    sizes = ", ".join(f"{run.label} ({run.fixtures['complaints']:,} complaints)" for run in runs)
    return "\n".join(
        [
            f"# API benchmark, {started:%Y-%m-%d %H:%M} UTC",
            "",
            f"- commit: `{commit}` on `{branch}`{dirty}",
            f"- machine: {machine()}",
            f"- sizes: {sizes}",
            f"- load: gunicorn {args.workers} sync workers, `DJANGO_ENV=prod`; "
            f"`wrk -t{load.threads} -c{load.connections} -d{load.duration}s --latency "
            f"--timeout {load.timeout}s` after a {load.warmup} s warm-up, one request at a time",
            f"- {verdict}",
            "",
            table(runs),
            "",
            floors(runs),
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100k,1m", help="comma list of 100k, 1m")
    parser.add_argument("--duration", type=int, default=20, help="seconds of wrk per request")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of wrk before each")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--timeout", type=int, default=10, help="wrk's request timeout (s)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--stats-periods", default=",".join(STATS_PERIODS))
    parser.add_argument("--only", default="", help="regex: only the requests whose name matches")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.md")
    args = parser.parse_args()
    if not Path(WRK).exists():
        sys.exit(f"{WRK} is missing: apt-get install wrk")
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    load = Load(args.threads, args.connections, args.duration, args.warmup, args.timeout)
    started = datetime.now(UTC)
    runs = [run_size(label.strip(), args, load) for label in args.sizes.split(",")]
    text = report(runs, load, args, started)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    (args.out.with_suffix(".json")).write_text(
        json.dumps([{**asdict(run), "floor": run.floor} for run in runs], indent=1, default=str)
    )
    log(f"written to {args.out}")


if __name__ == "__main__":
    main()
