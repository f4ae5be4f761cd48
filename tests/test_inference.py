"""What the ontology entails, materialised into the inferred graphs: plain SPARQL finds it.

Through the command line: a store built by `clkg build` from the seed data, and that store with a
further study loaded by `clkg load` (tests/fixtures/invented-inter-clustering, INVENTED). Expected
values are read from the datasets' CSV files and from the asserted triples.
"""

import csv
import re
import shutil
from pathlib import Path

import pyoxigraph
import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from support import DATA, ROOT, SL, cli_built_store, generator, run_clkg

from clkg.errors import InputError
from clkg.inference import inferred_quads, owlrl_inferred_quads
from clkg.loaders import Dataset, read_datasets
from clkg.namespaces import ONTOLOGY_GRAPH, ONTOLOGY_INFERRED_GRAPH, dataset_base, dataset_graph, inferred_graph
from clkg.pipeline import HAS_VERSION, batch_context, dataset_inferred_quads, shipped_graphs
from clkg.prefixes import converter
from clkg.vocabulary import ontology_quads

FIXTURE = ROOT / "tests" / "fixtures" / "invented-inter-clustering"
SEEDS = sorted(p for p in DATA.iterdir() if p.is_dir())
PREFIXES = """PREFIX clkg: <https://w3id.org/clkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""
CLKG = "https://w3id.org/clkg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
GRAPH = "https://w3id.org/clkg/graph/test/inferred"


def table(folder: Path, name: str) -> list[dict]:
    with open(folder / f"{name}.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def cases(*folders: Path) -> set[tuple[str, str]]:
    """(study_id, case_id) for every case in the cases.csv of each dataset folder."""
    return {(table(folder, "study")[0]["study_id"], row["case_id"]) for folder in folders
            for row in table(folder, "cases")}


def rows(path: Path, query: str) -> set[tuple]:
    """A SELECT over the union of the graphs of the on-disk store at ``path``, as value tuples."""
    from clkg.store import open_store

    with open_store(f"oxigraph:{path}", read_only=True) as store:
        _, found = store.select(PREFIXES + query)
    return {tuple(term.value for term in row) for row in found}


def nquads(path: Path) -> dict[str, set[str]]:
    """graph IRI -> its quads as N-Quads lines, for the on-disk store at ``path``."""
    store = pyoxigraph.Store.read_only(str(path))
    graphs = {}
    for quad in store:
        graphs.setdefault(quad.graph_name.value, set()).add(str(quad))
    del store
    return graphs


def load(path: Path, *args) -> str:
    result = run_clkg("--store", f"oxigraph:{path}", "load", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> Path:
    """A store built by `clkg build` from the seed data."""
    return cli_built_store(tmp_path_factory.mktemp("seed") / "store")


@pytest.fixture(scope="module")
def grown(seed, tmp_path_factory) -> Path:
    """The seed store with the invented study loaded by `clkg load`."""
    path = tmp_path_factory.mktemp("grown") / "store"
    shutil.copytree(seed, path)
    study = table(FIXTURE, "study")[0]["study_id"]
    assert f"{inferred_graph(study)} " in load(path, FIXTURE)  # listed among the graphs written
    return path


STORES = [("seed", SEEDS), ("grown", [*SEEDS, FIXTURE])]


@pytest.fixture(params=STORES, ids=[name for name, _ in STORES])
def store_and_folders(request):
    name, folders = request.param
    return request.getfixturevalue(name), folders


def test_has_case_finds_every_study_cases(store_and_folders):
    path, folders = store_and_folders
    found = rows(path, """SELECT ?study_id ?case_id WHERE { ?study clkg:hasCase ?case .
                          ?study dcterms:identifier ?study_id . ?case dcterms:identifier ?case_id }""")
    assert found == cases(*folders)
    # the case data states clkg:caseOf; clkg:hasCase comes from the study's inferred graph only
    graphs = rows(path, """SELECT DISTINCT ?g ?study_id WHERE {
                           GRAPH ?g { ?study clkg:hasCase ?case } ?study dcterms:identifier ?study_id }""")
    assert graphs == {(inferred_graph(study), study) for study, _ in cases(*folders)}


def test_occurs_at_level_holds_from_the_emergence_level_up(store_and_folders):
    """Learning forms are additive: a symptom occurs at every level at or above where it emerges."""
    path, _ = store_and_folders
    occurs = rows(path, "SELECT ?symptom ?level WHERE { ?symptom clkg:occursAtLevel ?level }")
    by_order = rows(path, """SELECT ?symptom ?level WHERE {
        ?symptom clkg:emergesAtLevel ?e . ?e clkg:levelOrder ?from . ?level clkg:levelOrder ?order
        FILTER(?order >= ?from) }""")
    assert occurs == by_order
    assert len({s for s, _ in occurs}) < len(occurs)  # a symptom occurs at several levels
    assert rows(path, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s clkg:occursAtLevel ?l } }") \
        == {(ONTOLOGY_INFERRED_GRAPH,)}


def test_communities_of_practice_are_member_groups(store_and_folders):
    path, _ = store_and_folders
    cops = rows(path, "SELECT ?x WHERE { ?x a clkg:CommunityOfPracticeType }")
    groups = rows(path, "SELECT ?x WHERE { ?x a clkg:MemberGroup }")
    assert cops and cops <= groups
    assert rows(path, "SELECT ?x WHERE { GRAPH ?g { ?x a clkg:CommunityOfPracticeType } "
                      "GRAPH ?g { ?x a clkg:MemberGroup } }") == set()  # no graph asserts both


def inferred_graphs(path: Path) -> set[str]:
    return {g for g in nquads(path) if g.endswith("/inferred")}


def test_one_inferred_graph_per_study_and_the_ontology(store_and_folders):
    path, folders = store_and_folders
    assert inferred_graphs(path) == {ONTOLOGY_INFERRED_GRAPH, *(inferred_graph(s) for s, _ in cases(*folders))}


def test_inferred_graphs_hold_nothing_already_asserted(grown):
    for graph in inferred_graphs(grown):
        assert rows(grown, f"""SELECT ?s ?p ?o ?g WHERE {{
            GRAPH <{graph}> {{ ?s ?p ?o }} GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{graph}>) }}""") == set()


def test_inferred_graphs_hold_no_schema_or_noise(grown):
    for graph in inferred_graphs(grown):
        noise = rows(grown, """SELECT ?s ?p ?o WHERE { GRAPH <%s> { ?s ?p ?o }
            FILTER(isBlank(?s) || isBlank(?o)
                   || (?p = owl:sameAs && ?s = ?o)
                   || (?p = rdf:type && REGEX(STR(?o), "^http://www.w3.org/(2002/07/owl|2000/01/rdf-schema|1999/02/22-rdf-syntax-ns)#"))
                   || EXISTS { ?s a ?meta FILTER(?meta IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty,
                                                         owl:AnnotationProperty, owl:Ontology)) }) }""" % graph)
        assert noise == set(), graph


def test_study_graphs_are_about_the_study_own_resources(grown):
    for study, _ in cases(*SEEDS, FIXTURE):
        base = dataset_base(study)
        outside = rows(grown, f"""SELECT ?s ?o WHERE {{ GRAPH <{inferred_graph(study)}> {{ ?s ?p ?o }}
            FILTER(!STRSTARTS(STR(?s), "{base}") && !(isIRI(?o) && STRSTARTS(STR(?o), "{base}"))) }}""")
        assert outside == set(), study


def reworked_fixture(tmp_path: Path) -> tuple[Path, str, str, str]:
    """A copy of the invented study with its last case renamed everywhere and its first own concept
    typed a community of practice: (folder, old case_id, new case_id, concept_id)."""
    folder = tmp_path / FIXTURE.name
    shutil.copytree(FIXTURE, folder)
    old = table(FIXTURE, "cases")[-1]["case_id"]
    new = f"{old}-renamed"
    for path in folder.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", new, text), encoding="utf-8")
    concepts = table(folder, "concepts")
    concept = next(row for row in concepts if not row["scheme"])
    concept["types"] = "clkg:CommunityOfPracticeType"
    with open(folder / "concepts.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(concepts[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(concepts)
    return folder, old, new, concept["concept_id"]


def test_a_replaced_study_gets_its_inferred_graph_replaced_and_nothing_else_changes(grown, tmp_path):
    path = tmp_path / "store"
    shutil.copytree(grown, path)
    folder, old, new, concept = reworked_fixture(tmp_path)
    study = table(FIXTURE, "study")[0]["study_id"]
    before = nquads(path)
    load(path, folder, "--replace")
    after = nquads(path)
    found = {case for (case,) in rows(path, f"""SELECT ?case_id WHERE {{
        <{dataset_base(study)}study> clkg:hasCase ?case . ?case dcterms:identifier ?case_id }}""")}
    assert found == {c for s, c in cases(folder) if s == study} and old not in found and new in found
    assert rows(path, f"""SELECT ?g WHERE {{ GRAPH ?g {{
        <{dataset_base(study)}concept/{concept}> a clkg:MemberGroup }} }}""") == {(inferred_graph(study),)}
    mine = {dataset_graph(study), inferred_graph(study)}
    assert {g: q for g, q in after.items() if g not in mine} == {g: q for g, q in before.items() if g not in mine}


def test_the_ontology_inferred_graph_is_rewritten_with_the_ontology(seed, tmp_path):
    """A store holding another version of the ontology gets the shipped one and what it entails."""
    path = tmp_path / "store"
    shutil.copytree(seed, path)
    store = pyoxigraph.Store(str(path))
    graph = NamedNode(ONTOLOGY_GRAPH)
    store.remove_graph(NamedNode(ONTOLOGY_INFERRED_GRAPH))
    for quad in list(store.quads_for_pattern(graph, NamedNode(HAS_VERSION), None, graph)):
        store.remove(quad)
    store.add(Quad(graph, NamedNode(HAS_VERSION), Literal("sha256:an-older-ontology"), graph))
    store.flush()
    del store
    load(path, DATA / SL)
    written = {str(q) for q in shipped_graphs()[ONTOLOGY_INFERRED_GRAPH]}
    assert written and nquads(path)[ONTOLOGY_INFERRED_GRAPH] == written == nquads(seed)[ONTOLOGY_INFERRED_GRAPH]


# -- the rules on hand-made triples

def own(name):
    return NamedNode(f"https://w3id.org/clkg/data/test/{name}")


def quad(s, p, o):
    return Quad(s, p, o, NamedNode("https://w3id.org/clkg/graph/test"))


def infer(dataset):
    return inferred_quads(dataset, background=ontology_quads(), graph=GRAPH, source="test")


def test_a_dataset_without_entailments_gets_an_empty_graph():
    dataset = [quad(own("x"), NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), Literal("a label")),
               quad(own("x"), NamedNode(CLKG + "locator"), Literal("Table 1"))]
    assert infer(dataset) == []
    assert infer([]) == []


def test_a_dataset_concept_gets_its_super_class_and_the_inverse_on_a_framework_concept():
    """A study's own concept: typed a community of practice, narrower than a framework concept."""
    cop = next(q.subject for q in ontology_quads()
               if q.predicate == RDF_TYPE and q.object == NamedNode(CLKG + "CommunityOfPracticeType"))
    concept = own("concept/guild")
    dataset = [quad(concept, RDF_TYPE, NamedNode(CLKG + "CommunityOfPracticeType")),
               quad(concept, NamedNode(SKOS + "broader"), cop)]
    inferred = {(q.subject, q.predicate, q.object) for q in infer(dataset)}
    assert (concept, RDF_TYPE, NamedNode(CLKG + "MemberGroup")) in inferred
    assert (cop, NamedNode(SKOS + "narrower"), concept) in inferred
    assert all(concept in (s, o) for s, _, o in inferred)  # nothing about the framework alone


def test_another_study_concept_is_context_not_the_dataset_own():
    """A case in another study's sector, a concept narrower than another study's: what that
    study's graph states of its concept is not repeated, what the dataset adds to it is kept."""
    theirs = NamedNode("https://w3id.org/clkg/data/other/concept/guild")
    mine = own("concept/craft")
    context = [Quad(theirs, RDF_TYPE, NamedNode(SKOS + "Concept"), NamedNode(dataset_graph("other")))]
    dataset = Dataset(study_id="test", graph=dataset_graph("test"), source="test",
                      quads=[quad(own("case/a"), NamedNode(CLKG + "sector"), theirs),  # range skos:Concept
                             quad(mine, RDF_TYPE, NamedNode(SKOS + "Concept")),
                             quad(mine, NamedNode(SKOS + "broader"), theirs)])
    alone = {(q.subject, q.predicate, q.object) for q in dataset_inferred_quads(dataset)}
    read_with = {(q.subject, q.predicate, q.object) for q in dataset_inferred_quads(dataset, context=context)}
    assert (theirs, NamedNode(SKOS + "narrower"), mine) in read_with & alone
    assert (theirs, RDF_TYPE, NamedNode(SKOS + "Concept")) in alone - read_with  # the other graph states it
    assert all({mine, own("case/a")} & {s, o} for s, _, o in read_with)
    assert {q.graph_name for q in dataset_inferred_quads(dataset, context=context)} == {NamedNode(inferred_graph("test"))}


def test_inferred_quads_go_to_the_given_graph_and_keep_the_dataset_blank_nodes():
    node = BlankNode()
    inferred = infer([quad(node, NamedNode(CLKG + "caseOf"), own("study"))])
    assert {q.graph_name for q in inferred} == {NamedNode(GRAPH)}
    assert Quad(own("study"), NamedNode(CLKG + "hasCase"), node, NamedNode(GRAPH)) in inferred
    assert Quad(node, RDF_TYPE, NamedNode(CLKG + "Case"), NamedNode(GRAPH)) in inferred  # a domain


def test_an_inconsistent_dataset_is_refused():
    dataset = [quad(own("x"), RDF_TYPE, NamedNode(CLKG + "Study")),
               quad(own("x"), RDF_TYPE, NamedNode(CLKG + "Case"))]  # disjoint classes
    with pytest.raises(InputError) as err:
        infer(dataset)
    assert err.value.problems[0].file == "test" and "inconsistent" in err.value.problems[0].message


def test_load_refuses_a_study_inconsistent_with_the_ontology_and_leaves_the_store(seed, tmp_path):
    """Without HermiT (`clkg load` does not run it), the OWL 2 RL rules find the clash."""
    path = tmp_path / "store"
    shutil.copytree(seed, path)
    folder = tmp_path / FIXTURE.name
    shutil.copytree(FIXTURE, folder)
    concepts = table(folder, "concepts")
    concepts[0]["types"] = "clkg:CommunityOfPracticeType;clkg:InvolvementLevel"
    with open(folder / "concepts.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(concepts[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(concepts)
    before = nquads(path)
    result = run_clkg("--store", f"oxigraph:{path}", "load", folder)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "inconsistent with the ontology" in result.stderr and "Traceback" not in result.stderr
    assert nquads(path) == before


# -- the rules against owlrl, the reference



@pytest.fixture(scope="module")
def every_study(tmp_path_factory) -> dict[str, tuple]:
    """{name: (quads, background, graph)} of every seed dataset, the invented study and a synthetic
    one, read together and reasoned over as a load does (with each other's concepts)."""
    synthetic = generator().write_corpus(tmp_path_factory.mktemp("synthetic"), studies=1, seed=3)
    datasets = read_datasets([*SEEDS, FIXTURE, *synthetic], prefixes=converter())
    context = batch_context(datasets)
    return {ds.study_id: (ds.quads, [*ontology_quads(), *context.relevant(ds)], inferred_graph(ds.study_id))
            for ds in datasets}


def test_the_ontology_entails_what_owlrl_finds():
    args = dict(background=(), graph=ONTOLOGY_INFERRED_GRAPH, source="ontology")
    assert set(inferred_quads(ontology_quads(), **args)) == set(owlrl_inferred_quads(ontology_quads(), **args))


def test_the_rules_close_the_ontology_as_owlrl_does():
    """Every triple of the closure, the schema's included: a study's closure starts from it."""
    import owlrl
    import rdflib

    from clkg.inference import _Closure, _oxigraph_term, rdflib_triple

    graph = rdflib.Graph()
    for q in ontology_quads():
        graph.add(rdflib_triple(q))
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    closure = _Closure(None, {(q.subject, q.predicate, q.object) for q in ontology_quads()})
    assert not closure.errors and closure.all == {tuple(map(_oxigraph_term, t)) for t in graph}


@pytest.mark.parametrize("study", [p.name for p in SEEDS] + [FIXTURE.name, "synthetic-00000"])
def test_every_study_gets_what_owlrl_finds(every_study, study, monkeypatch):
    import clkg.inference

    quads, background, graph = every_study[study]
    expected = set(owlrl_inferred_quads(quads, background=background, graph=graph, source=study))

    def owlrl_again(*args, **kwargs):
        raise AssertionError("a study of the corpus should not need owlrl")

    monkeypatch.setattr(clkg.inference, "owlrl_inferred_quads", owlrl_again)
    mine = inferred_quads(quads, background=background, graph=graph, source=study)
    assert mine and set(mine) == expected


OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"


class _Namespace(str):
    def __add__(self, name):
        return NamedNode(str.__add__(self, name))


RDF_ = _Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS_ = _Namespace("http://www.w3.org/2000/01/rdf-schema#")
#: Inputs the rules refuse or leave to owlrl: each must give owlrl's triples, or its problems.
ODD_INPUTS = {
    "disjoint classes": [(own("x"), RDF_TYPE, NamedNode(CLKG + "Study")), (own("x"), RDF_TYPE, NamedNode(CLKG + "Case"))],
    "disjoint concept types": [(own("c"), RDF_TYPE, NamedNode(CLKG + "CommunityOfPracticeType")),
                               (own("c"), RDF_TYPE, NamedNode(CLKG + "InvolvementLevel"))],
    "owl:Nothing": [(own("x"), RDF_TYPE, NamedNode(OWL + "Nothing"))],
    "differentFrom itself": [(own("x"), NamedNode(OWL + "differentFrom"), own("x"))],
    "ill-typed literal": [(own("x"), NamedNode(CLKG + "locator"), Literal("ten", datatype=NamedNode(XSD + "integer")))],
    "two values of a functional property": [(own("s"), NamedNode(CLKG + "nextLevel"), own("a")),
                                            (own("s"), NamedNode(CLKG + "nextLevel"), own("b"))],
    "an owl:sameAs": [(own("a"), NamedNode(OWL + "sameAs"), own("b")), (own("a"), NamedNode(CLKG + "caseOf"), own("s"))],
    "a class axiom": [(own("C"), NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf"), NamedNode(CLKG + "Case")),
                      (own("x"), RDF_TYPE, own("C"))],
    "a typed literal": [(own("x"), NamedNode(CLKG + "levelOrder"), Literal("7", datatype=NamedNode(XSD + "integer")))],
    "property axioms": [(own("p"), RDF_TYPE, NamedNode(OWL + "ObjectProperty")),
                        (own("p"), RDFS_ + "domain", NamedNode("http://www.w3.org/ns/prov#Entity")),
                        (own("p"), RDFS_ + "subPropertyOf", NamedNode("http://purl.org/dc/terms/relation")),
                        (own("q"), NamedNode(OWL + "inverseOf"), own("p")),
                        (own("q"), RDF_TYPE, NamedNode(OWL + "TransitiveProperty")),
                        (own("r"), RDF_TYPE, NamedNode(OWL + "SymmetricProperty")),
                        (own("r"), NamedNode(OWL + "equivalentProperty"), own("p")),
                        (own("a"), own("p"), own("b")), (own("b"), own("p"), own("c"))],
    "class axioms": [(own("U"), NamedNode(OWL + "unionOf"), BlankNode("l1")),
                     (BlankNode("l1"), RDF_ + "first", own("A")), (BlankNode("l1"), RDF_ + "rest", BlankNode("l2")),
                     (BlankNode("l2"), RDF_ + "first", own("B")), (BlankNode("l2"), RDF_ + "rest", RDF_ + "nil"),
                     (own("A"), RDF_TYPE, NamedNode(OWL + "Class")),
                     (own("U"), NamedNode(OWL + "equivalentClass"), own("E")),
                     (own("E"), RDFS_ + "subClassOf", NamedNode(CLKG + "Finding")),
                     (own("x"), RDF_TYPE, own("A"))],
    "a chain of the study": [(own("p"), NamedNode(OWL + "propertyChainAxiom"), BlankNode("c1")),
                             (BlankNode("c1"), RDF_ + "first", NamedNode(CLKG + "caseOf")),
                             (BlankNode("c1"), RDF_ + "rest", BlankNode("c2")),
                             (BlankNode("c2"), RDF_ + "first", NamedNode(CLKG + "hasCase")),
                             (BlankNode("c2"), RDF_ + "rest", RDF_ + "nil"),
                             (own("a"), NamedNode(CLKG + "caseOf"), own("s")),
                             (own("b"), NamedNode(CLKG + "caseOf"), own("s"))],
    "disjoint classes of the study": [(own("A"), NamedNode(OWL + "disjointWith"), NamedNode(CLKG + "Case")),
                                      (own("x"), RDF_TYPE, own("A")), (own("x"), NamedNode(CLKG + "caseOf"), own("s"))],
}


@pytest.mark.parametrize("name", ODD_INPUTS)
def test_odd_inputs_get_what_owlrl_gives(name):
    quads = [quad(*triple) for triple in ODD_INPUTS[name]]

    def outcome(function):
        try:
            return set(function(quads, background=ontology_quads(), graph=GRAPH, source="test"))
        except InputError as err:
            return {(p.file, p.message) for p in err.problems}

    assert outcome(inferred_quads) == outcome(owlrl_inferred_quads)
