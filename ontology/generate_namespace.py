"""Write ``ontology/namespace.py``, the closed namespaces ``DG`` and ``AGENCY_TYPE``, from the two .ttl files.

Like rdflib's own ``rdflib/tools/defined_namespace_creator.py``: every subject of the namespace that has an
``rdf:type`` becomes one annotated ``URIRef`` attribute with its English ``rdfs:comment`` (else label) as a
trailing comment, cut to its first sentence and to the line length (the .ttl keeps the full text); names
that are not Python identifiers (``market-regulation``) go to ``_extras``. Both classes set ``_fail = True``,
so a misspelt term raises instead of minting a new IRI. The namespace IRIs are read from the files' own
``dg:`` and ``at:`` prefixes, so no IRI is written twice.

The output is emitted already ``ruff format`` clean, with no timestamp, so regenerating an unchanged ontology
gives a byte-identical file.

Usage::

    python -m dutygraph.ontology.generate_namespace           # rewrite namespace.py
    python -m dutygraph.ontology.generate_namespace --check   # exit 1 if it would change

>>> source = render_namespace_module()
>>> '    _NS = rdflib_namespace.Namespace("https://w3id.org/dutygraph/ns#")' in source
True
>>> '        "market-regulation",  # Market Regulation Bureau' in source
True
"""

from __future__ import annotations

import argparse
import keyword
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from dutygraph.ontology import agency_types_path, ontology_path

#: The project's line length (pyproject.toml [tool.ruff]); comments are cut to fit, never wrapped.
LINE_LENGTH = 110

#: Where the generated module lives: beside this file, in the source tree of the editable install.
NAMESPACE_MODULE = Path(__file__).with_name("namespace.py")

# Sections of each class, in order: (heading, the rdf:type that puts a term in it); the last takes the rest.
_DG_SECTIONS: tuple[tuple[str, URIRef | None], ...] = (
    ("Classes", OWL.Class),
    ("Object properties", OWL.ObjectProperty),
    ("Datatype properties", OWL.DatatypeProperty),
    ("Concept schemes", SKOS.ConceptScheme),
    ("Individuals: roles and deadline kinds", None),
)
_AGENCY_TYPE_SECTIONS: tuple[tuple[str, URIRef | None], ...] = (
    ("Concept scheme", SKOS.ConceptScheme),
    ("Agency types, grouping concepts and group types", None),
)
# A sentence ends at a full stop followed by a capital (not at "e.g. the").
_SENTENCE_END = re.compile(r"(?<=\.)\s+(?=[A-Z])")


@dataclass(frozen=True)
class Term:
    """One term of a namespace: its local name and the one-line English description written beside it."""

    name: str
    description: str


def _parse(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle")


def _prefix(graph: Graph, prefix: str) -> str:
    """The IRI a file binds to `prefix`; the .ttl files are the only place the namespace IRIs are written."""
    for bound, namespace in graph.namespaces():
        if bound == prefix:
            return str(namespace)
    raise ValueError(f"the ontology file binds no prefix {prefix!r}")


def _english(graph: Graph, subject: URIRef, predicates: Iterable[URIRef]) -> str:
    for predicate in predicates:
        texts = sorted(
            str(value)
            for value in graph.objects(subject, predicate)
            if isinstance(value, Literal) and value.language == "en"
        )
        if texts:
            return " ".join(texts[0].split())
    return ""


def _terms(graph: Graph, namespace: str, *, section: URIRef | None = None) -> list[Term]:
    """Terms declared in `graph` under `namespace`: subjects with an rdf:type, optionally of one kind."""
    subjects = {
        subject
        for subject, kind in graph.subject_objects(RDF.type)
        if isinstance(subject, URIRef)
        and str(subject).startswith(namespace)
        and str(subject) != namespace
        and (section is None or kind == section)
    }
    described = (RDFS.comment, RDFS.label, SKOS.definition, SKOS.prefLabel)
    return sorted(
        (Term(str(subject)[len(namespace) :], _english(graph, subject, described)) for subject in subjects),
        key=lambda term: term.name,
    )


def _sectioned(
    graph: Graph, namespace: str, sections: Sequence[tuple[str, URIRef | None]]
) -> list[tuple[str, list[Term]]]:
    """The namespace's terms by section; each term in the first section its types match (a transitive
    property is an object property first)."""
    result: list[tuple[str, list[Term]]] = []
    placed: set[str] = set()
    for heading, kind in sections:
        terms = [term for term in _terms(graph, namespace, section=kind) if term.name not in placed]
        placed.update(term.name for term in terms)
        result.append((heading, terms))
    return result


def _is_identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_")


def _width(text: str) -> int:
    """Display columns as ruff counts them for the line length: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _with_comment(code: str, description: str) -> str:
    """`code` with `description` as a trailing comment, cut so the line fits LINE_LENGTH columns.

    >>> _with_comment("    leads: URIRef", "The organisation leads the task. It is written 牵头.")
    '    leads: URIRef  # The organisation leads the task.'
    >>> _with_comment("    x: URIRef", "word " * 40)[-11:]
    'word word …'
    >>> len(_with_comment("    x: URIRef", "word " * 40)) <= LINE_LENGTH
    True
    """
    sentence = _SENTENCE_END.split(description, maxsplit=1)[0]
    line = f"{code}  # {sentence}" if sentence else code
    if _width(line) <= LINE_LENGTH:
        return line
    words = line.split(" ")
    while _width(" ".join(words) + " …") > LINE_LENGTH:
        words.pop()
    return " ".join(words).rstrip(",;:") + " …"


def _attribute(term: Term) -> str:
    return _with_comment(f"    {term.name}: URIRef", term.description)


def _extra(term: Term) -> str:
    return _with_comment(f'        "{term.name}",', term.description)


def _class_source(name: str, doc: str, namespace: str, sections: Sequence[tuple[str, list[Term]]]) -> str:
    lines = [
        f"class {name}(rdflib_namespace.DefinedNamespace):",
        f'    """{doc}"""',
        "",
        f'    _NS = rdflib_namespace.Namespace("{namespace}")',
        "    _fail = True",
        "",
    ]
    extras: list[Term] = []
    for heading, terms in sections:
        attributes = [term for term in terms if _is_identifier(term.name)]
        extras += [term for term in terms if not _is_identifier(term.name)]
        if attributes:
            lines += [f"    # {heading}", *map(_attribute, attributes), ""]
    if extras:
        lines += [
            '    # Terms that are not Python identifiers: reach them as NAME["market-regulation"]',
            "    # rdflib's DefinedNamespaceMeta declares `_extras: List[str]`, so a list it is.",
            "    _extras = [  # noqa: RUF012",
            *map(_extra, sorted(extras, key=lambda term: term.name)),
            "    ]",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_namespace_module(*, ontology_text: str | None = None, agency_types_text: str | None = None) -> str:
    """The source of namespace.py for the two ontology files (the shipped ones unless texts are given).

    Raises ``ValueError`` when a file binds no ``dg:`` or ``at:`` prefix, and rdflib's parser errors when
    one is not Turtle.
    """
    ontology = _parse(ontology_text if ontology_text is not None else ontology_path().read_text("utf-8"))
    agency_types = _parse(
        agency_types_text if agency_types_text is not None else agency_types_path().read_text("utf-8")
    )
    dg = _prefix(ontology, "dg")
    at = _prefix(agency_types, "at")

    dg_class = _class_source(
        "DG",
        "Terms of the dutygraph ontology (ontology/dutygraph.ttl), closed: a misspelt term raises.",
        dg,
        _sectioned(ontology, dg, _DG_SECTIONS),
    )
    at_class = _class_source(
        "AGENCY_TYPE",
        "Concepts of the agency-type scheme (ontology/agency-types.ttl), closed: a misspelt key raises.",
        at,
        _sectioned(agency_types, at, _AGENCY_TYPE_SECTIONS),
    )
    header = (
        "# GENERATED by `python -m dutygraph.ontology.generate_namespace` from ontology/dutygraph.ttl and\n"
        "# ontology/agency-types.ttl. Do not edit: change the .ttl files and regenerate.\n"
        '"""Closed namespaces: the ontology terms (``DG``) and the agency-type concepts (``AGENCY_TYPE``).\n'
        "\n"
        ">>> DG.leads\n"
        "rdflib.term.URIRef('https://w3id.org/dutygraph/ns#leads')\n"
        '>>> AGENCY_TYPE["market-regulation"]\n'
        "rdflib.term.URIRef('https://w3id.org/dutygraph/agency-type/market-regulation')\n"
        '"""\n'
        "\n"
        "from __future__ import annotations\n"
        "\n"
        "# The module, not its classes: pytest's doctest scan probes every module global, and rdflib's bare\n"
        "# DefinedNamespace base class warns on each unknown attribute it is asked for.\n"
        "from rdflib import namespace as rdflib_namespace\n"
        "from rdflib.term import URIRef\n"
    )
    return f"{header}\n\n{dg_class}\n\n{at_class}"


def main(argv: Sequence[str] | None = None) -> int:
    """Write namespace.py, or with ``--check`` report whether it is up to date (exit 1 if not)."""
    parser = argparse.ArgumentParser(
        prog="python -m dutygraph.ontology.generate_namespace",
        description="Generate the closed DG and AGENCY_TYPE namespaces from the ontology files.",
    )
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if the file would change")
    parser.add_argument(
        "--output", type=Path, default=NAMESPACE_MODULE, help="module to write (default: %(default)s)"
    )
    options = parser.parse_args(argv)
    source = render_namespace_module()
    output: Path = options.output
    current = output.read_text(encoding="utf-8") if output.exists() else None
    if options.check:
        if current != source:
            print(f"{output} is out of date; run {parser.prog}", file=sys.stderr)
            return 1
        return 0
    if current != source:
        output.write_text(source, encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
