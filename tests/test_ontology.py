"""The ontology files, the generated closed namespaces, and the agency-type labels the loaders match."""

from __future__ import annotations

import inspect
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from dutygraph.ontology import (
    agency_type_keys,
    agency_type_labels,
    agency_type_names,
    agency_types_path,
    load_ontology,
    ontology_path,
    remits_path,
)
from dutygraph.ontology.generate_namespace import main as generate_namespace
from dutygraph.ontology.generate_namespace import render_namespace_module
from dutygraph.ontology.namespace import AGENCY_TYPE, DG

GOLD = Path(__file__).parent / "gold"
ONTOLOGY_IRI = URIRef("https://w3id.org/dutygraph/ns")
GROUPING_CONCEPTS = {"law-enforcement", "party-organs", "food-safety-bodies", "group"}


def _parse(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle")


@pytest.fixture(scope="module")
def ontology_file() -> Graph:
    return _parse(ontology_path().read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def agency_types_file() -> Graph:
    return _parse(agency_types_path().read_text(encoding="utf-8"))


def _declared(graph: Graph, namespace: str) -> set[str]:
    """Local names of the subjects in `namespace` that have an rdf:type (what the generator must list)."""
    return {
        str(subject)[len(namespace) :]
        for subject in graph.subjects(RDF.type, None)
        if str(subject).startswith(namespace) and str(subject) != namespace
    }


def _members(namespace: type) -> set[str]:
    return set(inspect.get_annotations(namespace)) | set(namespace._extras)  # type: ignore[attr-defined]


def _languages(graph: Graph, subject: URIRef, predicate: URIRef) -> set[str | None]:
    return {value.language for value in graph.objects(subject, predicate) if isinstance(value, Literal)}


# --- the files parse and say what they are


def test_ontology_header(ontology_file: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology_file
    assert ontology_file.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert _languages(ontology_file, ONTOLOGY_IRI, RDFS.label) == {"zh", "en"}


def test_load_ontology_holds_all_files_and_returns_a_fresh_copy(
    ontology_file: Graph, agency_types_file: Graph
) -> None:
    graph = load_ontology()
    remits = Graph().parse(data=remits_path().read_text(encoding="utf-8"), format="turtle")
    assert len(graph) == len(ontology_file + agency_types_file + remits)
    assert (AGENCY_TYPE.education, DG.coversTopic, Literal("校园", lang="zh")) in graph
    assert (DG.hostedBy, RDFS.domain, DG.Office) in graph
    assert (AGENCY_TYPE["market-regulation"], SKOS.inScheme, AGENCY_TYPE.scheme) in graph
    graph.remove((DG.hostedBy, None, None))
    assert (DG.hostedBy, RDFS.domain, DG.Office) in load_ontology()


def test_class_hierarchy_and_property_inverses(ontology_file: Graph) -> None:
    org = "http://www.w3.org/ns/org#Organization"
    for organisation in (DG.Agency, DG.AgencyGroup, DG.Body):
        assert (organisation, RDFS.subClassOf, URIRef(org)) in ontology_file
    for body in (DG.LeadingGroup, DG.Committee, DG.Office):
        assert (body, RDFS.subClassOf, DG.Body) in ontology_file
    for role_property, inverse in ((DG.leads, DG.ledBy), (DG.assists, DG.assistedBy)):
        assert (role_property, RDFS.subPropertyOf, DG.involvedIn) in ontology_file
        assert (inverse, OWL.inverseOf, role_property) in ontology_file
        assert (inverse, RDFS.subPropertyOf, DG.involves) in ontology_file
    assert (DG.withinJurisdiction, RDF.type, OWL.TransitiveProperty) in ontology_file
    assert (DG.parentJurisdiction, RDFS.subPropertyOf, DG.withinJurisdiction) in ontology_file


def test_role_and_deadline_kind_notations_are_the_json_keys(ontology_file: Graph) -> None:
    def notations(scheme: URIRef) -> set[str]:
        return {
            str(ontology_file.value(concept, SKOS.notation))
            for concept in ontology_file.subjects(SKOS.inScheme, scheme)
        }

    assert notations(DG.RoleScheme) == {"lead", "assist", "responsible"}
    assert notations(DG.DeadlineKindScheme) == {
        "by-date",
        "aspirational-by-date",
        "recurring",
        "per-directive",
        "long-term",
        "phase",
    }
    assert ontology_file.value(DG.ByDate, SKOS.notation) == Literal("by-date")
    assert ontology_file.value(DG.LeadRole, SKOS.notation) == Literal("lead")


# --- closed namespaces: generated, equal to the files both ways


def test_dg_attributes_are_exactly_the_terms_of_the_ontology(ontology_file: Graph) -> None:
    declared = _declared(ontology_file, str(DG))
    assert {"Plan", "Assignment", "leads", "asWritten", "LeadRole", "DeadlineKindScheme"} <= declared
    assert _members(DG) == declared


def test_agency_type_members_are_exactly_the_concepts_of_the_scheme(agency_types_file: Graph) -> None:
    declared = _declared(agency_types_file, str(AGENCY_TYPE))
    assert {"scheme", "market-regulation", "health", "law-enforcement", "township-government"} <= declared
    assert _members(AGENCY_TYPE) == declared


def test_namespaces_are_closed() -> None:
    assert DG.leads == URIRef("https://w3id.org/dutygraph/ns#leads")
    assert AGENCY_TYPE["market-regulation"] == URIRef(
        "https://w3id.org/dutygraph/agency-type/market-regulation"
    )
    assert AGENCY_TYPE.health == AGENCY_TYPE["health"]
    with pytest.raises(AttributeError):
        DG.Nonexistent  # noqa: B018
    with pytest.raises(AttributeError):
        DG["leadBy"]
    with pytest.raises(AttributeError):
        AGENCY_TYPE["market-regulaton"]
    with pytest.raises(AttributeError):
        AGENCY_TYPE.market_regulation  # noqa: B018


def test_generated_namespace_module_is_up_to_date() -> None:
    assert generate_namespace(["--check"]) == 0


def test_check_fails_on_a_stale_module_and_writing_fixes_it(tmp_path: Path) -> None:
    stale = tmp_path / "namespace.py"
    stale.write_text("# hand-edited\n", encoding="utf-8")
    assert generate_namespace(["--check", "--output", str(stale)]) == 1
    assert generate_namespace(["--output", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == render_namespace_module()
    assert generate_namespace(["--check", "--output", str(stale)]) == 0


def test_a_new_term_in_the_ontology_reaches_the_generated_module() -> None:
    extra = '\ndg:Remit a owl:Class ; rdfs:label "remit"@en ; rdfs:comment "What a unit is for."@en .\n'
    source = render_namespace_module(ontology_text=ontology_path().read_text(encoding="utf-8") + extra)
    assert "    Remit: URIRef  # What a unit is for.\n" in source
    assert "    Remit: URIRef" not in render_namespace_module()


def test_generated_comments_fit_the_line_length() -> None:
    lines = render_namespace_module().splitlines()
    leads = next(line for line in lines if line.startswith("    leads: URIRef  # The organisation leads"))
    # Cut at a word and marked, within 110 columns where 牵头 takes four.
    assert leads.endswith(", or it is the …")
    # Only the first sentence of a longer comment.
    assert "    hasTask: URIRef  # A task of the plan; the inverse of dg:inPlan." in lines
    assert '        "market-regulation",  # Market Regulation Bureau' in lines


# --- labels and comments in Chinese and English


def test_every_dg_term_has_labels_and_comments_in_chinese_and_english(ontology_file: Graph) -> None:
    for name in sorted(_declared(ontology_file, str(DG))):
        term: URIRef = DG[name]  # annotated: mypy reads a bare `x = DG[name]` as a type alias
        assert {"zh", "en"} <= _languages(ontology_file, term, RDFS.label), name
        assert {"zh", "en"} <= _languages(ontology_file, term, RDFS.comment), name


def test_every_agency_type_has_pref_labels_in_chinese_and_english(agency_types_file: Graph) -> None:
    concepts = set(agency_types_file.subjects(RDF.type, DG.AgencyType))
    assert len(concepts) >= 49
    for concept in concepts:
        assert isinstance(concept, URIRef)
        assert _languages(agency_types_file, concept, SKOS.prefLabel) == {"zh", "en"}, concept
        key = str(agency_types_file.value(concept, DG.typeKey))
        assert concept == AGENCY_TYPE[key]
        assert agency_types_file.value(concept, SKOS.notation) == Literal(key)
        assert (concept, SKOS.inScheme, AGENCY_TYPE.scheme) in agency_types_file


# --- agency types


def _schema_table_keys() -> set[str]:
    """The keys of the "Agency types" table and the group types named after it in gold/SCHEMA.md."""
    schema = (GOLD / "SCHEMA.md").read_text(encoding="utf-8")
    section = schema.split("## Agency types", 1)[1]
    keys = {m.group(1) for m in re.finditer(r"^\|\s*([a-z][a-z-]*)\s*\|", section, flags=re.MULTILINE)}
    keys.discard("key")
    group_line = next(line for line in section.splitlines() if line.startswith("Group types:"))
    keys |= set(re.findall(r"`([a-z-]+)`", group_line))
    return keys


def test_every_schema_key_is_an_agency_type() -> None:
    keys = _schema_table_keys()
    assert {
        "market-regulation",
        "party-discipline",
        "other",
        "township-government",
        "all-departments",
    } <= keys
    assert len(keys) >= 45
    assert keys <= agency_type_keys()
    assert agency_type_keys() - keys == GROUPING_CONCEPTS


def test_grouping_concepts_have_narrower_types_and_no_alt_labels(agency_types_file: Graph) -> None:
    def narrower(key: str) -> set[str]:
        return {
            str(agency_types_file.value(concept, DG.typeKey))
            for concept in agency_types_file.subjects(SKOS.broader, AGENCY_TYPE[key])
        }

    assert narrower("law-enforcement") == {"public-security", "procuratorate", "court", "justice"}
    assert narrower("food-safety-bodies") == {"food-safety-office", "food-safety-committee"}
    assert narrower("group") == {
        "township-government",
        "county-government",
        "committee-members",
        "all-departments",
    }
    assert {key for key in agency_type_keys() if key.startswith("party-") and key != "party-organs"} | {
        "party-discipline"
    } == narrower("party-organs")
    for key in GROUPING_CONCEPTS:
        assert not list(agency_types_file.objects(AGENCY_TYPE[key], SKOS.altLabel)), key


def test_each_label_belongs_to_one_concept_only(agency_types_file: Graph) -> None:
    owners: dict[str, set[URIRef]] = defaultdict(set)
    for predicate in (SKOS.prefLabel, SKOS.altLabel):
        for concept, label in agency_types_file.subject_objects(predicate):
            if isinstance(label, Literal) and label.language == "zh" and isinstance(concept, URIRef):
                owners[str(label)].add(concept)
    shared = {label: sorted(concepts) for label, concepts in owners.items() if len(concepts) > 1}
    assert shared == {}
    # SKOS S13: a concept does not give one label as both its preferred and an alternative label.
    for concept, label in agency_types_file.subject_objects(SKOS.altLabel):
        assert (concept, SKOS.prefLabel, label) not in agency_types_file


def test_alt_labels_cover_full_short_and_former_names() -> None:
    labels = dict(agency_type_labels())
    expected = {
        "市场监督管理局": "market-regulation",
        "食药监局": "market-regulation",
        "工商局": "market-regulation",
        "卫计委": "health",
        "农水局": "agriculture",
        "经科局": "economy-information",
        "经贸委": "economy-information",
        "出入境检验检疫局": "customs",
        "国土局": "natural-resources",
        "贸易发展局": "commerce",
        "纪委（监委）": "party-discipline",
        "食药安办": "food-safety-office",
        "食安委": "food-safety-committee",
        "委编办": "party-establishment",
        "府办": "general-office",
        "北站": "transport",
        "各乡镇（街道）": "township-government",
    }
    assert {label: labels.get(label) for label in expected} == expected


def test_labels_are_ordered_longest_first() -> None:
    pairs = agency_type_labels()
    assert pairs.index(("农业农村和水利局", "agriculture")) < pairs.index(("水利局", "water-resources"))
    assert pairs.index(("经济和信息化科技局", "economy-information")) < pairs.index(
        ("科技局", "science-technology")
    )
    lengths = [len(label) for label, _ in pairs]
    assert lengths == sorted(lengths, reverse=True)
    assert "政法机关" not in dict(pairs)  # a grouping concept's name is no bureau's name


def test_agency_type_names_are_todays_full_names() -> None:
    names = agency_type_names()
    assert names["market-regulation"] == "市场监督管理局"
    assert names["health"] == "卫生健康局"
    assert names["human-resources"] == "人力资源和社会保障局"
    assert set(names) == agency_type_keys()


# The gold readings name each agency as a plan wrote it; the longest label it ends with must give the gold
# type. These wordings carry no bureau name at their end, or take their type from the sentence around them.
WORDINGS_THE_LABELS_CANNOT_TYPE = {
    "瑞安": "a bare county name standing for its government",
    "永嘉": "a bare county name standing for its government",
    "平阳": "a bare county name standing for its government",
    "文成": "a bare county name standing for its government",
    "公安蓟州分局": "the jurisdiction sits inside the name (公安 + 蓟州 + 分局)",
    "市、县两级食安办": "two levels at once: the city office and a group of county offices",
    "市场监管部门": "a group of county bureaus where the sentence says so",
    "各街道（镇））党委、政府": "two kinds of unit in one group wording",
}


def _gold_wordings() -> set[tuple[str, str]]:
    wordings: set[tuple[str, str]] = set()
    for path in sorted(GOLD.glob("*.json")):
        reading = json.loads(path.read_text(encoding="utf-8"))
        for task in reading["tasks"]:
            wordings.update((role["as_written"], role["type"]) for role in task["agencies"])
        wordings.update((block["as_written"], block["type"]) for block in reading["duties"])
    return wordings


def test_longest_label_gives_the_gold_type_of_every_written_name() -> None:
    pairs = agency_type_labels()
    wordings = _gold_wordings()
    assert len(wordings) >= 90
    wrong = {
        (written, gold): next((key for label, key in pairs if written.endswith(label)), None)
        for written, gold in wordings
        if written not in WORDINGS_THE_LABELS_CANNOT_TYPE
    }
    assert {wording: found for wording, found in wrong.items() if found != wording[1]} == {}


# --- reasoning


def test_owl_rl_closure_infers_inverses_and_transitive_jurisdictions() -> None:
    import owlrl
    from owlrl.Namespaces import ERRNS

    graph = load_ontology()
    bureau, task, duty, plan = (URIRef(f"urn:example:{name}") for name in ("bureau", "task", "duty", "plan"))
    township, district, city = (URIRef(f"urn:example:{name}") for name in ("township", "district", "city"))
    graph.add((bureau, RDF.type, DG.Agency))
    graph.add((bureau, DG.leads, task))
    graph.add((bureau, DG.agencyType, AGENCY_TYPE["public-security"]))
    graph.add((duty, RDF.type, DG.Duty))
    graph.add((duty, DG.inPlan, plan))
    graph.add((township, DG.parentJurisdiction, district))
    graph.add((district, DG.parentJurisdiction, city))

    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)

    assert list(graph.objects(None, ERRNS.error)) == []
    assert (task, DG.ledBy, bureau) in graph
    assert (task, DG.involves, bureau) in graph
    assert (bureau, DG.involvedIn, task) in graph
    assert (task, RDF.type, DG.Task) in graph
    assert (township, DG.withinJurisdiction, city) in graph
    assert (AGENCY_TYPE["public-security"], SKOS.broader, AGENCY_TYPE["law-enforcement"]) in graph
    assert (plan, DG.hasTask, duty) in graph
    # dg:hasTask has no range, so a duty reached through it is not taken for a task.
    assert (duty, RDF.type, DG.Task) not in graph
