"""`dutygraph query NAME|FILE.rq|'SPARQL' [--param NAME=VALUE ...]`: ask the store a question, read-only.

NAME is a query of the library (`dutygraph query --list`); an argument ending in ``.rq`` is a query file; anything
else is SPARQL text. A query's parameters are the variables it writes with ``$`` (``$agency``); each is given
as ``--param agency=VALUE`` and bound as an RDF term (`dutygraph.kg.parameters`), never pasted into the text.
An agency parameter may also be given by name (乐清市市场监管局), resolved against the store. SELECT answers
print as a table, JSON or CSV; ASK as true/false; CONSTRUCT and DESCRIBE as Turtle. Updates, FROM and SERVICE
are refused.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from dutygraph.commands._store_options import (
    add_store_options,
    open_configured_store,
    settings_from,
)
from dutygraph.errors import DutygraphError

if TYPE_CHECKING:
    from rdflib.term import Identifier

    from dutygraph.commands._output import Format
    from dutygraph.kg.query_library import NamedQuery
    from dutygraph.kg.stores import GraphStore, QueryResult


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    query = commands.add_parser(
        "query",
        help="run a named query, a .rq file or SPARQL text (read-only)",
        description=__doc__.split("\n\n", 1)[1].replace("`", "") if __doc__ else None,
    )
    query.add_argument(
        "query",
        nargs="?",
        metavar="NAME|FILE.rq|SPARQL",
        help="a library query's name (see --list), a path ending in .rq, or SPARQL text",
    )
    query.add_argument("--list", action="store_true", help="list the library's queries with their parameters")
    query.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help='bind parameter $NAME: <IRI>, dg:LeadRole, 2020-12-31, 4.5, "text"@zh, or plain text',
    )
    # The choices of `_output.FORMATS`, written out: importing `_output` loads rdflib, and --help stays instant.
    query.add_argument(
        "--format", choices=("table", "json", "csv"), default="table", help="how answers print"
    )
    query.add_argument(
        "--asserted-only",
        action="store_true",
        help="read only what the plans assert (+ the ontology), not the inferred graph",
    )
    add_store_options(query)
    query.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from dutygraph.kg.parameters import parse_params
    from dutygraph.kg.query_library import checked_query_form, run_query

    if args.list:
        print(_library_listing(args.format))
        return 0
    if args.query is None:
        raise DutygraphError("name a query (see `dutygraph query --list`), a .rq file or SPARQL text")
    query = _query_named(args.query)
    form = checked_query_form(query.text)
    params = parse_params(args.param)
    settings = settings_from(args)
    with open_configured_store(settings) as store:
        bindings = _resolved(store, query, params)
        result = run_query(store, query, bindings=bindings, inferred=not args.asserted_only)
    print(_answer(result, form, args.format))
    return 0


def _query_named(argument: str) -> NamedQuery:
    """The library query, file or text the argument names."""
    from dutygraph.kg.query_library import named_query, parse_query, query_names

    if argument in query_names():
        return named_query(argument)
    if argument.endswith(".rq"):
        path = Path(argument)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise DutygraphError(f"{path}: cannot read the query file: {error}") from error
        return parse_query(path.stem, text, header_required=False, source=str(path))
    if not any(ch.isspace() for ch in argument.strip()):
        raise DutygraphError(f"no query named {argument!r}; see `dutygraph query --list`")
    return parse_query("query", argument, header_required=False)


def _resolved(store: GraphStore, query: NamedQuery, params: dict[str, Identifier]) -> dict[str, Identifier]:
    """`params`, with an agency given by name (a plain string) replaced by the agency's IRI."""
    from rdflib import Literal

    from dutygraph.kg.agency_search import find_agencies

    resolved = dict(params)
    for parameter in query.parameter_docs:
        value = params.get(parameter.name)
        if not (parameter.names_agency and isinstance(value, Literal) and value.datatype is None):
            continue
        found = find_agencies(store, str(value))
        if not found:
            raise DutygraphError(f"parameter {parameter.name}: no agency in the store goes by {str(value)!r}")
        if len(found) > 1:
            listed = "; ".join(f"{c.label} <{c.iri}>" for c in found)
            raise DutygraphError(
                f"parameter {parameter.name}: {str(value)!r} may mean {len(found)} agencies: {listed}"
            )
        resolved[parameter.name] = found[0].iri
    return resolved


def _answer(result: QueryResult, form: str, fmt: Format) -> str:
    """The answer as it prints: Turtle for graphs, true/false for ASK, rows in `fmt` for SELECT."""
    from dutygraph.commands._output import plain, render

    if form in ("CONSTRUCT", "DESCRIBE"):
        from dutygraph.ontology.namespace import AGENCY_TYPE, DG

        graph = result.graph
        if graph is None:
            return ""
        graph.bind("dg", str(DG._NS))
        graph.bind("at", str(AGENCY_TYPE._NS))
        return graph.serialize(format="turtle").rstrip("\n")
    if form == "ASK":
        answer = bool(result.boolean)
        if fmt == "json":
            return json.dumps({"boolean": answer})
        return f"boolean\n{str(answer).lower()}" if fmt == "csv" else str(answer).lower()
    shown = _short if fmt == "table" else plain
    return render(result.variables, [[shown(value) for value in row] for row in result.rows], fmt)


def _short(term: Identifier | None) -> object:
    """A term for people: vocabulary IRIs as dg:LeadRole / at:market-regulation; data IRIs whole (to pass back)."""
    from rdflib import URIRef

    from dutygraph.commands._output import plain
    from dutygraph.ontology.namespace import AGENCY_TYPE, DG

    if isinstance(term, URIRef):
        for prefix, namespace in (("dg", DG._NS), ("at", AGENCY_TYPE._NS)):
            if term.startswith(str(namespace)):
                return f"{prefix}:{term.removeprefix(str(namespace))}"
    return plain(term)


def _library_listing(fmt: Format) -> str:
    from dutygraph.commands._output import render
    from dutygraph.kg.query_library import named_query, query_names

    rows = []
    for name in query_names():
        query = named_query(name)
        # A table shows what to type ($agency); JSON and CSV say what each parameter is.
        described = (f"${p.name}" if fmt == "table" else f"{p.name}: {p.doc}" for p in query.parameter_docs)
        parameters = (" " if fmt == "table" else "; ").join(described)
        rows.append([name, parameters, query.title, query.answers])
    if fmt == "table":
        return render(["name", "parameters", "title"], [row[:3] for row in rows], "table")
    return render(["name", "parameters", "title", "answers"], rows, fmt)
