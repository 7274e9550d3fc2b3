"""Measure the server's throughput: requests/s and latency of an agency's tasks, its page and one ``/sparql``
query under concurrent clients, beside a bare FastAPI route (the ceiling of the stack) in the same run.

How, in `measure_server`:

- two servers start as subprocesses on free loopback ports: ``python -m dutygraph serve`` on an oxigraph
  store built by ``dutygraph build``, and `bare_app` (one route answering a small JSON dict) under uvicorn with
  the options ``dutygraph serve`` uses (one process, ``log_level="warning"``). Both are stopped at the end;
- the endpoints are loaded one after another: the bare route, ``/api/agencies/{code}/{type}/tasks`` (the
  staff API, with its default parameters), ``/agency/{code}/{type}`` (the page) and ``/sparql?query=`` with a
  SELECT counting the agency's tasks (``Accept: application/sparql-results+json``);
- for each endpoint, one request alone, then `clients` threads each open one keep-alive connection, make a few
  warm-up requests (not counted: the first ``/sparql`` query starts the query workers), then wait for each
  other and send requests back to back for `seconds`. Each request's latency is kept; requests/s is what the
  clients completed over the time from the common start until the last one finished;
- a non-2xx answer or a transport error counts as an error (so a mistyped agency shows as 404s, not as a
  fast endpoint).

The clients run in this process, the servers in theirs: on a two-core machine the server then has a core of
its own.

>>> bare = EndpointLoad(BARE_ROUTE, "/bare", 9800, 0, 5.0, 1960.0, 7.9, 10.4)
>>> api = EndpointLoad(AGENCY_API, "/api/agencies/330382/market-regulation/tasks", 2450, 0, 5.0, 490.0, 31.0, 48.2)
>>> load = ServerLoad(clients=16, endpoints=(bare, api))
>>> load.ratio(AGENCY_API)
0.25
>>> print("\\n".join(load.report_lines()))
server: 16 concurrent clients, keep-alive, endpoints one after another
endpoint           requests errors   req/s  p50 ms  p95 ms  vs bare  path
bare route             9800      0  1960.0     7.9    10.4     100%  /bare
agency tasks (API)     2450      0   490.0    31.0    48.2      25%  /api/agencies/330382/market-regulation/tasks
agency-tasks API at 25% of the bare route (target: at least 50%)
"""

from __future__ import annotations

import contextlib
import http.client
import importlib.util
import itertools
import math
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Final
from urllib.parse import urlencode

from fastapi import FastAPI

from dutygraph.errors import DutygraphError
from dutygraph.kg.iris import agency_iri

#: Names of the endpoints in `ServerLoad.endpoints`, in the order they are loaded.
BARE_ROUTE: Final = "bare route"
AGENCY_API: Final = "agency tasks (API)"
#: The same API asked for a different bureau each time: what an answer costs before it is remembered.
AGENCY_API_FIRST: Final = "agency tasks (API, new)"
AGENCY_PAGE: Final = "agency page"
SPARQL: Final = "/sparql"

#: The bare app's one route.
BARE_PATH: Final = "/bare"
#: The target of the issue: the agency-tasks API at this share, at least, of the bare route's requests/s.
TARGET_RATIO: Final = 0.5

_HOST: Final = "127.0.0.1"
_WARMUP_REQUESTS: Final = 3
_START_TIMEOUT_S: Final = 60.0
_STOP_TIMEOUT_S: Final = 15.0
# Generous: 16 clients queue behind two query workers; a slow answer is a figure, not an error.
_REQUEST_TIMEOUT_S: Final = 60.0
_SPARQL_ACCEPT: Final = "application/sparql-results+json"
_TASK_COUNT_QUERY: Final = """PREFIX dg: <https://w3id.org/dutygraph/ns#>
SELECT (COUNT(DISTINCT ?task) AS ?tasks)
WHERE {{ <{agency}> dg:leads|dg:assists|dg:responsibleFor|dg:involvedIn ?task }}"""


bare_app = FastAPI(title="bare")


# A plain `def`, like the dutygraph routes it stands beside (their store calls block): both then pay the same
# hop to the thread pool, and the ratio measures dutygraph's own work. An `async def` route answers about twice
# as many requests/s on the same stack.
@bare_app.get(BARE_PATH)
def bare() -> dict[str, str]:
    """A small JSON dict, no work: the most a route of this stack can answer."""
    return {"status": "ok"}


class ServerStartError(DutygraphError):
    """A server under test did not start (or died): names the command and ends with its output."""


@dataclass(frozen=True)
class EndpointLoad:
    """One endpoint under load: what was requested, how many requests completed and failed in how long,
    and the latency percentiles of the answers."""

    name: str
    path: str
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float


@dataclass(frozen=True)
class ServerLoad:
    """The endpoints measured in one run with `clients` concurrent clients; the bare route among them."""

    clients: int
    endpoints: tuple[EndpointLoad, ...]

    def endpoint(self, name: str) -> EndpointLoad:
        """The endpoint called `name`.

        :raises KeyError: no endpoint goes by that name.
        """
        for load in self.endpoints:
            if load.name == name:
                return load
        raise KeyError(name)

    def ratio(self, name: str) -> float:
        """Requests/s of endpoint `name` over the bare route's (NaN when the bare route answered nothing)."""
        bare_rps = self.endpoint(BARE_ROUTE).rps
        return self.endpoint(name).rps / bare_rps if bare_rps > 0 else math.nan

    def report_lines(self) -> list[str]:
        """An aligned table, one endpoint a line, then how the agency-tasks API compares with the bare route."""
        name_width = max(len("endpoint"), *(len(e.name) for e in self.endpoints))
        lines = [
            f"server: {self.clients} concurrent clients, keep-alive, endpoints one after another",
            f"{'endpoint':<{name_width}} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} "
            f"{'p95 ms':>7} {'vs bare':>8}  path",
        ]
        for e in self.endpoints:
            lines.append(
                f"{e.name:<{name_width}} {e.requests:>8} {e.errors:>6} {e.rps:>7.1f} {e.p50_ms:>7.1f} "
                f"{e.p95_ms:>7.1f} {self.ratio(e.name):>8.0%}  {_shortened(e.path)}"
            )
        lines.append(
            f"agency-tasks API at {self.ratio(AGENCY_API):.0%} of the bare route "
            f"(target: at least {TARGET_RATIO:.0%})"
        )
        return lines


def measure_server(
    store_path: Path,
    *,
    agency_path: str,
    clients: int = 16,
    seconds: float = 5.0,
    other_agency_paths: Sequence[str] = (),
) -> ServerLoad:
    """Serve the oxigraph store at `store_path` and a bare app, load each endpoint for `seconds` with
    `clients` concurrent clients, and stop both servers.

    `agency_path` is an agency's ``{code}/{type_key}`` (its IRI's last two segments), e.g.
    ``330382/market-regulation``. With `other_agency_paths`, the API is loaded a second time asking for each
    of them in turn (`AGENCY_API_FIRST`): the server remembers answers per published snapshot, so the first
    figure is a bureau asked again and again, this one bureaus asked for the first time (give more than the
    server can answer in `seconds`).

    :raises ValueError: `clients` or `seconds` is out of range, `agency_path` is not ``code/type``, or there
        is no store at `store_path`.
    :raises ServerStartError: a server exited or did not answer within a minute.
    """
    if clients < 1:
        raise ValueError(f"clients must be 1 or more, not {clients}")
    if not seconds > 0:
        raise ValueError(f"seconds must be more than 0, not {seconds}")
    code, _, type_key = agency_path.partition("/")
    if not code or not type_key or "/" in type_key:
        raise ValueError(f"agency_path must be {{code}}/{{type_key}}, not {agency_path!r}")
    if not store_path.is_dir():
        raise ValueError(f"{store_path}: no store here; build one with `dutygraph build --store DIR`")

    sparql_query = _TASK_COUNT_QUERY.format(agency=agency_iri(code, type_key))
    sparql_path = f"/sparql?{urlencode({'query': sparql_query})}"
    with contextlib.ExitStack() as servers:
        # Both start at once (dutygraph's takes seconds); the idle one costs nothing while the other is loaded.
        bare_server = servers.enter_context(_started(_bare_command))
        app_server = servers.enter_context(_started(_serve_command(store_path)))
        bare_port = bare_server.wait_ready(BARE_PATH)
        app_port = app_server.wait_ready("/healthz")
        endpoints = (
            _load(BARE_ROUTE, bare_port, BARE_PATH, {}, clients=clients, seconds=seconds),
            _load(
                AGENCY_API,
                app_port,
                f"/api/agencies/{agency_path}/tasks",
                {},
                clients=clients,
                seconds=seconds,
            ),
            *(
                [
                    _load(
                        AGENCY_API_FIRST,
                        app_port,
                        [f"/api/agencies/{other}/tasks" for other in other_agency_paths],
                        {},
                        clients=clients,
                        seconds=seconds,
                    )
                ]
                if other_agency_paths
                else []
            ),
            _load(AGENCY_PAGE, app_port, f"/agency/{agency_path}", {}, clients=clients, seconds=seconds),
            _load(
                SPARQL, app_port, sparql_path, {"Accept": _SPARQL_ACCEPT}, clients=clients, seconds=seconds
            ),
        )
    return ServerLoad(clients=clients, endpoints=endpoints)


# --- the servers ------------------------------------------------------------------------------------------


def _bare_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "dutygraph.kg.server_benchmark:bare_app",  # the installed name, however this module was imported
        "--host",
        _HOST,
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]


def _serve_command(store_path: Path) -> Callable[[int], list[str]]:
    # `python -m dutygraph` runs the interpreter we run in; the console script is the fallback.
    if importlib.util.find_spec("dutygraph.__main__") is not None:
        program = [sys.executable, "-m", "dutygraph"]
    else:
        program = [str(Path(sys.executable).with_name("dutygraph"))]

    def command(port: int) -> list[str]:
        # --backend and --host explicit: DUTYGRAPH_* in the environment must not redirect the benchmark.
        return [
            *program,
            "serve",
            "--store",
            str(store_path),
            "--backend",
            "oxigraph",
            "--host",
            _HOST,
            "--port",
            str(port),
        ]

    return command


@dataclass(frozen=True)
class _Server:
    """A server process under test, on `port` of the loopback address, its output going to `output`."""

    process: subprocess.Popen[bytes]
    port: int
    args: list[str]
    output: IO[bytes]

    def wait_ready(self, path: str) -> int:
        """Wait until GET `path` answers 200; the port.

        :raises ServerStartError: the process exited, or did not answer in time.
        """
        deadline = time.monotonic() + _START_TIMEOUT_S
        command = " ".join(self.args)
        while True:
            if self.process.poll() is not None:
                raise ServerStartError(f"{command} exited with {self.process.returncode}: {self._tail()}")
            connection = http.client.HTTPConnection(_HOST, self.port, timeout=5)
            try:
                connection.request("GET", path)
                if connection.getresponse().status == 200:
                    return self.port
            except (OSError, http.client.HTTPException):
                pass  # not listening yet
            finally:
                connection.close()
            if time.monotonic() > deadline:
                raise ServerStartError(
                    f"{command} did not answer GET {path} within {_START_TIMEOUT_S:g} s: {self._tail()}"
                )
            time.sleep(0.1)

    def _tail(self, chars: int = 1500) -> str:
        self.output.flush()
        self.output.seek(0)
        text = self.output.read().decode("utf-8", errors="replace").strip()
        return text[-chars:] if text else "(no output)"


@contextlib.contextmanager
def _started(command: Callable[[int], list[str]]) -> Iterator[_Server]:
    """Start `command` on a free loopback port; stop the process however the block ends."""
    port = _free_port()
    args = command(port)
    # A file, not a pipe: a chatty server must never block on a full pipe nobody reads.
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(args, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            yield _Server(process, port, args, output)
        finally:
            _stop(process)


def _free_port() -> int:
    # Bind to port 0, read the port, release it for the server (a race only another process could lose us).
    with socket.socket() as probe:
        probe.bind((_HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _stop(process: subprocess.Popen[bytes]) -> None:
    # SIGTERM first: uvicorn then shuts down gracefully and dutygraph stops its query worker processes.
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- the clients ------------------------------------------------------------------------------------------
#
# Threads, each with an http.client keep-alive connection. Measured on the bare route with 16 clients on two
# cores: about 2000 requests/s with the server process at a full core and the clients at ~0.3 of one, so the
# server is the limit; httpx.AsyncClient with 16 tasks in one event loop reached only ~430 requests/s (its
# per-request cost in Python made the client the limit).


@dataclass
class _Tally:
    """What one client saw after the start: latencies (s) of answers, requests made, errors."""

    latencies: list[float] = field(default_factory=list)
    requests: int = 0
    errors: int = 0
    failure: Exception | None = None


@dataclass
class _Clock:
    started: float = 0.0
    deadline: float = 0.0


def _load(
    name: str,
    port: int,
    path: str | Sequence[str],
    headers: Mapping[str, str],
    *,
    clients: int,
    seconds: float,
) -> EndpointLoad:
    """Load one endpoint; a sequence of paths is asked in turn, each once (until it runs out, then again)."""
    paths = [path] if isinstance(path, str) else list(path)
    turn = itertools.count()  # shared by the clients; next() on it is atomic under the GIL

    def next_path() -> str:
        return paths[next(turn) % len(paths)]

    # One request alone before the clients' warm-up: what is measured is the steady state, not first-use costs.
    first = http.client.HTTPConnection(_HOST, port, timeout=_REQUEST_TIMEOUT_S)
    try:
        _request(first, next_path(), dict(headers))
    finally:
        first.close()
    clock = _Clock()

    def start() -> None:  # runs once, when the last client has warmed up
        clock.started = time.perf_counter()
        clock.deadline = clock.started + seconds

    gate = threading.Barrier(clients, action=start, timeout=_START_TIMEOUT_S + _REQUEST_TIMEOUT_S)
    tallies = [_Tally() for _ in range(clients)]
    threads = [
        threading.Thread(
            target=_client, args=(port, next_path, dict(headers), gate, clock, tally), daemon=True
        )
        for tally in tallies
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    finished = time.perf_counter()
    # The cause first: the other clients only saw the gate broken.
    failures = sorted(
        (t.failure for t in tallies if t.failure is not None),
        key=lambda failure: isinstance(failure, threading.BrokenBarrierError),
    )
    if failures:
        raise failures[0]
    latencies = sorted(t for tally in tallies for t in tally.latencies)
    requests = sum(tally.requests for tally in tallies)
    elapsed = finished - clock.started
    return EndpointLoad(
        name=name,
        path=paths[0] if len(paths) == 1 else f"{paths[0]} … ({len(paths)} bureaus in turn)",
        requests=requests,
        errors=sum(tally.errors for tally in tallies),
        seconds=elapsed,
        rps=requests / elapsed if elapsed > 0 else 0.0,
        p50_ms=_percentile(latencies, 50) * 1000,
        p95_ms=_percentile(latencies, 95) * 1000,
    )


def _client(
    port: int,
    next_path: Callable[[], str],
    headers: dict[str, str],
    gate: threading.Barrier,
    clock: _Clock,
    tally: _Tally,
) -> None:
    connection = http.client.HTTPConnection(_HOST, port, timeout=_REQUEST_TIMEOUT_S)
    try:
        for _ in range(_WARMUP_REQUESTS):
            _request(connection, next_path(), headers)
        gate.wait()
        while time.perf_counter() < clock.deadline:
            began = time.perf_counter()
            status = _request(connection, next_path(), headers)
            tally.requests += 1
            if status is None:
                tally.errors += 1
                time.sleep(0.01)  # a refused connection fails at once: do not spin on a dead server
                continue
            tally.latencies.append(time.perf_counter() - began)
            if not 200 <= status < 300:
                tally.errors += 1
    except Exception as failure:  # re-raised by `_load`; the others must not wait at the gate for it
        tally.failure = failure
        gate.abort()
    finally:
        connection.close()


def _request(connection: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> int | None:
    """One GET on the kept-alive connection: the status, the body read whole; None on a transport error."""
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        connection.close()  # the next request reconnects
        return None


def _percentile(values: list[float], percent: int) -> float:
    """The `percent`-th percentile (inclusive method, as `dutygraph.kg.benchmark`); 0.0 for no values.

    >>> _percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50), _percentile([7.0], 95), _percentile([], 95)
    (3.0, 7.0, 0.0)
    """
    if len(values) <= 1:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def _shortened(path: str, width: int = 60) -> str:
    return path if len(path) <= width else path[: width - 1] + "…"
