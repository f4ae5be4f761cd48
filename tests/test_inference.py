"""What the ontology entails, materialised into the inferred graphs: plain SPARQL finds it."""

import csv

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from support import DATA

from clkg.errors import InputError
from clkg.inference import inferred_quads
from clkg.namespaces import ONTOLOGY_INFERRED_GRAPH, dataset_base, inferred_graph
from clkg.vocabulary import ontology_quads

PREFIXES = """PREFIX clkg: <https://w3id.org/clkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
CLKG = "https://w3id.org/clkg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
GRAPH = "https://w3id.org/clkg/graph/test/inferred"


def rows(store, query):
    _, found = store.select(PREFIXES + query)
    return {tuple(term.value for term in row) for row in found}


def seed_studies():
    """study_id -> the case_ids of its cases.csv, for every dataset folder under data/."""
    studies = {}
    for folder in sorted(p for p in DATA.iterdir() if p.is_dir()):
        with open(folder / "study.csv", encoding="utf-8-sig", newline="") as f:
            (study,) = csv.DictReader(f)
        with open(folder / "cases.csv", encoding="utf-8-sig", newline="") as f:
            studies[study["study_id"]] = {row["case_id"] for row in csv.DictReader(f)}
    return studies


def test_seed_studies_are_read():
    assert len(seed_studies()) >= 2 and all(seed_studies().values())


def test_has_case_finds_each_study_cases(store):
    cases = rows(store, "SELECT ?case WHERE { ?study clkg:hasCase ?case }")
    by_id = rows(store, """SELECT ?study_id ?case_id WHERE { ?study clkg:hasCase ?case .
                           ?study dcterms:identifier ?study_id . ?case dcterms:identifier ?case_id }""")
    assert by_id == {(study, case) for study, ids in seed_studies().items() for case in ids}
    assert len(cases) == len(by_id)
    # the case data states clkg:caseOf; clkg:hasCase comes from the study's inferred graph only
    graphs = rows(store, """SELECT DISTINCT ?g ?study_id WHERE {
                            GRAPH ?g { ?study clkg:hasCase ?case } ?study dcterms:identifier ?study_id }""")
    assert graphs == {(inferred_graph(study), study) for study in seed_studies()}


def test_occurs_at_level_holds_from_the_emergence_level_up(store):
    """Learning forms are additive: a symptom occurs at every level at or above where it emerges."""
    occurs = rows(store, "SELECT ?symptom ?level WHERE { ?symptom clkg:occursAtLevel ?level }")
    by_order = rows(store, """SELECT ?symptom ?level WHERE {
        ?symptom clkg:emergesAtLevel ?e . ?e clkg:levelOrder ?from . ?level clkg:levelOrder ?order
        FILTER(?order >= ?from) }""")
    assert occurs == by_order
    assert len({s for s, _ in occurs}) < len(occurs)  # a symptom occurs at several levels
    assert rows(store, "SELECT ?g WHERE { GRAPH ?g { ?s clkg:occursAtLevel ?l } } GROUP BY ?g") \
        == {(ONTOLOGY_INFERRED_GRAPH,)}


def test_communities_of_practice_are_member_groups(store):
    cops = rows(store, "SELECT ?x WHERE { ?x a clkg:CommunityOfPracticeType }")
    groups = rows(store, "SELECT ?x WHERE { ?x a clkg:MemberGroup }")
    assert cops and cops <= groups
    assert rows(store, "SELECT ?x WHERE { GRAPH ?g { ?x a clkg:CommunityOfPracticeType } "
                       "GRAPH ?g { ?x a clkg:MemberGroup } }") == set()  # no concept asserts both


def inferred_graphs(store):
    return {g for g in store.graph_sizes() if g.endswith("/inferred")}


def test_build_writes_one_inferred_graph_per_study_and_the_ontology(built):
    store, report = built
    expected = {ONTOLOGY_INFERRED_GRAPH, *(inferred_graph(s) for s in seed_studies())}
    assert inferred_graphs(store) == expected
    assert expected <= set(report.graphs) and all(report.graphs[g] > 0 for g in expected)


def test_inferred_graphs_hold_nothing_already_asserted(store):
    for graph in inferred_graphs(store):
        assert rows(store, f"""SELECT ?s ?p ?o ?g WHERE {{
            GRAPH <{graph}> {{ ?s ?p ?o }} GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{graph}>) }}""") == set()


def test_inferred_graphs_hold_no_schema_or_noise(store):
    for graph in inferred_graphs(store):
        noise = rows(store, """SELECT ?s ?p ?o WHERE { GRAPH <%s> { ?s ?p ?o }
            FILTER(isBlank(?s) || isBlank(?o)
                   || (?p = owl:sameAs && ?s = ?o)
                   || (?p = rdf:type && REGEX(STR(?o), "^http://www.w3.org/(2002/07/owl|2000/01/rdf-schema|1999/02/22-rdf-syntax-ns)#"))
                   || EXISTS { ?s a ?meta FILTER(?meta IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty,
                                                         owl:AnnotationProperty, owl:Ontology)) }) }""" % graph)
        assert noise == set(), graph


def test_study_graphs_are_about_the_study_own_resources(store):
    for study_id in seed_studies():
        base = dataset_base(study_id)
        outside = rows(store, f"""SELECT ?s ?o WHERE {{ GRAPH <{inferred_graph(study_id)}> {{ ?s ?p ?o }}
            FILTER(!STRSTARTS(STR(?s), "{base}") && !(isIRI(?o) && STRSTARTS(STR(?o), "{base}"))) }}""")
        assert outside == set(), study_id


def own(name):
    return NamedNode(f"https://w3id.org/clkg/data/test/{name}")


def quad(s, p, o):
    return Quad(s, p, o, NamedNode("https://w3id.org/clkg/graph/test"))


def test_a_dataset_without_entailments_gets_an_empty_graph():
    dataset = [quad(own("x"), NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), Literal("a label")),
               quad(own("x"), NamedNode(CLKG + "locator"), Literal("Table 1"))]
    assert inferred_quads(dataset, ontology=ontology_quads(), graph=GRAPH) == []
    assert inferred_quads([], ontology=ontology_quads(), graph=GRAPH) == []


def test_a_dataset_concept_gets_its_super_class_and_the_inverse_on_a_framework_concept():
    """A study's own concept: typed a community of practice, narrower than a framework concept."""
    cop = next(q.subject for q in ontology_quads()
               if q.predicate == RDF_TYPE and q.object == NamedNode(CLKG + "CommunityOfPracticeType"))
    concept = own("concept/guild")
    dataset = [quad(concept, RDF_TYPE, NamedNode(CLKG + "CommunityOfPracticeType")),
               quad(concept, NamedNode(SKOS + "broader"), cop)]
    inferred = {(q.subject, q.predicate, q.object) for q in
                inferred_quads(dataset, ontology=ontology_quads(), graph=GRAPH)}
    assert (concept, RDF_TYPE, NamedNode(CLKG + "MemberGroup")) in inferred
    assert (cop, NamedNode(SKOS + "narrower"), concept) in inferred
    assert all(concept in (s, o) for s, _, o in inferred)  # nothing about the framework alone


def test_inferred_quads_go_to_the_given_graph_and_keep_the_dataset_blank_nodes():
    node = BlankNode()
    dataset = [quad(node, NamedNode(CLKG + "caseOf"), own("study"))]
    inferred = inferred_quads(dataset, ontology=ontology_quads(), graph=GRAPH)
    assert {q.graph_name for q in inferred} == {NamedNode(GRAPH)}
    assert Quad(own("study"), NamedNode(CLKG + "hasCase"), node, NamedNode(GRAPH)) in inferred
    assert Quad(node, RDF_TYPE, NamedNode(CLKG + "Case"), NamedNode(GRAPH)) in inferred  # a domain


def test_an_inconsistent_dataset_is_refused():
    dataset = [quad(own("x"), RDF_TYPE, NamedNode(CLKG + "Study")),
               quad(own("x"), RDF_TYPE, NamedNode(CLKG + "Case"))]  # disjoint classes
    with pytest.raises(InputError) as err:
        inferred_quads(dataset, ontology=ontology_quads(), graph=GRAPH)
    assert err.value.problems[0].file == GRAPH and "inconsistent" in err.value.problems[0].message
