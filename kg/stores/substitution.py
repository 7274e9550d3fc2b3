"""Parameters as terms in the query text (SEP-0007 substitution), for engines that plan better with constants.

pyoxigraph takes parameters as `substitutions`, but plans the query before it sees them: a staff query for one
bureau was planned as if for every bureau (90 ms instead of 2 ms at 450k triples). So both the oxigraph and the
sparql backends write the bound term into the text, after `checked_bindings` accepted it: the term's
N-Triples form (an IRI checked absolute and free of forbidden characters; a literal escaped by rdflib), in
place of each occurrence of the variable. This is the one place where a term becomes text.

>>> from rdflib import URIRef
>>> print(substituted("SELECT ?task ?agency WHERE { ?task ?p ?lead FILTER(?lead = ?agency) }",
...                   {"agency": URIRef("https://w3id.org/dutygraph/id/agency/331002/market-regulation")}))
SELECT ?task (<https://w3id.org/dutygraph/id/agency/331002/market-regulation> AS ?agency) WHERE \
{ ?task ?p ?lead FILTER(?lead = <https://w3id.org/dutygraph/id/agency/331002/market-regulation>) }
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib import Literal, URIRef


def substituted(sparql: str, bindings: Mapping[str, URIRef | Literal]) -> str:
    """`sparql` with each parameter variable replaced by its term (SEP-0007 substitution), as text.

    Strings, IRIs and comments are left alone. In a SELECT clause the variable stays a column:
    ``?agency`` becomes ``(<term> AS ?agency)``; in GROUP BY and ORDER BY it becomes ``(<term>)``,
    elsewhere the bare term. Give it bindings `checked_bindings` accepted.

    >>> print(substituted('SELECT ?name WHERE { ?a ?p ?name } # ?name', {"name": Literal("区农业农村局", lang="zh")}))
    SELECT ("区农业农村局"@zh AS ?name) WHERE { ?a ?p "区农业农村局"@zh } # ?name
    """
    if not bindings:
        return sparql
    terms = {name: term.n3() for name, term in bindings.items()}
    pieces: list[str] = []
    clause = None  # "select", "group" or "order": the clause the text is in, at `clause_depth`
    clause_depth = depth = 0
    pending: str | None = None  # GROUP or ORDER seen, waiting for BY
    for token in _TOKEN.finditer(sparql):
        text, kind = token.group(), token.lastgroup
        if kind == "word":
            word = text.upper()
            if word == "SELECT":
                clause, clause_depth = "select", depth
            elif word in ("GROUP", "ORDER"):
                pending = word.lower()
            elif word == "BY" and pending:
                clause, clause_depth = pending, depth
            elif word in ("WHERE", "FROM", "HAVING", "LIMIT", "OFFSET", "VALUES") and depth == clause_depth:
                clause = None
            if word != "BY" and word not in ("GROUP", "ORDER"):
                pending = None
        elif kind == "punct":
            if text == "(":
                depth += 1
            elif text == ")":
                depth -= 1
            elif text in "{}":
                clause = None
        elif kind == "variable" and text[1:] in terms:
            term = terms[text[1:]]
            at_top = clause is not None and depth == clause_depth
            if at_top and clause == "select":
                text = f"({term} AS {text})"
            elif at_top:
                text = f"({term})"
            else:
                text = term
        pieces.append(text)
    return "".join(pieces)


# SPARQL's lexical tokens as far as substitution needs them; anything else is one character of "other".
_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
      | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                   |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<variable>[?$][^\W][\w\u00b7\u0300-\u036f\u203f-\u2040]*)
      | (?P<word>[^\W\d][\w.-]*(?::[\w.:%-]*)?|:[\w.:%-]*|_:[\w.-]+)
      | (?P<punct>[(){}])
      | (?P<other>\s+|.)""",
    re.VERBOSE | re.DOTALL,
)
