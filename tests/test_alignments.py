"""The SSSOM alignments between the two frameworks: the file, checked with the sssom library, and its graph."""

import logging
import re
from pathlib import Path

import pytest

from support import ROOT, select

TSV = ROOT / "ontology" / "alignments.sssom.tsv"
GRAPH = "https://w3id.org/clkg/graph/alignments"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SLF = "https://w3id.org/clkg/scheme/social-learning/"
PLB = "https://w3id.org/clkg/scheme/process-learning-barriers/"
ROLE = "https://w3id.org/clkg/scheme/informant-role/"
SOURCES = Path("/work/shared/sources")
N_MAPPINGS = 17


@pytest.fixture(scope="module")
def msdf(caplog_module):
    from sssom.parsers import parse_sssom_table

    return parse_sssom_table(TSV)


@pytest.fixture(scope="module")
def caplog_module():
    """Warnings logged while the module's fixtures parse the file (sssom logs, it does not raise)."""
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep(level=logging.WARNING)
    logging.getLogger().addHandler(handler)
    yield records
    logging.getLogger().removeHandler(handler)


def test_file_parses_with_sssom_without_warnings(msdf, caplog_module):
    # sssom reports non-standard metadata, redefined built-in prefixes and bad CURIEs as warnings
    assert [r.getMessage() for r in caplog_module if r.levelno >= logging.WARNING] == []
    assert len(msdf.df) == N_MAPPINGS


def test_file_validates_with_sssom(msdf):
    from sssom.constants import SchemaValidationType
    from sssom.validators import validate

    reports = validate(msdf, validation_types=[SchemaValidationType.JsonSchema,
                                               SchemaValidationType.PrefixMapCompleteness,
                                               SchemaValidationType.StrictCurieFormat], fail_on_error=False)
    assert {kind: report.results for kind, report in reports.items() if report.results} == {}


def test_metadata(msdf):
    meta = msdf.metadata
    assert meta["mapping_set_id"] == "https://w3id.org/clkg/alignments"
    assert meta["license"].startswith("https://creativecommons.org/licenses/by/4.0")
    assert meta["mapping_set_description"]
    prefixes = msdf.converter.prefix_map
    assert prefixes["slf"] == SLF and prefixes["plb"] == PLB and prefixes["skos"] == SKOS
    assert prefixes["semapv"] == "https://w3id.org/semapv/vocab/" and "clkg" in prefixes


def test_required_columns_filled_in_every_row(msdf):
    required = ["subject_id", "subject_label", "predicate_id", "object_id", "object_label",
                "mapping_justification", "author_id", "confidence", "comment"]
    df = msdf.df
    assert set(required) <= set(df.columns)
    for column in required:
        assert df[column].notna().all() and (df[column].astype(str).str.strip() != "").all(), column
    assert set(df["mapping_justification"]) == {"semapv:ManualMappingCuration"}
    assert set(df["author_id"]) == {"clkg:contributors"}  # a non-personal author id
    assert df["predicate_id"].isin([f"skos:{p}" for p in
                                    ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")]).all()
    assert ((df["confidence"] > 0) & (df["confidence"] <= 1)).all()
    assert not df.duplicated(["subject_id", "predicate_id", "object_id"]).any()


def test_every_curie_is_a_concept_of_the_ontology(msdf):
    from clkg.vocabulary import ontology_quads

    in_scheme = {}
    for q in ontology_quads():
        if q.predicate.value == SKOS + "inScheme":
            in_scheme.setdefault(q.subject.value, set()).add(q.object.value)
    for _, row in msdf.df.iterrows():
        subject, obj = msdf.converter.expand(row["subject_id"]), msdf.converter.expand(row["object_id"])
        assert subject in in_scheme, row["subject_id"]
        assert obj in in_scheme, row["object_id"]
        # slf (or the shared informant role vocabulary, slf having no coordinator concept) -> plb
        assert in_scheme[subject] & {SLF + "scheme", ROLE + "scheme"}, row["subject_id"]
        assert in_scheme[obj] == {PLB + "scheme"}, row["object_id"]


def test_labels_are_the_ontology_labels(msdf, store):
    labels = {r["c"]: r["l"] for r in select(store, "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l }")}
    for _, row in msdf.df.iterrows():
        assert labels[msdf.converter.expand(row["subject_id"])] == row["subject_label"]
        assert labels[msdf.converter.expand(row["object_id"])] == row["object_label"]


def _normalized(text: str) -> str:
    running_header = ("Hibbert, P., Huxham, C., Sydow, J. and Lerch, F. (2010) Barriers to Process Learning: "
                      "Authority and Anomie in Regional Clusters. *Management Learning*, 41:4 453-471.")
    text = text.replace(running_header, " ")
    text = re.sub(r"<[^>]+>", " ", text).replace("*", "")
    return " ".join(text.split())


def quoted_passages(comment: str) -> list[str]:
    """The passages a comment quotes: 'text' opened after a space or colon; [...] marks an elision."""
    passages = re.findall(r"(?:(?<=[\s(])|^)'(.+?)'(?=[\s;,.)]|$)", comment)
    return [part.strip() for p in passages for part in p.split("[...]") if len(part.strip()) > 3]


def test_every_comment_quotes_both_papers(msdf):
    for _, row in msdf.df.iterrows():
        comment = row["comment"]
        assert comment.startswith("SL ") and "Hibbert " in comment, row["subject_id"]
        assert "p." not in comment.split() and not re.search(r"\bpp?\.\s*\d", comment)  # page-free locators
        assert len(quoted_passages(comment)) >= 2, comment


@pytest.mark.skipif(not SOURCES.is_dir(), reason="the papers' texts are not available here")
def test_quoted_passages_are_in_the_papers(msdf):
    papers = {name: _normalized(path.read_text(encoding="utf-8"))
              for name, path in (("SL", SOURCES / "social-learning-in-cluster-initiatives.txt"),
                                 ("Hibbert", SOURCES / "barriers-to-process-learning-hibbert-2010.txt"))}
    for _, row in msdf.df.iterrows():
        sl_part, _, hibbert_part = row["comment"].partition("Hibbert ")
        assert quoted_passages(sl_part), row["subject_id"]
        assert quoted_passages("Hibbert " + hibbert_part), row["subject_id"]
        for passage in quoted_passages(row["comment"]):
            assert any(_normalized(passage) in text for text in papers.values()), (row["subject_id"], passage)


# --- the alignments graph in the built store ---------------------------------------------------

def test_alignments_graph_is_built(built):
    store, report = built
    assert GRAPH in report.graphs and report.graphs[GRAPH] > 0
    rows = select(store, f"""SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o .
        FILTER(?p IN (skos:exactMatch, skos:closeMatch, skos:broadMatch, skos:narrowMatch, skos:relatedMatch)) }} }}""")
    assert len(rows) == N_MAPPINGS


def test_every_mapping_is_reified_with_its_evidence(store):
    rows = select(store, f"""PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX sssom: <https://w3id.org/sssom/>
        SELECT ?ax ?s ?p ?o ?j ?a ?c ?comment WHERE {{ GRAPH <{GRAPH}> {{
          ?ax a owl:Axiom ; owl:annotatedSource ?s ; owl:annotatedProperty ?p ; owl:annotatedTarget ?o ;
              sssom:mapping_justification ?j ; sssom:author_id ?a ; sssom:confidence ?c ; rdfs:comment ?comment .
          ?s ?p ?o }} }}""")
    assert len(rows) == N_MAPPINGS == len({r["ax"] for r in rows})
    assert {r["j"] for r in rows} == {"https://w3id.org/semapv/vocab/ManualMappingCuration"}
    assert {r["a"] for r in rows} == {"https://w3id.org/clkg/ontology#contributors"}
    assert all(0 < float(r["c"]) <= 1 and "Hibbert" in r["comment"] for r in rows)


def test_graph_matches_the_file(msdf, store):
    expand = msdf.converter.expand
    in_file = {(expand(r["subject_id"]), expand(r["predicate_id"]), expand(r["object_id"]), r["confidence"])
               for _, r in msdf.df.iterrows()}
    in_graph = {(r["s"], r["p"], r["o"], float(r["c"])) for r in select(store, f"""
        PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX sssom: <https://w3id.org/sssom/>
        SELECT ?s ?p ?o ?c WHERE {{ GRAPH <{GRAPH}> {{ ?ax owl:annotatedSource ?s ; owl:annotatedProperty ?p ;
          owl:annotatedTarget ?o ; sssom:confidence ?c }} }}""")}
    assert in_graph == in_file


def test_the_expected_alignments_are_there(store):
    """The correspondences the papers suggest (see the comments in the file for the evidence)."""
    pairs = {(r["s"].rsplit("/", 1)[1], r["p"].rsplit("#", 1)[1], r["o"].rsplit("/", 1)[1]) for r in select(store, f"""
        SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o . FILTER(STRSTARTS(STR(?p), STR(skos:))) }} }}""")}
    # dead souls / anonymity: anomie (disconnection, no sense of belonging, individual trajectories)
    assert ("dead-souls", "relatedMatch", "vagueness-about-cluster-purpose") in pairs
    assert ("anonymity", "relatedMatch", "reliance-on-individual-experiential-learning-trajectories") in pairs
    # closed project groups and verified trust: inward-looking sub-groups
    assert ("locomotives", "relatedMatch", "inward-looking-sub-sectoral-communities") in pairs
    assert ("verification-of-trust", "relatedMatch", "inward-looking-sub-sectoral-communities") in pairs
    # coordinators as boundary spanners vs reliance on the central actor
    assert ("coordinator", "relatedMatch", "isolation-through-reliance-on-central-actor") in pairs
    # trust building vs relational factors undermining trust
    assert {("removing-barrier-of-distrust", "relatedMatch", "relational-factors-undermining-trust"),
            ("trust-development", "relatedMatch", "relational-factors-undermining-trust")} <= pairs
    # identity: SL's group identity is the broader notion (CoPs or the CI), Hibbert's the cluster's
    assert ("common-group-identity", "narrowMatch", "coherent-cluster-identity") in pairs
    assert ("co-creation-of-knowledge", "closeMatch", "knowledge-creation") in pairs
    assert not any(p == "exactMatch" for _, p, _ in pairs)  # nothing in the two frameworks is identical


def test_a_bad_mapping_file_is_refused(tmp_path):
    from clkg.alignments import alignment_quads
    from clkg.errors import InputError

    text = TSV.read_text(encoding="utf-8")
    bad = tmp_path / "bad.sssom.tsv"
    bad.write_text(text.replace("plb:knowledge-creation\t", "plb:knowledge-kreation\t")
                   .replace("skos:narrowMatch", "owl:sameAs"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        alignment_quads(bad)
    assert "owl:sameAs" in str(err.value)
    ok = tmp_path / "typo.sssom.tsv"
    ok.write_text(text.replace("plb:knowledge-creation\t", "plb:knowledge-kreation\t"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        alignment_quads(ok)
    assert "knowledge-kreation is not a concept of the ontology" in str(err.value)
