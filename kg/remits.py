"""Implied responsibilities: a task that names no agency goes to the bureaus whose remit covers what it is about.

Remits are data (`ontology/remits.ttl`: agency type dg:coversTopic wording). A task's text is matched against
every wording; a type whose wordings the task uses is implied, as the bureau of that type in the task's own
jurisdiction, with the wordings that matched as the reason. Only tasks that name no agency get implied agencies;
what a plan states is never overridden.

The results go two ways: `dutygraph extract` fills `implied_agencies`, and `implied_graph` gives the reasoner the
same conclusions as seed triples (with explanation nodes) for the inferred graph.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from rdflib import RDF, SKOS, Graph, Literal, URIRef

from dutygraph.kg import iris
from dutygraph.kg.stores import GraphStore, open_store
from dutygraph.loaders.agency_names import canonical_name
from dutygraph.loaders.jurisdictions import division_table
from dutygraph.loaders.punctuation import normalise
from dutygraph.loaders.records import Agency, ImpliedAgency, Jurisdiction
from dutygraph.ontology import remits_path
from dutygraph.ontology.namespace import AGENCY_TYPE, DG

#: A type is implied when the task uses at least this share of the hits of the best-matching type: a task about
#: 校园食品 that mentions 餐饮 in passing goes to education and market regulation, not to every bureau named once.
_SHARE_OF_BEST = 0.34


@functools.cache
def remit_topics() -> dict[str, tuple[str, ...]]:
    """Agency type key → the wordings of its remit, longest first.

    >>> "校园" in remit_topics()["education"]
    True
    """
    graph = Graph().parse(data=remits_path().read_text(encoding="utf-8"), format="turtle")
    topics: dict[str, list[str]] = {}
    for concept, _, wording in graph.triples((None, DG.coversTopic, None)):
        key = str(concept).removeprefix(str(AGENCY_TYPE))
        topics.setdefault(key, []).append(str(wording))
    return {
        key: tuple(sorted(set(words), key=lambda w: (-len(w), w))) for key, words in sorted(topics.items())
    }


@dataclass(frozen=True)
class RemitMatch:
    type_key: str
    wordings: tuple[str, ...]


def remit_matches(text: str) -> tuple[RemitMatch, ...]:
    """The agency types whose remit the text is about, best first, with the wordings that matched.

    A wording inside a longer matched wording counts once (食品安全城市 does not also count 城市).

    >>> [(m.type_key, m.wordings) for m in remit_matches("督促学校食堂“阳光厨房”建设，校园食堂阳光厨房建设达95%以上。")]
    [('education', ('学校', '校园'))]
    """
    norm = normalise(text)
    scored: list[RemitMatch] = []
    for key, wordings in remit_topics().items():
        found: list[str] = []
        for wording in wordings:
            if wording in norm and not any(wording in longer for longer in found):
                found.append(wording)
        if found:
            scored.append(RemitMatch(key, tuple(found)))
    if not scored:
        return ()
    scored.sort(key=lambda m: (-len(m.wordings), m.type_key))
    best = len(scored[0].wordings)
    return tuple(m for m in scored if len(m.wordings) >= max(1.0, best * _SHARE_OF_BEST))


def implied_agencies(text: str, jurisdiction: Jurisdiction) -> tuple[ImpliedAgency, ...]:
    """The bureaus of `jurisdiction` a task that names no agency implies, with the reason.

    >>> tiantai = division_table().by_code("331023")
    >>> [(i.agency.canonical, i.why) for i in implied_agencies("加强学校食品安全教育，提升学生食品安全意识。", tiantai)]
    [('天台县教育局', '任务提到“学校”“学生”，属教育局职责')]
    """
    table = division_table()
    implied: list[ImpliedAgency] = []
    for match in remit_matches(text):
        name = canonical_name(jurisdiction, match.type_key, table=table)
        agency = Agency(name, match.type_key, jurisdiction)
        bureau = name.removeprefix(table.full_name(jurisdiction)).removeprefix("中共")
        quoted = "".join(f"“{w}”" for w in match.wordings)
        implied.append(ImpliedAgency(agency, f"任务提到{quoted}，属{bureau}职责"))
    return tuple(implied)


_TASKS_NAMING_NO_AGENCY = """
PREFIX dg: <https://w3id.org/dutygraph/ns#>
SELECT ?task ?title ?text ?code WHERE {
  ?task a dg:Task ; dg:inPlan ?plan ; dg:title ?title ; dg:text ?text .
  ?plan dg:jurisdiction ?place .
  ?place dg:adminCode ?code .
  FILTER NOT EXISTS {
    GRAPH ?named { ?agency dg:leads|dg:assists|dg:responsibleFor ?task }
    FILTER (?named != <INFERRED>)
  }
}
"""


def implied_graph(asserted: GraphStore | Graph) -> Graph:
    """Seed triples for the inferred graph: `agency dg:involvedIn task` for every task that names no agency
    (in a store's plan graphs, or in one graph of asserted triples), the implied agency's own description (it
    may appear in no plan), and an explanation node (dg:Inference, rule "remit") with the wordings that matched.
    """
    # What the plans assert decides, not the inferred graph (in a build's draft, the last build's). The
    # query reads the union of all graphs, which oxigraph answers far faster than a list of all but one.
    if isinstance(asserted, Graph):
        store: GraphStore = open_store("memory")
        store.replace_graphs({URIRef("urn:dutygraph:asserted"): asserted})
    else:
        store = asserted
    rows = store.query(_TASKS_NAMING_NO_AGENCY.replace("INFERRED", str(iris.INFERRED_GRAPH))).rows
    table = division_table()
    seeds = Graph()
    for task, title, text, code in rows:
        if not isinstance(task, URIRef):
            continue
        place = table.by_code(str(code))
        for index, implied in enumerate(implied_agencies(f"{title}。{text}", place), start=1):
            agency = iris.agency_iri(place.code, implied.agency.type_key)
            seeds.add((agency, DG.involvedIn, task))
            seeds.add((agency, RDF.type, DG.Agency))
            seeds.add((agency, SKOS.prefLabel, Literal(implied.agency.canonical, lang="zh")))
            seeds.add((agency, DG.agencyType, AGENCY_TYPE[implied.agency.type_key]))
            seeds.add((agency, DG.jurisdiction, iris.jurisdiction_iri(place.code)))
            why = URIRef(f"{task}/inference/remit/{index}")
            seeds.add((why, RDF.type, DG.Inference))
            seeds.add((why, DG.rule, Literal("remit")))
            seeds.add((why, DG.premiseText, Literal(implied.why, lang="zh")))
            seeds.add((why, DG.conclusionAgent, agency))
            seeds.add((why, DG.conclusionTask, task))
    return seeds
