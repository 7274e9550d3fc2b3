"""The reference: owlrl's OWL 2 RL closure, alternated with the bridging rules until neither adds anything.

owlrl runs on a copy (`closure_with_owlrl` never changes the graphs it is given) and is imported only here,
when this runs. The bridging rules run with rdflib's SPARQL engine on the same copy.

>>> from rdflib import URIRef
>>> from dutygraph.ontology import load_ontology
>>> from dutygraph.ontology.namespace import DG
>>> bureau, task = URIRef("urn:example:bureau"), URIRef("urn:example:task")
>>> data = load_ontology()
>>> _ = data.add((bureau, DG.leads, task))
>>> closed, rounds = closure_with_owlrl([data], [], keep=frozenset({DG.ledBy, DG.involvedIn}))
>>> sorted(str(p).rsplit("#")[-1] for _, p, _ in closed)
['involvedIn', 'ledBy']
>>> len(data) == len(load_ontology()) + 1   # the input is untouched
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rdflib import Graph, URIRef
from rdflib.term import Node

from dutygraph.kg.reasoning.rules import Rule


def closure_with_owlrl(
    graphs: Iterable[Graph], bridging: Sequence[Rule], *, keep: frozenset[URIRef]
) -> tuple[set[tuple[Node, Node, Node]], int]:
    """The triples with a predicate in `keep` in the closure of the union of `graphs` under OWL 2 RL and the
    `bridging` rules (given ones included), and the number of owlrl closures it took.
    """
    import owlrl

    work = Graph()
    for graph in graphs:
        work += graph
    closures = 0
    while True:
        # Bridging first: on plan data it usually fires before any OWL inference, saving one closure.
        added = 0
        for rule in bridging:
            derived = work.query(rule.construct()).graph
            if derived is None:
                continue
            for triple in derived:
                if triple not in work:
                    work.add(triple)
                    added += 1
        if closures and not added:
            break
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(work)
        closures += 1
    return {triple for predicate in keep for triple in work.triples((None, predicate, None))}, closures
