"""``/sparql``: the SPARQL 1.1 Protocol query operation — read-only, closed to the outside, under a time limit.

HTTP only: this module reads the request (GET ``?query=``, POST form ``query=``, POST
``application/sparql-query``), sizes the body, and turns answers and refusals of
`dutygraph.kg.sparql` into responses with the right status, headers and CORS. Checking, dataset
selection, running (in worker processes, killed at the limit) and writing answers all happen there.

>>> from fastapi.testclient import TestClient
>>> from dutygraph.api.app import create_app
>>> from dutygraph.settings import get_settings
>>> with TestClient(create_app(get_settings(backend="memory"))) as client:
...     answer = client.get("/sparql", params={"query": "ASK { ?agency ?role ?task }"})
...     refused = client.post("/sparql", data={"update": "CLEAR ALL"})
>>> answer.headers["content-type"], answer.json()["boolean"], refused.status_code
('application/sparql-results+json; charset=utf-8', False, 403)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Final
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from dutygraph.api.deps import SettingsDep
from dutygraph.errors import DutygraphError
from dutygraph.kg.sparql.dataset import DatasetRequest
from dutygraph.kg.sparql.errors import (
    MalformedQuery,
    NotAcceptable,
    QueryFailed,
    QueryRefused,
    QueryTimedOut,
    SparqlError,
    UpdateRefused,
)
from dutygraph.kg.sparql.formats import GRAPH_FORMATS, RESULTS_FORMATS
from dutygraph.kg.sparql.workers import QueryJob, QueryWorkers
from dutygraph.settings import Settings

#: Set (to ``true``) when the answer was cut at the row limit; the body stays a valid document of its format.
TRUNCATED_HEADER: Final = "X-Dutygraph-Truncated"
#: The row limit in force, sent with a truncated answer.
ROW_LIMIT_HEADER: Final = "X-Dutygraph-Row-Limit"

_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"
_TEXT = "text/plain; charset=utf-8"
# Any origin may query (YASGUI and other clients run in browsers); a JS client may read our own header.
_CORS: Final = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": f"{TRUNCATED_HEADER}, {ROW_LIMIT_HEADER}",
}
_METHODS = "GET, POST, OPTIONS"

_STATUS: Final[dict[type[SparqlError], int]] = {
    MalformedQuery: 400,
    QueryRefused: 400,
    UpdateRefused: 403,
    NotAcceptable: 406,
    QueryTimedOut: 503,
    QueryFailed: 500,
}

_DESCRIPTION = """\
**SPARQL 1.1 查询端点（只读）。** 以 GET `?query=`、POST 表单 `query=` 或 POST `application/sparql-query`
提交查询；SPARQL Update（`update=`、`application/sparql-update`）一律拒绝（403）。

**SPARQL 1.1 Protocol query operation (read-only).** Send a query as GET `?query=`, as a POST form field
`query=`, or as a POST body of type `application/sparql-query` (UTF-8).

**Answers**, chosen by the `Accept` header (q-values and wildcards honoured; 406 when nothing fits), always
UTF-8: SELECT and ASK as `application/sparql-results+json` (default), `application/sparql-results+xml`,
`text/csv`, `text/tab-separated-values`; CONSTRUCT and DESCRIBE as `text/turtle` (default),
`application/n-triples`, `application/ld+json`, `application/rdf+xml`. Any origin may call it (CORS).

**Dataset.** By default the default graph is the union of what the plans assert (one named graph per plan,
`https://w3id.org/dutygraph/graph/plan/{plan_id}`), the ontology (`https://w3id.org/dutygraph/graph/ontology`)
and what reasoning inferred (`https://w3id.org/dutygraph/graph/inferred`); each is also a named graph for
`GRAPH`. To leave inferences out, pass `inferred=false`. To choose graphs, use the protocol's
`default-graph-uri` and `named-graph-uri` (repeatable; with either given, the dataset is exactly those
graphs and FROM in the query is overridden), or FROM / FROM NAMED in the query. Only our graphs may be named:
any other IRI is refused with 400 and never fetched.

**Closed and guarded.** SERVICE is refused (400) before the query runs; nothing is ever fetched. A query that
runs longer than `DUTYGRAPH_QUERY_TIMEOUT_S` seconds (default 30) is stopped — its worker process is killed —
and answered with 503. At most `DUTYGRAPH_MAX_ROWS` rows (or triples) are returned; a cut answer carries the
header `X-Dutygraph-Truncated: true` (and `X-Dutygraph-Row-Limit`) and is still a valid document. A body
larger than `DUTYGRAPH_MAX_BODY_BYTES` is refused with 413. Errors are plain text naming the problem (a
malformed query: the parser's message).
"""

_PROTOCOL_PARAMETERS = {
    "default-graph-uri": "IRI of one of our graphs to merge into the default graph (repeatable).",
    "named-graph-uri": "IRI of one of our graphs to offer as a named graph (repeatable).",
    "inferred": "`false` leaves the inferred graph out of the default dataset (default `true`).",
}

_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    200: {
        "description": "The answer, in the format the Accept header chose.",
        "content": {f.media_type: {} for f in (*RESULTS_FORMATS, *GRAPH_FORMATS)},
        "headers": {TRUNCATED_HEADER: {"description": "`true` when the row limit cut the answer."}},
    },
    400: {"description": "Malformed query (the parser's message), SERVICE, or a graph that is not ours."},
    403: {"description": "SPARQL Update: this endpoint only reads."},
    406: {"description": "No acceptable format for this query's answer."},
    413: {"description": "The request body is larger than the limit."},
    415: {"description": "A POST body that is neither a form nor application/sparql-query."},
    503: {"description": "The query ran out of time and was stopped, or every worker stayed busy."},
}


@asynccontextmanager
async def _query_workers(app: FastAPI) -> AsyncIterator[None]:
    """The worker processes of the served store, from start-up to shutdown (they start at the first query)."""
    workers = QueryWorkers(app.state.store)
    app.state.sparql_workers = workers
    try:
        yield
    finally:
        await run_in_threadpool(workers.close)


router = APIRouter(tags=["SPARQL"], lifespan=_query_workers)


def get_workers(request: Request) -> QueryWorkers:
    """The query workers the app started with this router."""
    workers: QueryWorkers = request.app.state.sparql_workers
    return workers


WorkersDep = Annotated[QueryWorkers, Depends(get_workers)]
_DefaultGraphs = Annotated[
    list[str] | None, Query(alias="default-graph-uri", description=_PROTOCOL_PARAMETERS["default-graph-uri"])
]
_NamedGraphs = Annotated[
    list[str] | None, Query(alias="named-graph-uri", description=_PROTOCOL_PARAMETERS["named-graph-uri"])
]
_Inferred = Annotated[str | None, Query(description=_PROTOCOL_PARAMETERS["inferred"], examples=["false"])]


@router.get(
    "/sparql",
    summary="SPARQL 查询 / SPARQL query (GET)",
    description=_DESCRIPTION,
    response_class=Response,
    responses=_RESPONSES,
)
async def sparql_get(
    request: Request,
    settings: SettingsDep,
    workers: WorkersDep,
    query: Annotated[list[str] | None, Query(description="The SPARQL 1.1 query (exactly one).")] = None,
    default_graph_uri: _DefaultGraphs = None,
    named_graph_uri: _NamedGraphs = None,
    inferred: _Inferred = None,
    update: Annotated[list[str] | None, Query(include_in_schema=False)] = None,
) -> Response:
    return await _answer(
        request,
        settings,
        workers,
        queries=query or [],
        updates=update or [],
        dataset=(default_graph_uri or [], named_graph_uri or [], inferred),
    )


@router.post(
    "/sparql",
    summary="SPARQL 查询 / SPARQL query (POST)",
    description=_DESCRIPTION,
    response_class=Response,
    responses=_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                _FORM: {
                    "schema": {
                        "type": "object",
                        "required": ["query"],
                        "properties": {
                            "query": {"type": "string", "description": "The SPARQL 1.1 query."},
                            **{
                                name: {"type": "string", "description": doc}
                                for name, doc in _PROTOCOL_PARAMETERS.items()
                            },
                        },
                    }
                },
                _QUERY: {"schema": {"type": "string", "description": "The SPARQL 1.1 query, UTF-8."}},
            },
        }
    },
)
async def sparql_post(
    request: Request,
    settings: SettingsDep,
    workers: WorkersDep,
    default_graph_uri: _DefaultGraphs = None,
    named_graph_uri: _NamedGraphs = None,
    inferred: _Inferred = None,
) -> Response:
    media_type, _, parameters = request.headers.get("content-type", "").partition(";")
    media_type = media_type.strip().lower()
    if media_type == _UPDATE:
        return _refusal(403, "SPARQL Update is refused: this endpoint only reads")
    if media_type not in (_FORM, _QUERY):
        return _refusal(
            415, f"send the query as {_FORM} (query=…) or as {_QUERY}, not {media_type or 'no type'}"
        )
    charset = _charset(parameters)
    if charset not in ("utf-8", "utf8"):
        return _refusal(415, f"the request body must be UTF-8, not {charset}")
    body = await _body(request, limit=settings.max_body_bytes)
    if isinstance(body, Response):
        return body
    try:
        text = body.decode("utf-8")
        fields = parse_qsl(text, keep_blank_values=True, errors="strict") if media_type == _FORM else []
    except UnicodeDecodeError as exc:
        return _refusal(400, f"the request body is not UTF-8: {exc}")
    if media_type == _QUERY:
        queries, updates = [text], []
        defaults, named, inferred_given = default_graph_uri or [], named_graph_uri or [], inferred
    else:
        queries = [value for name, value in fields if name == "query"]
        updates = [value for name, value in fields if name == "update"]
        # The protocol puts these in the form; accept them in the URL too.
        defaults = [*(default_graph_uri or []), *(v for n, v in fields if n == "default-graph-uri")]
        named = [*(named_graph_uri or []), *(v for n, v in fields if n == "named-graph-uri")]
        in_form = [value for name, value in fields if name == "inferred"]
        inferred_given = in_form[-1] if in_form else inferred
    return await _answer(
        request,
        settings,
        workers,
        queries=queries,
        updates=updates,
        dataset=(defaults, named, inferred_given),
    )


@router.options("/sparql", include_in_schema=False)
async def sparql_preflight(request: Request) -> Response:
    """CORS preflight: any origin, our three methods, the headers the client asks for."""
    asked = request.headers.get("access-control-request-headers")
    headers = {
        **_CORS,
        "Access-Control-Allow-Methods": _METHODS,
        "Access-Control-Allow-Headers": asked or "Accept, Content-Type",
        "Access-Control-Max-Age": "86400",
        "Allow": _METHODS,
    }
    return Response(status_code=204, headers=headers)


async def _answer(
    request: Request,
    settings: Settings,
    workers: QueryWorkers,
    *,
    queries: list[str],
    updates: list[str],
    dataset: tuple[list[str], list[str], str | None],
) -> Response:
    """Run the one query of a request and answer it, or refuse the request."""
    if updates:
        return _refusal(403, "SPARQL Update is refused: this endpoint only reads")
    if len(queries) != 1:
        given = "no query" if not queries else f"{len(queries)} queries"
        return _refusal(400, f"give exactly one SPARQL query in the query parameter, not {given}")
    default_graphs, named_graphs, inferred_text = dataset
    inferred = _flag(inferred_text)
    if inferred is None:
        return _refusal(400, f"inferred must be true or false, not {inferred_text!r}")
    job = QueryJob(
        queries[0],
        accept=request.headers.get("accept"),
        dataset=DatasetRequest(tuple(default_graphs), tuple(named_graphs), inferred=inferred),
        max_rows=settings.max_rows,
    )
    try:
        answer = await run_in_threadpool(workers.run, job, timeout_s=settings.query_timeout_s)
    except SparqlError as refused:
        return _refusal(_STATUS.get(type(refused), 500), str(refused))
    except DutygraphError as failed:  # the store could not be read for the workers
        return _refusal(500, str(failed))
    headers = {**_CORS, "Vary": "Accept"}
    if answer.truncated:
        headers[TRUNCATED_HEADER] = "true"
        headers[ROW_LIMIT_HEADER] = str(settings.max_rows)
    return Response(answer.body, media_type=answer.format.content_type, headers=headers)


def _flag(text: str | None) -> bool | None:
    """`inferred` as a bool (absent: true), or None if it is neither true nor false."""
    if text is None:
        return True
    return {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}.get(
        text.strip().lower()
    )


def _charset(parameters: str) -> str:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return "utf-8"


async def _body(request: Request, *, limit: int) -> bytes | Response:
    """The request body, or a 413 response once it is known to exceed `limit` bytes — by its declared
    Content-Length or by the bytes actually received (a chunked body declares none, a lying one less)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            return _refusal(400, f"Content-Length is not a number: {declared!r}")
        if int(declared) > limit:
            return _too_large(limit)
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > limit:
            return _too_large(limit)
    return bytes(received)


def _too_large(limit: int) -> Response:
    return _refusal(413, f"the request body is larger than {limit} bytes (DUTYGRAPH_MAX_BODY_BYTES)")


def _refusal(status: int, message: str) -> Response:
    """A plain-text error that browsers on any origin can read."""
    return Response(f"{message}\n", status_code=status, media_type=_TEXT, headers=_CORS)
