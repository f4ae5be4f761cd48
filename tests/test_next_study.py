"""The next study gets in through data alone: its own codebook, new vocabulary values and
alignments to the studies already there, through `clkg new` → fill in → validate → load; one study
never replaces another.

The study is tests/fixtures/invented-inter-clustering: INVENTED, clearly marked as such. Expected
values are read from its CSV files, never written into the tests.
"""

import csv
import json
import shutil
from pathlib import Path

import pyoxigraph
import pytest

from support import DATA, HIBBERT, ROOT, cli_built_store, require_java, run_clkg

FIXTURE = ROOT / "tests" / "fixtures" / "invented-inter-clustering"
STUDY = FIXTURE.name
ICL = f"https://w3id.org/clkg/data/{STUDY}/concept/"


def rows(table: str) -> list[dict]:
    with open(FIXTURE / f"{table}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def dump(store_path: Path) -> set[str]:
    store = pyoxigraph.Store.read_only(str(store_path))
    lines = set(pyoxigraph.serialize(store, format=pyoxigraph.RdfFormat.N_QUADS).decode().splitlines())
    del store
    return lines


def query(store: Path, name: str, *params: str) -> list[dict]:
    args = [arg for p in params for arg in ("--param", p)]
    result = run_clkg("--store", f"oxigraph:{store}", "query", name, "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def grown(tmp_path_factory) -> Path:
    """The seed store with the invented study loaded into it, as a researcher would."""
    store = cli_built_store(tmp_path_factory.mktemp("grown") / "store")
    result = run_clkg("--store", f"oxigraph:{store}", "load", FIXTURE)
    assert result.returncode == 0, result.stderr
    assert f"loaded {FIXTURE} into <https://w3id.org/clkg/graph/{STUDY}>" in result.stdout
    assert f"cases: {len(rows('cases'))}, concepts: {len(rows('concepts'))}" in result.stdout
    return store


def test_new_writes_a_codebook_table_and_a_worked_example_per_table(tmp_path):
    result = run_clkg("new", tmp_path / "mine")
    assert result.returncode == 0, result.stderr
    header = (tmp_path / "mine" / "concepts.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",")[:3] == ["concept_id", "label", "definition"]
    guide = (tmp_path / "mine" / "README.md").read_text(encoding="utf-8")
    examples = guide.split("```csv\n")[1:]
    tables = len(list((tmp_path / "mine").glob("*.csv")))
    assert len(examples) == tables
    example_rows = [block.split("```")[0].splitlines()[1] for block in examples]
    assert len(set(example_rows)) == tables  # one example per table, not one example everywhere


def test_invented_study_validates_against_the_store(grown):
    result = run_clkg("--store", f"oxigraph:{grown}", "validate", FIXTURE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 violations" in result.stdout


def test_codebook_becomes_a_skos_scheme_with_every_concept(grown):
    found = {r["concept"]: r for r in query(grown, "concepts", f"scheme={ICL}scheme")}
    own = [r for r in rows("concepts") if not r["scheme"]]
    assert {f"icl:{r['concept_id']}" for r in own} <= set(found)
    for r in own:
        assert found[f"icl:{r['concept_id']}"]["definition"] == r["definition"]


def test_new_sector_and_role_are_vocabulary_values(grown):
    sectors = {r["concept"] for r in query(grown, "concepts", "scheme=sector:scheme")}
    roles = {r["concept"] for r in query(grown, "concepts", "scheme=role:scheme")}
    new = {r["scheme"]: f"icl:{r['concept_id']}" for r in rows("concepts") if r["scheme"]}
    assert new["sector:scheme"] in sectors and new["role:scheme"] in roles


def test_study_appears_in_the_comparison_of_studies_and_cases(grown):
    result = run_clkg("--store", f"oxigraph:{grown}", "compare", "studies", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert rows("study")[0]["title"] in result.stdout
    result = run_clkg("--store", f"oxigraph:{grown}", "compare", "cases", "--format", "csv")
    for case in rows("cases"):
        assert case["name"] in result.stdout


def test_alignments_of_the_dataset_join_the_cross_study_queries(grown):
    mappings = [line.split("\t") for line in (FIXTURE / "alignments.sssom.tsv").read_text().splitlines()
                if not line.startswith("#")][1:]
    listed = {(r["subject"], r["object"]) for r in query(grown, "alignments")}
    for _, subject_label, _, _, object_label, *_ in mappings:
        assert (subject_label, object_label) in listed
    summary = query(grown, "summary-of-qualitative-findings")
    labels = {m[1] for m in mappings}
    mine = [r for r in summary if any(label in r["finding"] for label in labels)]
    assert len(mine) == len(mappings)
    assert all(rows("study")[0]["title"] in r["studies"] for r in mine)


def test_trust_and_research_gaps_take_in_the_new_framework(grown):
    restricted = next(r for r in rows("quotations") if "restrictions" in r["illustrates"])
    assert restricted["text"] in {r["text"] for r in query(grown, "trust-across-studies")}
    gaps = {r["concept"] for r in query(grown, "research-gaps")}
    unmapped = {r["label"] for r in rows("concepts") if not r["scheme"]} - {"restrictions", "sharing of knowledge"}
    assert unmapped <= gaps


def test_evidence_and_gaps_for_the_new_framework_alone(grown):
    """The saved queries whose parameter is a scheme answer for the new study's own scheme."""
    def count(table, column, concept):
        return sum(concept in r[column].split(";") for r in rows(table))

    evidence = {r["concept"]: (r["findings"], r["quotations"])
                for r in query(grown, "evidence-by-concept", "scheme=icl:scheme")}
    expected = {f"icl:{r['concept_id']}": (count("findings", "concepts", f"icl:{r['concept_id']}"),
                                           count("quotations", "illustrates", f"icl:{r['concept_id']}"))
                for r in rows("concepts") if not r["scheme"]}
    assert evidence and evidence == {c: n for c, n in expected.items() if any(n)}
    gaps = query(grown, "research-gaps", "scheme=icl:scheme")
    assert gaps and {r["scheme"] for r in gaps} == {"icl:scheme"}


def test_quotations_by_own_concept(grown):
    expected = {r["text"] for r in rows("quotations") if "icl:sharing-of-knowledge" in r["illustrates"]}
    found = {r["quotation"] for r in query(grown, "quotations-by-concept", "concept=icl:sharing-of-knowledge")}
    assert expected and expected <= found


def test_summary_states_its_rule_and_why(grown):
    for row in query(grown, "summary-of-qualitative-findings"):
        assert row["confidence"] in {"very low", "low", "moderate", "high"}
        assert row["explanation"].split("; ")[-1].startswith(row["confidence"])


def test_hermit_finds_the_grown_graph_consistent(tmp_path):
    require_java()
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    shutil.copytree(FIXTURE, data / STUDY)
    result = run_clkg("--store", f"oxigraph:{tmp_path / 'store'}", "build", "--data", data)
    assert result.returncode == 0, result.stderr
    assert "consistency: consistent" in result.stdout


@pytest.fixture
def seed_store(tmp_path):
    return cli_built_store(tmp_path / "store")


def _refused(store: Path, *args, expect: str):
    before = dump(store)
    result = run_clkg("--store", f"oxigraph:{store}", "load", *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert expect in result.stderr
    assert "Traceback" not in result.stderr
    assert dump(store) == before


def test_impostor_study_id_is_refused(seed_store, tmp_path):
    impostor = tmp_path / "impostor"
    shutil.copytree(DATA / HIBBERT, impostor)
    _refused(seed_store, impostor, expect=f"rename the folder or file to '{HIBBERT}'")


def test_two_inputs_with_one_study_id_are_refused(seed_store, tmp_path):
    a, b = tmp_path / "a" / HIBBERT, tmp_path / "b" / HIBBERT
    shutil.copytree(DATA / HIBBERT, a)
    shutil.copytree(DATA / HIBBERT, b)
    _refused(seed_store, a, b, expect="is also the study of")


def test_a_study_from_another_source_is_replaced_only_on_purpose(seed_store, tmp_path):
    other = tmp_path / "elsewhere" / HIBBERT
    shutil.copytree(DATA / HIBBERT, other)
    _refused(seed_store, other, expect="pass --replace")
    result = run_clkg("--store", f"oxigraph:{seed_store}", "load", other, "--replace")
    assert result.returncode == 0, result.stderr
    again = run_clkg("--store", f"oxigraph:{seed_store}", "load", DATA / HIBBERT)
    assert again.returncode == 2 and other.resolve().as_uri() in again.stderr


@pytest.mark.parametrize("study_id", ["ontology", "alignments", "Ontology"])
def test_reserved_study_ids_are_refused(seed_store, tmp_path, study_id):
    folder = tmp_path / study_id
    shutil.copytree(FIXTURE, folder)
    study = (folder / "study.csv").read_text(encoding="utf-8").replace(STUDY, study_id, 1)
    (folder / "study.csv").write_text(study, encoding="utf-8")
    (folder / "alignments.sssom.tsv").unlink()
    _refused(seed_store, folder, expect="is reserved by clkg")


def _variant(tmp_path: Path, edit) -> Path:
    folder = tmp_path / STUDY
    shutil.copytree(FIXTURE, folder)
    edit(folder)
    return folder


def test_a_new_value_close_to_an_existing_one_is_a_warning(seed_store, tmp_path):
    def add_ict(folder):
        with open(folder / "concepts.csv", "a", encoding="utf-8") as f:
            f.write('ict,ICT,"(Invented) firms of ICT.",,,sector:scheme,,Invented,\n')
    result = run_clkg("--store", f"oxigraph:{seed_store}", "validate", _variant(tmp_path, add_ict))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the new value 'ICT' (icl:ict) is close to sector:ict" in result.stdout


def test_a_misspelt_concept_gets_the_nearest_as_suggestion(seed_store, tmp_path):
    def misspell(folder):
        text = (folder / "quotations.csv").read_text(encoding="utf-8")
        (folder / "quotations.csv").write_text(text.replace("icl:restrictions", "icl:restrictons"), encoding="utf-8")
    result = run_clkg("--store", f"oxigraph:{seed_store}", "validate", _variant(tmp_path, misspell))
    assert result.returncode == 1
    assert "icl:restrictons" in result.stdout and "did you mean icl:restrictions" in result.stdout


def test_an_alignment_to_an_unknown_concept_is_a_violation(seed_store, tmp_path):
    def misalign(folder):
        text = (folder / "alignments.sssom.tsv").read_text(encoding="utf-8")
        (folder / "alignments.sssom.tsv").write_text(text.replace("plb:relational-factors-undermining-trust\t",
                                                                  "plb:no-such-barrier\t"), encoding="utf-8")
    result = run_clkg("--store", f"oxigraph:{seed_store}", "validate", _variant(tmp_path, misalign))
    assert result.returncode == 1
    assert "alignments.sssom.tsv" in result.stdout and "column 'object_id'" in result.stdout


def test_an_alignment_must_map_the_studys_own_concept(seed_store, tmp_path):
    def reverse(folder):
        lines = (folder / "alignments.sssom.tsv").read_text(encoding="utf-8").splitlines()
        cells = lines[-1].split("\t")
        cells[0], cells[3] = cells[3], cells[0]
        (folder / "alignments.sssom.tsv").write_text("\n".join(lines[:-1] + ["\t".join(cells)]) + "\n",
                                                     encoding="utf-8")
    result = run_clkg("--store", f"oxigraph:{seed_store}", "validate", _variant(tmp_path, reverse))
    assert result.returncode == 2
    assert "is not a concept of this study" in result.stderr


def test_a_codebook_needs_a_prefix_that_is_not_taken(seed_store, tmp_path):
    def take_slf(folder):
        text = (folder / "study.csv").read_text(encoding="utf-8")
        (folder / "study.csv").write_text(text.replace(",icl:scheme,icl,", ",icl:scheme,slf,"), encoding="utf-8")
    result = run_clkg("--store", f"oxigraph:{seed_store}", "validate", _variant(tmp_path, take_slf))
    assert result.returncode == 2
    assert "prefix 'slf' is taken" in result.stderr


def test_python_api_loads_with_the_same_checks(seed_store, tmp_path):
    import clkg
    from clkg.errors import InputError

    with clkg.open_store(f"oxigraph:{seed_store}") as store:
        report = clkg.load(FIXTURE, store=store)
        assert report.graphs[f"https://w3id.org/clkg/graph/{STUDY}"] > 0
        assert report.graphs[f"https://w3id.org/clkg/graph/{STUDY}/inferred"] > 0
        impostor = tmp_path / "impostor"
        shutil.copytree(DATA / HIBBERT, impostor)
        with pytest.raises(InputError, match="does not match the name"):
            clkg.load(impostor, store=store)
        studies = clkg.compare("studies", store=store)
        assert rows("study")[0]["title"] in studies.to_string()


# --- suggested alignments: clkg suggest-alignments → a curator's review → alignments.sssom.tsv ---

def _suggested(store: Path, folder: Path, out: Path, *args) -> list:
    from clkg.alignments import read_mapping_set

    result = run_clkg("--store", f"oxigraph:{store}", "suggest-alignments", folder, "-o", out, *args)
    assert result.returncode == 0, result.stderr
    return read_mapping_set(out).mappings


def test_suggestions_map_the_studys_own_concepts_to_other_schemes(seed_store, tmp_path):
    folder = _variant(tmp_path, lambda f: (f / "alignments.sssom.tsv").unlink())
    mappings = _suggested(seed_store, folder, tmp_path / "suggested.sssom.tsv", "--top", "2")
    own = {ICL + row["concept_id"] for row in rows("concepts")}
    assert mappings and {m.subject for m in mappings} <= own
    assert not any(m.object.startswith(ICL) for m in mappings)
    assert max(sum(m.subject == s for m in mappings) for s in own) <= 2
    assert {m.justification for m in mappings} == {"https://w3id.org/semapv/vocab/LexicalMatching"}


def test_unreviewed_suggestions_warn_until_a_curator_signs_them(seed_store, tmp_path):
    folder = _variant(tmp_path, lambda f: (f / "alignments.sssom.tsv").unlink())
    accepted = folder / "alignments.sssom.tsv"
    mappings = _suggested(seed_store, folder, accepted, "--top", "1")
    unreviewed = "still an unreviewed suggestion of `clkg suggest-alignments`"
    result = run_clkg("--store", f"oxigraph:{seed_store}", "validate", folder, "--severity", "warning")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(unreviewed) == len(mappings)

    lines = accepted.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("subject_id\t"))
    columns = lines[header].split("\t")
    signed = []
    for line in lines[header + 1:header + 2]:  # the curator keeps the first row only
        cells = dict(zip(columns, line.split("\t")))
        cells.update(author_id="orcid:0000-0002-1825-0097", comment="(Invented) both definitions name it.")
        signed.append("\t".join(cells[c] for c in columns))
    text = "\n".join(lines[:header + 1] + signed) + "\n"
    accepted.write_text(text.replace("#curie_map:\n", "#curie_map:\n#  orcid: https://orcid.org/\n"), encoding="utf-8")
    result = run_clkg("--store", f"oxigraph:{seed_store}", "validate", folder, "--severity", "warning")
    assert result.returncode == 0 and unreviewed not in result.stdout, result.stdout + result.stderr
    loaded = run_clkg("--store", f"oxigraph:{seed_store}", "load", folder)
    assert loaded.returncode == 0, loaded.stderr
    kept = [r for r in query(seed_store, "alignments") if r["evidence"] == "(Invented) both definitions name it."]
    assert [(r["mapping"], r["justification"]) for r in kept] == [("skos:" + mappings[0].predicate.rpartition("#")[2],
                                                                  "semapv:LexicalMatching")]


def test_suggest_alignments_refuses_to_overwrite_and_needs_own_concepts(seed_store, tmp_path):
    out = tmp_path / "kept.sssom.tsv"
    out.write_text("curated\n", encoding="utf-8")
    result = run_clkg("--store", f"oxigraph:{seed_store}", "suggest-alignments", FIXTURE, "-o", out)
    assert result.returncode == 2 and "--force" in result.stderr
    assert out.read_text(encoding="utf-8") == "curated\n"
    seed = run_clkg("--store", f"oxigraph:{seed_store}", "suggest-alignments", DATA / HIBBERT,
                    "-o", tmp_path / "none.tsv")
    assert seed.returncode == 2 and "defines no concepts of its own" in seed.stderr
    assert "Traceback" not in seed.stderr + result.stderr


def test_a_study_exported_from_the_store_validates_as_an_rdf_dataset(grown, tmp_path):
    """The store keeps counts as xsd:integer (pyoxigraph's canonical form): the exported study,
    read back as an RDF dataset, still conforms."""
    path = tmp_path / f"{STUDY}.ttl"
    exported = run_clkg("--store", f"oxigraph:{grown}", "export", "--graph", STUDY, "--format", "ttl", "-o", path)
    assert exported.returncode == 0, exported.stderr
    assert "nonNegativeInteger" not in path.read_text(encoding="utf-8")
    result = run_clkg("--store", f"oxigraph:{grown}", "validate", path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{path}: conforms" in result.stdout
