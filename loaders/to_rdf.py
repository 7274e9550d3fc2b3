"""A plan reading → the triples of that plan's named graph, under the dutygraph ontology.

Everything a plan asserts goes into one graph (`kg.iris.plan_graph_iri`). Each role is written twice: the plain
triple an analyst queries (agency dg:leads task) and a qualified dg:Assignment that keeps the wording as
written and the plan lines it came from. Inverses (task dg:ledBy agency) are not asserted: reasoning infers them
into its own graph.

>>> from dutygraph.loaders.bundled import bundled_plans
>>> from dutygraph.loaders.extract import read_plan_file
>>> graph = reading_to_graph(read_plan_file(bundled_plans()[0]))
>>> from dutygraph.kg.iris import task_iri
>>> leads = sorted(str(a).rsplit("/", 1)[-1] for a in graph.subjects(DG.leads, task_iri("jiaojiang-2020-reform-tasks", "07")))
>>> leads
['market-regulation']
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import ORG, TIME
from rdflib.term import Node

from dutygraph.kg import iris
from dutygraph.loaders.jurisdictions import division_table
from dutygraph.loaders.records import (
    Agency,
    Deadline,
    Indicator,
    Jurisdiction,
    Lines,
    PlanReading,
    Task,
)
from dutygraph.ontology.namespace import AGENCY_TYPE, DG

_ROLE_TERMS: dict[str, tuple[URIRef, URIRef]] = {
    "lead": (DG.leads, DG.LeadRole),
    "assist": (DG.assists, DG.AssistRole),
    "responsible": (DG.responsibleFor, DG.ResponsibleRole),
}
_KIND_TERMS: dict[str, URIRef] = {
    "by-date": DG.ByDate,
    "aspirational-by-date": DG.AspirationalByDate,
    "recurring": DG.Recurring,
    "per-directive": DG.PerDirective,
    "long-term": DG.LongTerm,
    "phase": DG.Phase,
}
_BODY_CLASSES: dict[str, URIRef] = {
    "leading-group": DG.LeadingGroup,
    "committee": DG.Committee,
    "office": DG.Office,
}


def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


#: One RDF triple, as rdflib's terms.
Triple = tuple[Node, Node, Node]


def decimal_literal(value: float) -> Literal:
    """An xsd:decimal in canonical form (stores keep canonical forms: "100", not "100.0").

    >>> decimal_literal(100.0), decimal_literal(4.5)
    (rdflib.term.Literal('100', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal')), rdflib.term.Literal('4.5', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal')))
    """
    text = str(int(value)) if float(value).is_integer() else format(Decimal(str(value)).normalize(), "f")
    return Literal(text, datatype=XSD.decimal)


def _date(value: dt.date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


def agency_node(agency: Agency) -> URIRef:
    """The IRI of an agency or group: jurisdiction + type (+ name for type `other`)."""
    code = agency.jurisdiction.code
    if agency.group:
        # 各县（市、区）食安办 is not 各县（市、区）政府: a group of other units than governments is its own node.
        plain = agency.member_type in (None, "government")
        return iris.group_iri(code, agency.type_key if plain else f"{agency.type_key}-{agency.member_type}")
    return iris.agency_iri(
        code, agency.type_key, name=agency.canonical if agency.type_key == "other" else None
    )


class _PlanGraphWriter:
    def __init__(self, reading: PlanReading) -> None:
        self.reading = reading
        self.plan_id = reading.plan_id
        # A plain set: rdflib's Graph.add costs ~20 µs a triple, a set's well under one; the graph is made once,
        # at the end, for those who need one (`reading_to_graph`).
        self.graph: set[Triple] = set()
        self.plan = iris.plan_iri(self.plan_id)
        self.table = division_table()
        # Nodes already described: a bureau is named by dozens of tasks, and rdflib's add costs ~20 µs even
        # for a triple it holds already (a third of a build's time at scale, before this).
        self._described: set[object] = set()

    def lines(self, node: URIRef, lines: Lines) -> None:
        self.graph.add((node, DG.lineStart, Literal(lines.first, datatype=XSD.integer)))
        self.graph.add((node, DG.lineEnd, Literal(lines.last, datatype=XSD.integer)))

    def jurisdiction(self, place: Jurisdiction) -> URIRef:
        node = iris.jurisdiction_iri(place.code)
        if node in self._described:
            return node
        self._described.add(node)
        g = self.graph
        g.add((node, RDF.type, DG.Jurisdiction))
        g.add((node, RDFS.label, _zh(self.table.full_name(place))))
        g.add((node, DG.adminCode, Literal(place.code)))
        g.add((node, DG.adminLevel, Literal(place.level)))
        if place.parent_code:
            parent = self.table.by_code(place.parent_code)
            g.add((node, DG.parentJurisdiction, self.jurisdiction(parent)))
        return node

    def agency(self, agency: Agency, as_written: str | None = None) -> URIRef:
        node = agency_node(agency)
        g = self.graph
        if (agency, node) not in self._described:
            self._described.add((agency, node))
            g.add((node, RDF.type, DG.AgencyGroup if agency.group else DG.Agency))
            g.add((node, SKOS.prefLabel, _zh(agency.canonical)))
            g.add((node, DG.agencyType, AGENCY_TYPE[agency.type_key]))
            g.add((node, DG.jurisdiction, self.jurisdiction(agency.jurisdiction)))
            if agency.group and agency.member_type:
                g.add((node, DG.memberType, AGENCY_TYPE[agency.member_type]))
        if as_written and as_written != agency.canonical and (node, as_written) not in self._described:
            self._described.add((node, as_written))
            g.add((node, SKOS.altLabel, _zh(as_written)))
        return node

    def deadline(self, task: URIRef, key: str, index: int, deadline: Deadline, lines: Lines) -> None:
        node = iris.node_iri(self.plan_id, "deadline", key, index)
        g = self.graph
        g.add((task, DG.hasDeadline, node))
        g.add((node, RDF.type, DG.Deadline))
        g.add((node, DG.deadlineKind, _KIND_TERMS[deadline.kind]))
        g.add((node, DG.asWritten, _zh(deadline.as_written)))
        if deadline.date is not None:
            g.add((node, TIME.inXSDDate, _date(deadline.date)))
        self.lines(node, lines)

    def indicator(
        self, owner: URIRef, key: str, index: int, indicator: Indicator, lines: Lines | None
    ) -> None:
        node = iris.node_iri(self.plan_id, "indicator", key, index)
        g = self.graph
        g.add((owner, DG.hasIndicator, node))
        g.add((node, RDF.type, DG.Indicator))
        g.add((node, DG.asWritten, _zh(indicator.as_written)))
        g.add((node, DG.metric, _zh(indicator.metric)))
        g.add((node, DG.comparator, Literal(indicator.comparator)))
        g.add((node, DG.value, decimal_literal(indicator.value)))
        g.add((node, DG.unit, Literal(indicator.unit)))
        if indicator.deadline is not None:
            g.add((node, DG.targetDate, _date(indicator.deadline)))
        if lines is not None:
            self.lines(node, lines)

    def task(self, task: Task) -> None:
        local = task.key.removeprefix(f"{self.reading.key_prefix}-")
        node = iris.task_iri(self.plan_id, local)
        g = self.graph
        g.add((self.plan, DG.hasTask, node))
        g.add((node, RDF.type, DG.Task))
        g.add((node, DG.inPlan, self.plan))
        g.add((node, DG.taskKey, Literal(task.key)))
        if task.number:
            g.add((node, DG.taskNumber, Literal(task.number)))
        if task.section:
            g.add((node, DG.section, _zh(task.section)))
        g.add((node, DG.title, _zh(task.title)))
        g.add((node, DG.text, _zh(task.text)))
        if task.open_list:
            g.add((node, DG.openList, Literal(True)))
        self.lines(node, task.lines)
        for index, role in enumerate(task.roles, start=1):
            agency = self.agency(role.agency, role.as_written)
            predicate, role_term = _ROLE_TERMS[role.role]
            g.add((agency, predicate, node))
            assignment = iris.node_iri(self.plan_id, "assignment", local, index)
            g.add((node, DG.qualifiedAssignment, assignment))
            g.add((assignment, RDF.type, DG.Assignment))
            g.add((assignment, DG.agent, agency))
            g.add((assignment, DG.role, role_term))
            g.add((assignment, DG.asWritten, _zh(role.as_written)))
            self.lines(assignment, task.lines)
        for index, deadline in enumerate(task.deadlines, start=1):
            self.deadline(node, local, index, deadline, task.lines)
        for index, indicator in enumerate(task.indicators, start=1):
            self.indicator(node, local, index, indicator, task.lines)

    def plan_node(self) -> None:
        r, g = self.reading, self.graph
        info = r.info
        g.add((self.plan, RDF.type, DG.Plan))
        if info.title:
            g.add((self.plan, DG.title, _zh(info.title)))
        g.add((self.plan, DG.sourceFile, Literal(r.source_name)))
        g.add((self.plan, DG.sha256, Literal(r.sha256)))
        g.add((self.plan, DG.layout, Literal(r.layout)))
        g.add((self.plan, DG.jurisdiction, self.jurisdiction(info.jurisdiction)))
        if info.year is not None:
            g.add((self.plan, DG.planYear, Literal(str(info.year), datatype=XSD.gYear)))
        if info.issued is not None:
            g.add((self.plan, DG.issued, _date(info.issued)))
        if info.doc_number:
            g.add((self.plan, DG.docNumber, Literal(info.doc_number)))
        for index, indicator in enumerate(r.plan_indicators, start=1):
            self.indicator(self.plan, "plan", index, indicator, None)

    def duties(self) -> None:
        g = self.graph
        for index, block in enumerate(self.reading.duties, start=1):
            agency = self.agency(block.agency, block.as_written)
            for clause_index, clause in enumerate(block.duties, start=1):
                node = iris.node_iri(self.plan_id, "duty", index, clause_index)
                g.add((node, RDF.type, DG.Duty))
                g.add((node, DG.dutyOf, agency))
                g.add((node, DG.inPlan, self.plan))
                g.add((node, DG.text, _zh(clause)))
                g.add((node, DG.asWritten, _zh(block.as_written)))
                self.lines(node, block.lines)

    def bodies(self) -> None:
        g = self.graph
        for index, body in enumerate(self.reading.bodies, start=1):
            node = iris.body_iri(self.plan_id, index)
            g.add((node, RDF.type, _BODY_CLASSES[body.kind]))
            g.add((node, RDFS.label, _zh(body.name)))
            g.add((node, DG.inPlan, self.plan))
            g.add((node, DG.jurisdiction, self.jurisdiction(self.reading.info.jurisdiction)))
            self.lines(node, body.lines)
            for member in body.members:
                g.add((node, ORG.hasMember, self.agency(member)))
            if body.office:
                office = iris.node_iri(self.plan_id, "office", index)
                g.add((node, DG.office, office))
                g.add((office, RDF.type, DG.Office))
                g.add((office, RDFS.label, _zh(body.office)))
                g.add((office, DG.inPlan, self.plan))
                if body.office_hosted_by is not None:
                    g.add((office, DG.hostedBy, self.agency(body.office_hosted_by)))

    def milestones(self) -> None:
        g = self.graph
        for index, milestone in enumerate(self.reading.milestones, start=1):
            node = iris.node_iri(self.plan_id, "milestone", index)
            g.add((self.plan, DG.hasMilestone, node))
            g.add((node, RDF.type, DG.Milestone))
            g.add((node, RDFS.label, _zh(milestone.name)))
            g.add((node, DG.text, _zh(milestone.text)))
            if milestone.start is not None:
                g.add((node, DG.startDate, _date(milestone.start)))
            if milestone.end is not None:
                g.add((node, DG.endDate, _date(milestone.end)))
            self.lines(node, milestone.lines)


def reading_to_triples(reading: PlanReading) -> frozenset[Triple]:
    """The triples of one plan's named graph: plan, tasks, agencies, roles, deadlines, indicators, duties, bodies.

    What `dutygraph build` writes (a store takes any collection of triples); `reading_to_graph` is the same as
    an rdflib Graph.
    """
    writer = _PlanGraphWriter(reading)
    writer.plan_node()
    for task in reading.tasks:
        writer.task(task)
    writer.duties()
    writer.bodies()
    writer.milestones()
    return frozenset(writer.graph)


def reading_to_graph(reading: PlanReading) -> Graph:
    """The named-graph content of one plan as an rdflib Graph (see `reading_to_triples`), prefixes bound."""
    graph = Graph()
    graph.bind("dg", str(DG))
    graph.bind("at", str(AGENCY_TYPE))
    for triple in reading_to_triples(reading):
        graph.add(triple)
    return graph
