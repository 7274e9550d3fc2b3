"""The rules of the reasoner: OWL 2 RL rules instantiated from the ontology's axioms, plus the bridging rules.

Nothing here names a dutygraph property. Each axiom of the ontology becomes one rule with constant predicates,
named after the OWL 2 RL rule it instantiates (W3C OWL 2 Profiles, section 4.3, tables 5, 6 and 9):

=========  ==========================================  ============================================
rule       axiom                                       derives
=========  ==========================================  ============================================
prp-spo1   p rdfs:subPropertyOf q (closed: scm-spo)    x p y ⇒ x q y
prp-spo2   p owl:propertyChainAxiom (p1 … pn)          x p1 u1 … un-1 pn y ⇒ x p y
prp-inv1   p owl:inverseOf q                           x p y ⇒ y q x
prp-inv2   p owl:inverseOf q                           x q y ⇒ y p x
prp-trp    p a owl:TransitiveProperty                  x p y, y p z ⇒ x p z
prp-symp   p a owl:SymmetricProperty                   x p y ⇒ y p x
prp-eqp1/2 p owl:equivalentProperty q                  x p y ⇔ x q y
prp-dom    p rdfs:domain C (a named class)             x p y ⇒ x a C
prp-rng    p rdfs:range C (a named class)              x p y ⇒ y a C
cax-sco    C rdfs:subClassOf D (closed: scm-sco)       x a C ⇒ x a D
cax-eqc1/2 C owl:equivalentClass D                     x a C ⇔ x a D
=========  ==========================================  ============================================

Types are derived only because bridging rules test them (``?agency a dg:Agency``); they never reach the
inferred graph. Axioms whose OWL 2 RL rules derive something these rules cannot (functional and
inverse-functional properties, keys, ``owl:sameAs``, value and cardinality restrictions, intersections) are
refused by `check_translatable`, so the fast engine never silently differs from owlrl.

Bridging rules are the SPARQL files of `dutygraph.kg.rules` (one ``CONSTRUCT`` each, named by file).

>>> from dutygraph.ontology import load_ontology
>>> rules = ontology_rules(load_ontology())
>>> print(next(r for r in rules if r.id == "prp-spo1" and r.head[1] == DG.involvedIn and DG.leads in r.reads).axiom)
dg:leads rdfs:subPropertyOf dg:involvedIn
>>> print(next(r for r in rules if r.id == "prp-spo2" and r.head[1] == DG.assists).axiom)
dg:assists owl:propertyChainAxiom (dg:memberOf dg:assists)
>>> [rule.id for rule in bridging_rules()]
['group-members', 'group-subdivisions']
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from rdflib import RDF, BNode, Graph, Literal, URIRef, Variable
from rdflib.collection import Collection
from rdflib.namespace import ORG, OWL, RDFS, SKOS
from rdflib.term import Identifier, Node

from dutygraph.errors import DutygraphError
from dutygraph.ontology.namespace import AGENCY_TYPE, DG

#: A term of a rule's pattern: a constant IRI (or literal) or a variable.
PatternTerm = URIRef | Literal | Variable
Pattern = tuple[PatternTerm, PatternTerm, PatternTerm]

_PREFIXES: tuple[tuple[str, str], ...] = (
    ("dg", str(DG)),
    ("at", str(AGENCY_TYPE)),
    ("org", str(ORG)),
    ("skos", str(SKOS)),
    ("owl", str(OWL)),
    ("rdfs", str(RDFS)),
    ("rdf", str(RDF)),
)

# OWL 2 RL rules that derive triples the generated rules do not: refused rather than silently skipped.
_UNTRANSLATED_TYPES = {
    OWL.FunctionalProperty: "prp-fp",
    OWL.InverseFunctionalProperty: "prp-ifp",
}
_UNTRANSLATED_PREDICATES = {
    OWL.hasKey: "prp-key",
    OWL.sameAs: "eq-rep",
    OWL.hasValue: "cls-hv1/2",
    OWL.someValuesFrom: "cls-svf1/2",
    OWL.allValuesFrom: "cls-avf",
    OWL.intersectionOf: "cls-int1",
    OWL.oneOf: "cls-oo",
    OWL.maxCardinality: "cls-maxc2",
    OWL.maxQualifiedCardinality: "cls-maxqc3/4",
    OWL.sourceIndividual: "prp-npa",
}


def curie(term: Node) -> str:
    """A short name for an IRI of the vocabularies we use; anything else in its N-Triples form.

    >>> curie(DG.leads), curie(ORG.hasMember), curie(URIRef("urn:example:x"))
    ('dg:leads', 'org:hasMember', '<urn:example:x>')
    """
    if isinstance(term, URIRef):
        for prefix, namespace in _PREFIXES:
            if term.startswith(namespace) and re.fullmatch(r"[A-Za-z_][\w.-]*", term[len(namespace) :]):
                return f"{prefix}:{term[len(namespace) :]}"
    if isinstance(term, Variable):
        return f"?{term}"
    return str(term.n3()) if isinstance(term, Identifier) else str(term)


@dataclass(frozen=True)
class Rule:
    """One rule: when every `body` pattern holds (with `values` choosing constants), `head` holds.

    `id` is the OWL 2 RL rule name or the bridging rule's file name; `axiom` says in words which axiom (or
    which bridging rule) it applies; `because` is the bridging rule's reason, with ``?variables``.
    """

    id: str
    axiom: str
    head: Pattern
    body: tuple[Pattern, ...]
    values: tuple[tuple[Variable, tuple[URIRef, ...]], ...] = ()
    because: str = ""

    @property
    def reads(self) -> frozenset[PatternTerm]:
        """The predicates the body reads (a variable if one is read by variable)."""
        return frozenset(pattern[1] for pattern in self.body)

    @property
    def variables(self) -> tuple[Variable, ...]:
        """Every variable of the rule, in first-seen order (the head's first)."""
        seen = [t for pattern in (self.head, *self.body) for t in pattern if isinstance(t, Variable)]
        seen += [variable for variable, _ in self.values]
        return tuple(dict.fromkeys(seen))

    def where(self) -> str:
        """The body as a SPARQL group graph pattern."""
        parts = [
            f"VALUES ?{variable} {{ {' '.join(term.n3() for term in terms)} }}"
            for variable, terms in self.values
        ]
        parts += [f"{_n3(s)} {_n3(p)} {_n3(o)} ." for s, p, o in self.body]
        return "{ " + " ".join(parts) + " }"

    def insert(self) -> str:
        """The rule as a SPARQL Update that adds what it derives."""
        s, p, o = self.head
        return f"INSERT {{ {_n3(s)} {_n3(p)} {_n3(o)} }} WHERE {self.where()}"

    def construct(self) -> str:
        """The rule as a SPARQL CONSTRUCT of what it derives."""
        s, p, o = self.head
        return f"CONSTRUCT {{ {_n3(s)} {_n3(p)} {_n3(o)} }} WHERE {self.where()}"

    def select(self) -> str:
        """The body as a SELECT of every variable: the matches an explanation reads premises from."""
        return f"SELECT {' '.join(f'?{v}' for v in self.variables)} WHERE {self.where()}"


def _n3(term: PatternTerm) -> str:
    return f"?{term}" if isinstance(term, Variable) else term.n3()


_X, _Y, _Z = Variable("x"), Variable("y"), Variable("z")


def check_translatable(graph: Graph) -> None:
    """Refuse axioms (and ``owl:sameAs`` in data) whose OWL 2 RL rules the generated rules do not cover.

    >>> bad = Graph()
    >>> _ = bad.add((DG.taskKey, RDF.type, OWL.InverseFunctionalProperty))
    >>> check_translatable(bad)
    Traceback (most recent call last):
    dutygraph.errors.DutygraphError: the rules cannot translate owl:InverseFunctionalProperty (OWL 2 RL prp-ifp) of dg:taskKey; use mode 'owlrl'

    :raises DutygraphError: naming the first such axiom and the OWL 2 RL rule it needs.
    """
    found = [(kind, subject) for kind in _UNTRANSLATED_TYPES for subject in graph.subjects(RDF.type, kind)]
    found += [
        (predicate, subject)
        for predicate in _UNTRANSLATED_PREDICATES
        for subject in graph.subjects(predicate)
    ]
    if found:
        term, subject = found[0]
        rule = _UNTRANSLATED_TYPES.get(term) or _UNTRANSLATED_PREDICATES[term]
        raise DutygraphError(
            f"the rules cannot translate {curie(term)} (OWL 2 RL {rule}) of {curie(subject)}; use mode 'owlrl'"
        )


def _closure(pairs: Iterable[tuple[URIRef, URIRef]]) -> set[tuple[URIRef, URIRef]]:
    """The transitive closure of a relation given as pairs, without reflexive pairs (scm-spo, scm-sco)."""
    above: dict[URIRef, set[URIRef]] = {}
    for low, high in pairs:
        above.setdefault(low, set()).add(high)
    closed: set[tuple[URIRef, URIRef]] = set()
    for start in above:
        stack, seen = list(above[start]), set[URIRef]()
        while stack:
            node = stack.pop()
            if node in seen or node == start:
                continue
            seen.add(node)
            closed.add((start, node))
            stack.extend(above.get(node, ()))
    return closed


def _named_pairs(graph: Graph, predicate: URIRef) -> Iterator[tuple[URIRef, URIRef]]:
    for subject, obj in graph.subject_objects(predicate):
        if isinstance(subject, URIRef) and isinstance(obj, URIRef):
            yield subject, obj


def _axiom_path(pair: tuple[URIRef, URIRef], direct: set[tuple[URIRef, URIRef]], predicate: str) -> str:
    low, high = pair
    if pair in direct:
        return f"{curie(low)} {predicate} {curie(high)}"
    return f"{curie(low)} {predicate} {curie(high)} (scm: by transitivity)"


def ontology_rules(ontology: Graph) -> tuple[Rule, ...]:
    """The OWL 2 RL rules the axioms of `ontology` call for, one per axiom (see the module docstring).

    :raises DutygraphError: the ontology uses an axiom the rules do not translate (`check_translatable`).
    """
    check_translatable(ontology)
    rules: list[Rule] = []
    direct = set(_named_pairs(ontology, RDFS.subPropertyOf))
    for low, high in sorted(_closure(direct)):
        rules.append(
            Rule(
                "prp-spo1",
                _axiom_path((low, high), direct, "rdfs:subPropertyOf"),
                (_X, high, _Y),
                ((_X, low, _Y),),
            )
        )
    for one, other in sorted(_named_pairs(ontology, OWL.equivalentProperty)):
        axiom = f"{curie(one)} owl:equivalentProperty {curie(other)}"
        rules.append(Rule("prp-eqp1", axiom, (_X, other, _Y), ((_X, one, _Y),)))
        rules.append(Rule("prp-eqp2", axiom, (_X, one, _Y), ((_X, other, _Y),)))
    for one, other in sorted(_named_pairs(ontology, OWL.inverseOf)):
        axiom = f"{curie(one)} owl:inverseOf {curie(other)}"
        rules.append(Rule("prp-inv1", axiom, (_Y, other, _X), ((_X, one, _Y),)))
        rules.append(Rule("prp-inv2", axiom, (_Y, one, _X), ((_X, other, _Y),)))
    for prop in sorted(
        p for p in ontology.subjects(RDF.type, OWL.TransitiveProperty) if isinstance(p, URIRef)
    ):
        rules.append(
            Rule(
                "prp-trp",
                f"{curie(prop)} a owl:TransitiveProperty",
                (_X, prop, _Z),
                ((_X, prop, _Y), (_Y, prop, _Z)),
            )
        )
    for prop in sorted(
        p for p in ontology.subjects(RDF.type, OWL.SymmetricProperty) if isinstance(p, URIRef)
    ):
        rules.append(
            Rule("prp-symp", f"{curie(prop)} a owl:SymmetricProperty", (_Y, prop, _X), ((_X, prop, _Y),))
        )
    for chained, chain_node in sorted(ontology.subject_objects(OWL.propertyChainAxiom)):
        chain = [p for p in Collection(ontology, chain_node) if isinstance(p, URIRef)]
        if not isinstance(chained, URIRef) or len(chain) < 2:
            continue
        links = [Variable(f"u{i}") for i in range(len(chain) + 1)]
        body = tuple((links[i], step, links[i + 1]) for i, step in enumerate(chain))
        axiom = f"{curie(chained)} owl:propertyChainAxiom ({' '.join(curie(p) for p in chain)})"
        rules.append(Rule("prp-spo2", axiom, (links[0], chained, links[-1]), body))
    for prop, cls in sorted(_named_pairs(ontology, RDFS.domain)):
        rules.append(
            Rule("prp-dom", f"{curie(prop)} rdfs:domain {curie(cls)}", (_X, RDF.type, cls), ((_X, prop, _Y),))
        )
    for prop, cls in sorted(_named_pairs(ontology, RDFS.range)):
        rules.append(
            Rule("prp-rng", f"{curie(prop)} rdfs:range {curie(cls)}", (_Y, RDF.type, cls), ((_X, prop, _Y),))
        )
    direct_classes = set(_named_pairs(ontology, RDFS.subClassOf))
    for low, high in sorted(_closure(direct_classes)):
        axiom = _axiom_path((low, high), direct_classes, "rdfs:subClassOf")
        rules.append(Rule("cax-sco", axiom, (_X, RDF.type, high), ((_X, RDF.type, low),)))
    for one, other in sorted(_named_pairs(ontology, OWL.equivalentClass)):
        axiom = f"{curie(one)} owl:equivalentClass {curie(other)}"
        rules.append(Rule("cax-eqc1", axiom, (_X, RDF.type, other), ((_X, RDF.type, one),)))
        rules.append(Rule("cax-eqc2", axiom, (_X, RDF.type, one), ((_X, RDF.type, other),)))
    # One rule per axiom even when an axiom is written twice (a chain list parsed from two copies of a file).
    return tuple(dict.fromkeys(rules))


# --- bridging rules: SPARQL files of dutygraph.kg.rules ------------------------------------------------

_HEADER_LINE = re.compile(r"^#\s*(?P<key>[a-z-]+)\s*:\s*(?P<value>.*)$")


@functools.cache
def bridging_rules() -> tuple[Rule, ...]:
    """The bridging rules, by file name.

    :raises DutygraphError: a file lacks its header or is not a CONSTRUCT of triple patterns and VALUES.
    """
    folder = importlib.resources.files("dutygraph.kg.rules")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".rq"))
    return tuple(
        parse_bridging_rule(name.removesuffix(".rq"), (folder / name).read_text(encoding="utf-8"))
        for name in names
    )


def parse_bridging_rule(name: str, text: str) -> Rule:
    """A bridging rule from its file: header (title, derives, because) and one CONSTRUCT.

    >>> rule = parse_bridging_rule("same-office", '''# title: 同一办公室 / Same office
    ... # derives: ?a dg:hosts ?office
    ... # because: ?a 设有 ?office / ?a hosts ?office
    ... PREFIX dg: <https://w3id.org/dutygraph/ns#>
    ... CONSTRUCT { ?a dg:hosts ?office } WHERE { ?office dg:hostedBy ?a . }''')
    >>> rule.insert()
    'INSERT { ?a <https://w3id.org/dutygraph/ns#hosts> ?office } WHERE { ?office <https://w3id.org/dutygraph/ns#hostedBy> ?a . }'

    :raises DutygraphError: the header lacks a key, or the query is not such a CONSTRUCT.
    """
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if match := _HEADER_LINE.match(line):
            header[match["key"]] = match["value"].strip()
    missing = [key for key in ("title", "derives", "because") if key not in header]
    if missing:
        raise DutygraphError(f"kg/rules/{name}.rq: header lacks {', '.join(missing)}")
    try:
        algebra = prepareQuery(text).algebra
    except Exception as exc:  # pyparsing errors, and rdflib's bare Exception for an unknown prefix
        raise DutygraphError(f"kg/rules/{name}.rq: not valid SPARQL: {' '.join(str(exc).split())}") from exc
    if algebra.name != "ConstructQuery" or len(algebra["template"]) != 1:
        raise DutygraphError(f"kg/rules/{name}.rq: must be a CONSTRUCT of one triple pattern")
    body: list[Pattern] = []
    values: list[tuple[Variable, tuple[URIRef, ...]]] = []

    def walk(node: object) -> None:
        if not isinstance(node, CompValue):
            raise DutygraphError(f"kg/rules/{name}.rq: unexpected {node!r} in the WHERE clause")
        if node.name in ("Project", "ToMultiSet"):
            walk(node["p"])
        elif node.name == "Join":
            walk(node["p1"])
            walk(node["p2"])
        elif node.name == "BGP":
            body.extend(node["triples"])
        elif node.name == "values":
            rows = node["res"]
            variables = {variable for row in rows for variable in row}
            if len(variables) != 1:
                raise DutygraphError(f"kg/rules/{name}.rq: VALUES must bind one variable")
            (variable,) = variables
            values.append((variable, tuple(row[variable] for row in rows)))
        else:
            raise DutygraphError(
                f"kg/rules/{name}.rq: the WHERE clause may hold triple patterns and VALUES only, not {node.name}"
            )

    walk(algebra["p"])
    if any(isinstance(term, BNode) for pattern in body for term in pattern):
        raise DutygraphError(f"kg/rules/{name}.rq: blank nodes in the WHERE clause cannot be explained")
    return Rule(name, header["title"], algebra["template"][0], tuple(body), tuple(values), header["because"])


def needed_rules(rules: Sequence[Rule], keep: frozenset[URIRef]) -> tuple[Rule, ...]:
    """The rules that can lead to a kept triple: those deriving one, and those whose head may match a body
    pattern of a needed rule, transitively. The others (types from domains and ranges no rule tests) cost
    the engine half its time and change nothing that is kept.

    >>> from rdflib import RDF, Variable
    >>> from dutygraph.ontology.namespace import DG
    >>> x, y = Variable("x"), Variable("y")
    >>> lead = Rule("prp-spo1", "", (x, DG.involvedIn, y), ((x, DG.leads, y),))
    >>> typed = Rule("prp-dom", "", (x, RDF.type, DG.Agency), ((x, DG.leads, y),))
    >>> [r.id for r in needed_rules([lead, typed], frozenset({DG.involvedIn}))]
    ['prp-spo1']
    """
    needed = [rule for rule in rules if _may_match(rule.head[1], keep)]
    chosen = {id(rule) for rule in needed}
    grew = True
    while grew:
        grew = False
        for rule in rules:
            if id(rule) in chosen:
                continue
            if any(
                _unify(rule.head, pattern, dict(other.values)) for other in needed for pattern in other.body
            ):
                needed.append(rule)
                chosen.add(id(rule))
                grew = True
    return tuple(rule for rule in rules if id(rule) in chosen)


def _may_match(predicate: PatternTerm, keep: frozenset[URIRef]) -> bool:
    return isinstance(predicate, Variable) or predicate in keep


def _unify(head: Pattern, body: Pattern, values: dict[Variable, tuple[URIRef, ...]]) -> bool:
    """Whether a triple the head makes may match the body pattern: a variable matches anything, unless the
    body's VALUES limit it to some constants."""
    for made, wanted in zip(head, body, strict=True):
        if isinstance(made, Variable):
            continue
        if isinstance(wanted, Variable):
            if wanted in values and made not in values[wanted]:
                return False
        elif made != wanted:
            return False
    return True


def relation_predicates(ontology: Graph) -> frozenset[URIRef]:
    """The predicates of relation triples, the only derived triples kept: every owl:ObjectProperty of the
    dg namespace (dg:memberOf, dg:hosts and dg:agencyType among them) and org:hasMember.

    >>> from dutygraph.ontology import load_ontology
    >>> sorted(curie(p) for p in relation_predicates(load_ontology()) if curie(p) in ("dg:leads", "org:hasMember", "dg:text"))
    ['dg:leads', 'org:hasMember']
    """
    declared = {
        p
        for p in ontology.subjects(RDF.type, OWL.ObjectProperty)
        if isinstance(p, URIRef) and p.startswith(str(DG))
    }
    return frozenset(declared | {ORG.hasMember, DG.memberOf, DG.hosts, DG.agencyType})
