"""Each folder of tests/cases holds a short plan excerpt and the graph it must give (expected.ttl).

Graphs are compared by isomorphism, never as text; a failure prints only what differs, as sorted N-Triples.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic

from dutygraph.loaders.extract import read_plan_file
from dutygraph.loaders.to_rdf import reading_to_graph

CASES = sorted(p for p in (Path(__file__).parent / "cases").iterdir() if (p / "plan.txt").exists())


def _sorted_ntriples(graph: Graph) -> str:
    return "\n".join(sorted(graph.serialize(format="nt").splitlines()))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_plan_excerpt_gives_expected_graph(case: Path) -> None:
    # Through Turtle and back, as expected.ttl went: Turtle writes the decimal 100 as 100.0.
    written = reading_to_graph(read_plan_file(case / "plan.txt")).serialize(format="turtle")
    produced = Graph().parse(data=written, format="turtle")
    expected = Graph().parse(case / "expected.ttl", format="turtle")
    iso_produced, iso_expected = to_isomorphic(produced), to_isomorphic(expected)
    if iso_produced != iso_expected:
        _, only_produced, only_expected = graph_diff(iso_produced, iso_expected)
        pytest.fail(
            f"{case.name}: graphs differ\n--- only in expected.ttl:\n{_sorted_ntriples(only_expected)}\n"
            f"--- only in what the loaders produce:\n{_sorted_ntriples(only_produced)}\n"
            f"(if the new output is right: python tests/cases/regenerate.py {case.name})"
        )


def test_every_case_has_an_expected_graph() -> None:
    assert len(CASES) >= 5
    assert all((c / "expected.ttl").exists() for c in CASES)
