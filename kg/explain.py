"""Why an agency is involved in a task: the chain of plan statements and rules that leads to it.

Nothing of a derivation is stored. `explain` searches backwards from ``agency dg:involvedIn task`` over the same
rules the reasoner runs (`dutygraph.kg.reasoning.rules`: the OWL 2 RL rules the ontology's axioms call for, and
the bridging rules), asking the store with SPARQL — over the plan graphs, the ontology and the inferred graph
— which matches of a rule's premises hold, until every premise is a statement a plan (or the ontology) asserts,
or a seed the inferred graph keeps with its reason (a ``dg:Inference`` node, e.g. rule ``remit``). Deeper
searches are tried only when shallower ones fail, so the explanation given is a shortest one.

Each asserted statement carries where it is written: a role comes from its ``dg:Assignment`` (the wording as
written and the plan lines), a body's membership from the body's lines, and every statement from its plan's
file.

>>> from dutygraph.kg.build import build
>>> from dutygraph.kg.reasoning import infer
>>> from dutygraph.kg.stores import open_store
>>> from dutygraph.loaders.bundled import bundled_plans
>>> with open_store("memory") as store:
...     _ = build(store, [p for p in bundled_plans() if p.stem.startswith("jiaojiang")])
...     _ = infer(store)
...     why = explain(store, task=task_named(store, "jiaojiang-2020-07"),
...                   agency=URIRef("https://w3id.org/dutygraph/id/agency/331002/market-regulation"))
>>> print(why.text().splitlines()[0])
台州市椒江区市场监督管理局 参与任务 jiaojiang-2020-07（牵头） / is involved in jiaojiang-2020-07 (lead)
>>> why.proof.rule, why.proof.premises[0].rule, why.direct
('prp-spo1', 'asserted', True)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from rdflib import RDF, BNode, Literal, URIRef, Variable
from rdflib.term import Identifier

from dutygraph.errors import DutygraphError
from dutygraph.kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, is_plan_graph
from dutygraph.kg.reasoning.rules import Rule, bridging_rules, curie, ontology_rules
from dutygraph.kg.stores import GraphStore
from dutygraph.ontology import load_ontology
from dutygraph.ontology.namespace import DG

__all__ = ["Explanation", "NotInvolved", "Source", "Step", "explain", "task_named"]

#: The longest chain of rules searched for one conclusion.
MAX_DEPTH = 12
#: Matches of one rule's premises looked at for one conclusion.
_MATCHES_PER_RULE = 16

_ROLES: dict[URIRef, tuple[URIRef, str, str]] = {
    DG.leads: (DG.LeadRole, "lead", "牵头"),
    DG.assists: (DG.AssistRole, "assist", "配合"),
    DG.responsibleFor: (DG.ResponsibleRole, "responsible", "共同负责"),
}

# Asserted premises that only set the scene (what a node is, where, of which type): the text names them in the
# rule's reason and leaves their lines out; `Explanation.as_dict` keeps them.
_SETTING = frozenset({RDF.type, DG.jurisdiction, DG.agencyType, DG.memberType})

_PREFIX = "PREFIX dg: <https://w3id.org/dutygraph/ns#>\n"
_WHERE_WRITTEN = _PREFIX + "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
_PLAN_FILE = _PREFIX + "SELECT ?g ?file WHERE { GRAPH ?g { ?plan dg:sourceFile ?file } }"
_PLAN_FILE_OF = (
    _PREFIX + "SELECT ?g ?node ?file WHERE { GRAPH ?g { ?node dg:inPlan ?plan . ?plan dg:sourceFile ?file } }"
)
_ASSIGNMENT = (
    _PREFIX
    + """SELECT ?g ?s ?o ?role ?written ?start ?end WHERE { GRAPH ?g {
  ?o dg:qualifiedAssignment ?assignment .
  ?assignment dg:agent ?s ; dg:role ?role ; dg:asWritten ?written ; dg:lineStart ?start ; dg:lineEnd ?end } }"""
)
_LINES = _PREFIX + "SELECT ?g ?s ?start ?end WHERE { GRAPH ?g { ?s dg:lineStart ?start ; dg:lineEnd ?end } }"
_OFFICE_LINES = (
    _PREFIX
    + "SELECT ?g ?s ?start ?end WHERE { GRAPH ?g { ?body dg:office ?s ; dg:lineStart ?start ; dg:lineEnd ?end } }"
)
_REASONS = (
    _PREFIX
    + """SELECT ?agent ?task ?rule ?text WHERE {
  ?why a dg:Inference ; dg:rule ?rule ; dg:conclusionAgent ?agent ; dg:conclusionTask ?task .
  OPTIONAL { ?why dg:premiseText ?text } }"""
)
_INVOLVED = _PREFIX + "ASK { ?agency dg:involvedIn ?task }"
_HOLDS = "ASK { ?s ?p ?o }"
_TASK_BY_KEY = _PREFIX + "SELECT ?task ?key WHERE { ?task dg:taskKey ?key }"
_TASK = (
    _PREFIX
    + """SELECT ?task ?key ?title ?file ?start ?end WHERE {
  ?task dg:taskKey ?key ; dg:inPlan ?plan .
  ?plan dg:sourceFile ?file .
  OPTIONAL { ?task dg:title ?title }
  OPTIONAL { ?task dg:lineStart ?start ; dg:lineEnd ?end } }"""
)
_LABEL = """PREFIX dg: <https://w3id.org/dutygraph/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?term ?pref ?label ?key WHERE {
  OPTIONAL { ?term skos:prefLabel ?pref FILTER(lang(?pref) = "zh") }
  OPTIONAL { ?term rdfs:label ?label FILTER(lang(?label) = "zh") }
  OPTIONAL { ?term dg:taskKey ?key } }"""


class NotInvolved(DutygraphError):
    """The agency is not involved in the task: no plan says so and nothing implies it."""


@dataclass(frozen=True)
class Source:
    """Where an asserted statement is written: a plan file (or ``ontology``), its lines and wording if known.

    >>> Source("jiaojiang-2020-reform-tasks.txt", 142, 147).where()
    'jiaojiang-2020-reform-tasks.txt 第 142–147 行'
    """

    document: str
    line_start: int | None = None
    line_end: int | None = None
    as_written: str | None = None
    role: str | None = None

    def where(self) -> str:
        if self.line_start is None:
            return self.document
        if self.line_end is None or self.line_end == self.line_start:
            return f"{self.document} 第 {self.line_start} 行"
        return f"{self.document} 第 {self.line_start}–{self.line_end} 行"

    def as_dict(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "line_start": self.line_start,
            "line_end": self.line_end,
            "as_written": self.as_written,
            "role": self.role,
        }


@dataclass(frozen=True)
class Step:
    """One statement and why it holds: ``asserted`` (with its sources), a seed's rule (``remit``, with the
    premise as text), or a rule (``prp-spo1``, ``group-members``, …) joining the premises."""

    subject: Identifier
    predicate: URIRef
    object: Identifier
    rule: str
    axiom: str = ""
    sources: tuple[Source, ...] = ()
    note: str = ""
    premises: tuple[Step, ...] = ()

    @property
    def triple(self) -> tuple[Identifier, URIRef, Identifier]:
        return (self.subject, self.predicate, self.object)

    def walk(self) -> Iterator[Step]:
        """This step and every step under it, depth first."""
        yield self
        for premise in self.premises:
            yield from premise.walk()

    def as_dict(self) -> dict[str, Any]:
        return {
            "statement": [str(self.subject), str(self.predicate), str(self.object)],
            "rule": self.rule,
            "axiom": self.axiom,
            "sources": [source.as_dict() for source in self.sources],
            "note": self.note,
            "premises": [premise.as_dict() for premise in self.premises],
        }


@dataclass(frozen=True)
class Explanation:
    """Why `agency` is involved in `task`: `proof` concludes ``agency dg:involvedIn task``.

    `roles` are the roles the agency holds on the task, asserted or inferred (lead, assist, responsible;
    none when it is only implied to be involved).
    """

    task: URIRef
    task_key: str
    task_title: str
    task_source: Source
    agency: URIRef
    agency_label: str
    roles: tuple[str, ...]
    proof: Step
    labels: Mapping[Identifier, str] = field(default_factory=dict, compare=False)

    @property
    def direct(self) -> bool:
        """Whether a plan itself writes the agency (not a group it belongs to) on the task."""
        return any(
            step.rule == "asserted" and step.subject == self.agency and step.object == self.task
            for step in self.proof.walk()
        )

    def label(self, term: Identifier) -> str:
        return self.labels.get(term) or curie(term)

    def text(self) -> str:
        """The explanation for people, Chinese first: the conclusion, the task, then the chain, premises indented
        under what they support. Asserted premises that only set the scene (types, jurisdictions, or with no plan
        lines) are left out here; `as_dict` keeps them."""
        zh = "、".join(_role_zh(role) for role in self.roles) or "推定参与"
        en = ", ".join(self.roles) or "implied"
        lines = [
            f"{self.agency_label} 参与任务 {self.task_key}（{zh}） / is involved in {self.task_key} ({en})",
            f"任务 {self.task_key} {self.task_title}（{self.task_source.where()}）",
        ]
        lines.extend(self._step_lines(self.proof, 0))
        return "\n".join(lines)

    def _step_lines(self, step: Step, depth: int) -> Iterator[str]:
        statement = f"{self.label(step.subject)} {curie(step.predicate)} {self.label(step.object)}"
        arrow = "  " * depth + ("← " if depth else "")
        if step.rule == "asserted":
            source = step.sources[0] if step.sources else Source("?")
            wording = (
                f"：“{source.as_written}” {_role_zh(source.role)} ({source.role})"
                if source.as_written
                else ""
            )
            yield f"{arrow}{statement}{wording}   [asserted / 原文: {'; '.join(s.where() for s in step.sources)}]"
        elif step.note:
            yield f"{arrow}{statement}   [{step.rule}: {step.note}]"
        else:
            yield f"{arrow}{statement}   [{step.rule}: {step.axiom}]"
        for premise in step.premises:
            if premise.rule == "asserted" and (
                premise.predicate in _SETTING or not any(s.line_start is not None for s in premise.sources)
            ):
                continue
            yield from self._step_lines(premise, depth + 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "task": str(self.task),
            "task_key": self.task_key,
            "task_title": self.task_title,
            "task_source": self.task_source.as_dict(),
            "agency": str(self.agency),
            "agency_label": self.agency_label,
            "roles": list(self.roles),
            "direct": self.direct,
            "proof": self.proof.as_dict(),
            "labels": {str(term): label for term, label in self.labels.items()},
        }


def _role_zh(role: str | None) -> str:
    return next((zh for _, key, zh in _ROLES.values() if key == role), role or "")


def task_named(store: GraphStore, name: str) -> URIRef:
    """The task a user names: its key as `dutygraph extract` prints it (``jiaojiang-2020-07``) or its IRI.

    :raises DutygraphError: no task of the store has that key or IRI.
    """
    if name.startswith(("https://", "http://")):
        task = URIRef(name)
        if store.query(_TASK, bindings={"task": task}).rows:
            return task
        raise DutygraphError(f"no task in the store is {name}")
    rows = store.query(_TASK_BY_KEY, bindings={"key": Literal(name)}).rows
    tasks = sorted({row[0] for row in rows if isinstance(row[0], URIRef)})
    if not tasks:
        raise DutygraphError(f"no task in the store has the key {name!r} (keys look like jiaojiang-2020-07)")
    return tasks[0]


def explain(store: GraphStore, *, task: URIRef, agency: URIRef) -> Explanation:
    """Why `agency` is involved in `task` (see the module docstring).

    :raises DutygraphError: the task is not in the store.
    :raises NotInvolved: the agency is not involved in the task, asserted or inferred.
    :raises StoreError: the store cannot be read.
    """
    return _Explainer(store).explain(task, agency)


class _Explainer:
    def __init__(self, store: GraphStore) -> None:
        self.store = store
        names = store.graph_names()
        self.asserted = sorted(g for g in names if is_plan_graph(g) or g == ONTOLOGY_GRAPH)
        self.everything = [*self.asserted, *([INFERRED_GRAPH] if INFERRED_GRAPH in names else [])]
        self.rules: dict[Identifier, list[Rule]] = {}
        ontology = store.graph(ONTOLOGY_GRAPH) if ONTOLOGY_GRAPH in names else load_ontology()
        for rule in (*ontology_rules(ontology), *bridging_rules()):
            self.rules.setdefault(rule.head[1], []).append(rule)
        self.labels: dict[Identifier, str] = {}
        self._files: dict[Identifier, str] = {}
        self._leaves: dict[tuple[Identifier, ...], Step | None] = {}
        self._matches: dict[tuple[str, str, tuple[Identifier, ...]], list[dict[Variable, Identifier]]] = {}

    def explain(self, task: URIRef, agency: URIRef) -> Explanation:
        rows = self.store.query(_TASK, bindings={"task": task}, graphs=self.asserted).rows
        if not rows:
            raise DutygraphError(f"no task in the store is {task}")
        _, key, title, file, start, end = rows[0]
        agency_label = self.label(agency)
        if not self.store.query(
            _INVOLVED, bindings={"agency": agency, "task": task}, graphs=self.everything
        ).boolean:
            hint = (
                ""
                if INFERRED_GRAPH in self.everything
                else "; the store holds no inferred graph (run `dutygraph build`)"
            )
            raise NotInvolved(f"{agency_label} 不参与任务 {key} / is not involved in task {key}{hint}")
        goal = (agency, DG.involvedIn, task)
        proof = None
        for budget in range(MAX_DEPTH + 1):
            proof = self.prove(goal, budget, frozenset())
            if proof is not None:
                break
        if proof is None:
            proof = Step(*goal, rule="inferred", axiom=f"no derivation of at most {MAX_DEPTH} steps found")
        roles = tuple(
            role for predicate, (_, role, _) in _ROLES.items() if self.holds((agency, predicate, task))
        )
        for step in proof.walk():
            for term in (step.subject, step.object):
                self.label(term)
        return Explanation(
            task=task,
            task_key=str(key),
            task_title=str(title or ""),
            task_source=Source(str(file), _int(start), _int(end)),
            agency=agency,
            agency_label=agency_label,
            roles=roles,
            proof=proof,
            labels=dict(self.labels),
        )

    # --- the search ---------------------------------------------------------------------------------

    def prove(
        self,
        goal: tuple[Identifier, URIRef, Identifier],
        budget: int,
        path: frozenset[tuple[Identifier, ...]],
    ) -> Step | None:
        if goal in path:
            return None
        leaf = self.leaf(goal)
        if leaf is not None:
            return leaf
        if budget == 0:
            return None
        below = path | {goal}
        for rule in self.rules.get(goal[1], ()):
            for match in self.matches(rule, goal):
                premises = [_bound(pattern, match) for pattern in rule.body]
                steps: list[Step] = []
                for premise in premises:
                    step = self.prove(premise, budget - 1, below)
                    if step is None:
                        break
                    steps.append(step)
                else:
                    return Step(*goal, rule=rule.id, axiom=self.reading(rule, match), premises=tuple(steps))
        return None

    def leaf(self, goal: tuple[Identifier, URIRef, Identifier]) -> Step | None:
        """The goal as a plan or the ontology asserts it, or as a seed with its reason; else None."""
        if goal not in self._leaves:
            self._leaves[goal] = self._asserted(goal) or self._seeded(goal)
        return self._leaves[goal]

    def _asserted(self, goal: tuple[Identifier, URIRef, Identifier]) -> Step | None:
        s, p, o = goal
        bindings = {"s": s, "p": p, "o": o}
        graphs = [
            row[3] for row in self.store.query(_WHERE_WRITTEN, bindings=bindings, graphs=self.asserted).rows
        ]
        if not graphs:
            return None
        sources: list[Source] = []
        for graph in sorted(g for g in graphs if isinstance(g, URIRef)):
            sources.extend(self._sources(graph, goal))
        return Step(s, p, o, rule="asserted", sources=tuple(sources))

    def _sources(self, graph: URIRef, goal: tuple[Identifier, URIRef, Identifier]) -> list[Source]:
        s, p, o = goal
        document = self.document(graph, s if p not in _ROLES else o)
        if p in _ROLES:
            role_term, role, _ = _ROLES[p]
            rows = self.store.query(
                _ASSIGNMENT, bindings={"g": graph, "s": s, "o": o, "role": role_term}
            ).rows
            found = [Source(document, _int(r[5]), _int(r[6]), str(r[4]), role) for r in rows]
            if found:
                return sorted(found, key=lambda source: source.line_start or 0)
        for query in (_LINES, _OFFICE_LINES):
            rows = self.store.query(query, bindings={"g": graph, "s": s}).rows
            if rows:
                return [Source(document, _int(rows[0][2]), _int(rows[0][3]))]
        return [Source(document)]

    def _seeded(self, goal: tuple[Identifier, URIRef, Identifier]) -> Step | None:
        s, p, o = goal
        if p != DG.involvedIn or INFERRED_GRAPH not in self.everything:
            return None
        rows = self.store.query(_REASONS, bindings={"agent": s, "task": o}, graphs=[INFERRED_GRAPH]).rows
        if not rows:
            return None
        rule = str(rows[0][2])
        notes = sorted({str(row[3]) for row in rows if row[3] is not None})
        return Step(s, p, o, rule=rule, axiom=rule, note="；".join(notes) or rule)

    def matches(
        self, rule: Rule, goal: tuple[Identifier, URIRef, Identifier]
    ) -> list[dict[Variable, Identifier]]:
        """The matches of the rule's premises that conclude `goal`, read from the store."""
        bindings: dict[str, Identifier] = {}
        for term, value in zip(rule.head, goal, strict=True):
            if isinstance(term, Variable):
                if bindings.get(str(term), value) != value:
                    return []
                bindings[str(term)] = value
            elif term != value:
                return []
        if any(isinstance(value, BNode) for value in bindings.values()):
            return []  # a blank node cannot be bound as a parameter; our data names everything with IRIs
        key = (rule.id, rule.axiom, tuple(goal))
        if key not in self._matches:
            result = self.store.query(
                f"{rule.select()} LIMIT {_MATCHES_PER_RULE}",
                bindings=bindings,
                graphs=self.everything,
            )
            self._matches[key] = [
                {
                    Variable(name): value
                    for name, value in zip(result.variables, row, strict=True)
                    if value is not None
                }
                for row in result.rows
            ]
        return self._matches[key]

    def holds(self, triple: tuple[Identifier, URIRef, Identifier]) -> bool:
        s, p, o = triple
        return bool(
            self.store.query(_HOLDS, bindings={"s": s, "p": p, "o": o}, graphs=self.everything).boolean
        )

    # --- words ----------------------------------------------------------------------------------------

    def reading(self, rule: Rule, match: Mapping[Variable, Identifier]) -> str:
        """The rule as the explanation prints it: the axiom, or the bridging rule's reason with names."""
        if not rule.because:
            return rule.axiom
        text = rule.because
        for variable in sorted(match, key=lambda v: -len(str(v))):
            text = text.replace(f"?{variable}", self.label(match[variable]))
        return text

    def label(self, term: Identifier) -> str:
        if term not in self.labels:
            name = curie(term)
            if isinstance(term, URIRef):
                rows = self.store.query(_LABEL, bindings={"term": term}, graphs=self.everything).rows
                for _, pref, label, key in rows:
                    name = str(key or pref or label or name)
                    break
            elif isinstance(term, Literal):
                name = str(term)
            self.labels[term] = name
        return self.labels[term]

    def document(self, graph: URIRef, node: Identifier) -> str:
        """The file of the plan `node` (a task, body or duty) is in, else of the plan the graph holds."""
        if graph == ONTOLOGY_GRAPH:
            return "ontology"
        if isinstance(node, URIRef):
            rows = self.store.query(_PLAN_FILE_OF, bindings={"g": graph, "node": node}).rows
            if rows:
                return str(rows[0][2])
        if graph not in self._files:
            rows = self.store.query(_PLAN_FILE, bindings={"g": graph}).rows
            self._files[graph] = str(rows[0][1]) if rows else str(graph)
        return self._files[graph]


def _bound(
    pattern: tuple[Any, Any, Any], match: Mapping[Variable, Identifier]
) -> tuple[Identifier, URIRef, Identifier]:
    s, p, o = (match[t] if isinstance(t, Variable) else t for t in pattern)
    return (s, URIRef(p), o)


def _int(value: Identifier | None) -> int | None:
    return int(value) if isinstance(value, Literal) else None
