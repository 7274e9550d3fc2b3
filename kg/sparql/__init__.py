"""The SPARQL 1.1 Protocol query operation without its HTTP: which graphs a query reads, how it runs under a
time limit, and how its answer is written.

What the endpoint promises, and where it is kept:

- **Closed.** A query reads this store only. SPARQL Update (LOAD included) is refused with `UpdateRefused`;
  ``SERVICE`` anywhere in a query, and ``FROM`` / ``FROM NAMED`` / ``default-graph-uri`` /
  ``named-graph-uri`` naming anything but one of our graphs, with `QueryRefused` — all by
  `checked_protocol_query` and `query_dataset`, before the engine sees the query. Nothing is ever fetched.
- **The dataset** (`query_dataset`): by default the union of every plan graph, the ontology graph and the
  inferred graph, each of them also a named graph for ``GRAPH``. ``inferred=False`` leaves the inferred graph
  out. The protocol's ``default-graph-uri`` / ``named-graph-uri`` choose among our graphs and, as the
  protocol says, win over ``FROM`` / ``FROM NAMED`` in the query text, which otherwise choose.
- **Guarded.** `QueryWorkers` runs each query in a worker process and kills that process when the time
  limit passes (a pyoxigraph query cannot be interrupted from another thread), then starts a fresh one.
  An answer holds at most ``max_rows`` rows (SELECT) or triples (CONSTRUCT, DESCRIBE); reading stops at
  the limit and `QueryAnswer.truncated` says so.
- **Negotiated.** `negotiated_format` picks the answer's format from an HTTP Accept header (q-values,
  wildcards): SPARQL JSON, XML, CSV or TSV for SELECT and ASK; Turtle, N-Triples, JSON-LD or RDF/XML for
  graphs; always UTF-8. `serialised` writes a `QueryResult` in any of them.

The submodules, each importing only those before it:

- `dutygraph.kg.sparql.errors` — `SparqlError` and its subclasses, one per kind of refusal.
- `dutygraph.kg.sparql.formats` — `QueryForm`, `ResultFormat` and the formats, Accept negotiation
  (`negotiated_format`), and writing answers (`serialised`).
- `dutygraph.kg.sparql.checks` — `checked_protocol_query`: Update, SERVICE and LOAD refused, FROM / FROM
  NAMED kept as `CheckedQuery`.
- `dutygraph.kg.sparql.dataset` — `DatasetRequest`, `served_graphs`, `query_dataset`.
- `dutygraph.kg.sparql.workers` — `QueryJob`, `QueryAnswer`, `StoreSource`, `write_snapshot`, `QueryEngine`,
  `QueryWorkers` and the code each worker process runs.

>>> query = checked_protocol_query(
...     "PREFIX dg: <https://w3id.org/dutygraph/ns#> SELECT ?agency WHERE { ?agency dg:leads ?task }")
>>> query.form, negotiated_format("text/csv, */*;q=0.1", form=query.form).media_type
('SELECT', 'text/csv')
"""

from __future__ import annotations

from dutygraph.kg.sparql.checks import CheckedQuery, checked_protocol_query
from dutygraph.kg.sparql.dataset import DatasetRequest, QueryDataset, query_dataset, served_graphs
from dutygraph.kg.sparql.errors import (
    MalformedQuery,
    NotAcceptable,
    QueryFailed,
    QueryRefused,
    QueryTimedOut,
    SparqlError,
    UpdateRefused,
)
from dutygraph.kg.sparql.formats import (
    GRAPH_FORMATS,
    JSON_LD,
    N_TRIPLES,
    RDF_XML,
    RESULTS_FORMATS,
    SPARQL_CSV,
    SPARQL_JSON,
    SPARQL_TSV,
    SPARQL_XML,
    TURTLE,
    MediaRange,
    QueryForm,
    ResultFormat,
    formats_for,
    media_ranges,
    negotiated_format,
    serialised,
)
from dutygraph.kg.sparql.workers import (
    DEFAULT_WORKERS,
    QueryAnswer,
    QueryEngine,
    QueryJob,
    QueryWorkers,
    StoreSource,
    write_snapshot,
)

__all__ = [
    "DEFAULT_WORKERS",
    "GRAPH_FORMATS",
    "JSON_LD",
    "N_TRIPLES",
    "RDF_XML",
    "RESULTS_FORMATS",
    "SPARQL_CSV",
    "SPARQL_JSON",
    "SPARQL_TSV",
    "SPARQL_XML",
    "TURTLE",
    "CheckedQuery",
    "DatasetRequest",
    "MalformedQuery",
    "MediaRange",
    "NotAcceptable",
    "QueryAnswer",
    "QueryDataset",
    "QueryEngine",
    "QueryFailed",
    "QueryForm",
    "QueryJob",
    "QueryRefused",
    "QueryTimedOut",
    "QueryWorkers",
    "ResultFormat",
    "SparqlError",
    "StoreSource",
    "UpdateRefused",
    "checked_protocol_query",
    "formats_for",
    "media_ranges",
    "negotiated_format",
    "query_dataset",
    "serialised",
    "served_graphs",
    "write_snapshot",
]
