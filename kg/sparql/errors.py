"""The refusals of the SPARQL endpoint: one `SparqlError` subclass per kind (one HTTP status each).

They cross the pipe from a worker process to the server, so they stay plain exceptions with a message.

>>> issubclass(UpdateRefused, SparqlError), str(QueryRefused("SERVICE is refused"))
(True, 'SERVICE is refused')
"""

from __future__ import annotations

from dutygraph.errors import DutygraphError


class SparqlError(DutygraphError):
    """A query the endpoint does not answer; each subclass is one kind of refusal (one HTTP status)."""


class MalformedQuery(SparqlError):
    """The text is not a SPARQL 1.1 query; the message is the parser's."""


class UpdateRefused(SparqlError):
    """SPARQL Update (INSERT, DELETE, LOAD, CLEAR, …): the endpoint only reads."""


class QueryRefused(SparqlError):
    """A valid query the endpoint will not run: SERVICE, or a graph that is not one of ours."""


class NotAcceptable(SparqlError):
    """No format the client accepts can carry this query's answer."""


class QueryTimedOut(SparqlError):
    """The query ran out of time (its worker was killed), or no worker came free in time."""


class QueryFailed(SparqlError):
    """The engine or a worker failed: not the query's fault."""
