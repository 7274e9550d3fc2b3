"""The SPARQL query console (`/query`): an editor with SPARQL highlighting, the query library as examples,
results as a table with a CSV download.

The page talks to our own ``/sparql`` (POST form ``query=``, JSON results) from the browser; this route only
renders it. The editor and the results table are YASGUI's Yasqe and Yasr, vendored under
``/static/vendor/yasgui/`` and configured in ``/static/js/query-console.js`` so that nothing loads from another
host. The examples are the named queries of ``queries/`` (`dutygraph.kg.query_library`): title, question,
parameters with their examples, and the text, handed to the script as JSON (``tojson``). A parameter is
written ``$name`` in the text; left as it is, it matches every value (each library query names its parameters
in its SELECT clause), so an example runs unchanged and the user narrows it by editing.

>>> from fastapi.testclient import TestClient
>>> from dutygraph.api.app import create_app
>>> from dutygraph.settings import get_settings
>>> with TestClient(create_app(get_settings(backend="memory"))) as client:
...     page = client.get("/query", params={"example": "agency-tasks"})
>>> 'value="agency-tasks" selected' in page.text, "单位的任务 / Tasks of an agency" in page.text
(True, True)
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from typing import Annotated

import jinja2
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from rdflib.namespace import ORG, PROV, RDF, RDFS, SKOS, TIME, XSD

from dutygraph.errors import DutygraphError
from dutygraph.kg import iris
from dutygraph.kg.query_library import named_query, query_names
from dutygraph.ontology.namespace import AGENCY_TYPE, DG

router = APIRouter(include_in_schema=False)  # a page for people; /sparql itself is the documented protocol

_TEMPLATES = importlib.resources.files("dutygraph.api") / "templates"
# Autoescape for every template whatever its name: query text and headers are data, never markup.
templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
)

#: The example shown first when none is asked for: small, no parameter, says what the store holds.
DEFAULT_EXAMPLE = "stats"


@dataclass(frozen=True)
class ExampleParameter:
    """A parameter of an example query, as the console lists it."""

    name: str
    doc: str
    example: str | None


@dataclass(frozen=True)
class Example:
    """One library query offered in the console. `problem` says why its header could not be read (the text
    is still offered)."""

    name: str
    title: str
    answers: str
    reads: str
    parameters: tuple[ExampleParameter, ...]
    text: str
    problem: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "title": self.title,
            "answers": self.answers,
            "reads": self.reads,
            "parameters": [vars(p) for p in self.parameters],
            "text": self.text,
            "problem": self.problem,
        }


def library_examples() -> tuple[Example, ...]:
    """Every query of the library, by name, as the console offers it.

    >>> examples = {example.name: example for example in library_examples()}
    >>> examples["agency-tasks"].parameters[0].example
    '<https://w3id.org/dutygraph/id/agency/331002/market-regulation>'
    """
    examples: list[Example] = []
    for name in query_names():
        try:
            query = named_query(name)
        except DutygraphError as problem:
            # A query being written with a bad header still appears, so the list stays complete.
            examples.append(Example(name, name, "", "", (), "", str(problem)))
            continue
        parameters = tuple(ExampleParameter(p.name, p.doc, p.example) for p in query.parameter_docs)
        examples.append(
            Example(name, query.title or name, query.answers, query.reads, parameters, query.text)
        )
    return tuple(examples)


def console_prefixes() -> dict[str, str]:
    """The prefixes the results table shortens IRIs with (given locally: nothing is fetched from prefix.cc).

    >>> console_prefixes()["dg"]
    'https://w3id.org/dutygraph/ns#'
    """
    return {
        "dg": str(DG._NS),
        "at": str(AGENCY_TYPE._NS),
        "id": iris.ID,
        "dgg": iris.BASE + "graph/",
        "org": str(ORG),
        "skos": str(SKOS),
        "prov": str(PROV),
        "time": str(TIME),
        "rdf": str(RDF),
        "rdfs": str(RDFS),
        "xsd": str(XSD),
    }


@router.get("/query", response_class=HTMLResponse)
def query_console(
    request: Request,
    example: Annotated[str, Query(max_length=100, description="示例查询名 / library query to open")] = "",
) -> HTMLResponse:
    """The console, with the library's queries to pick from; `example` opens one of them."""
    examples = library_examples()
    names = [e.name for e in examples]
    fallback = DEFAULT_EXAMPLE if DEFAULT_EXAMPLE in names or not names else names[0]
    chosen = example if example in names else fallback
    return templates.TemplateResponse(
        request,
        "query.html",
        {
            "examples": examples,
            "chosen": chosen,
            "asked": example in names,
            "console": {
                "endpoint": "/sparql",
                "idBase": iris.ID,  # the results table opens our IRIs under /id/ on this server
                "prefixes": console_prefixes(),
                "examples": [e.as_json() for e in examples],
                "chosen": chosen,
                "asked": example in names,
            },
        },
    )
