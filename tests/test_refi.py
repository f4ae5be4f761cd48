"""REFI-QDA: projects from NVivo, ATLAS.ti, MAXQDA and QualCoder become datasets that validate
and load, exact to the character; the export validates against the standard's XSDs and
round-trips; hostile files are refused with clear messages.

The projects are built by tests/refi_projects.py, each reproducing what a tool's real exports
do; expected texts and codes come from the builders, never from numbers written here.
"""

import os
import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from lxml import etree

import refi_projects as rp
from support import ROOT, require, run_clkg

#: The REFI-QDA reference material (standard, XSDs, a real export), beside the checkout; never
#: copied into the project, and read by the tests only.
SHARED = ROOT.parent / "shared" / "refi-qda"
NO_SHARED = "the REFI-QDA reference material (../shared/refi-qda) is not beside the checkout"


def rows(folder: Path, table: str) -> list[dict]:
    path = folder / f"{table}.csv"
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def import_project(project_path: Path, folder: Path, *extra):
    result = run_clkg("import", project_path, "-o", folder, *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """Every synthetic project, imported: name -> (project, folder, output of clkg import)."""
    tmp = tmp_path_factory.mktemp("refi")
    projects = {"nvivo-windows": rp.nvivo(tmp, windows=True), "nvivo-mac": rp.nvivo(tmp, windows=False),
                "atlas": rp.atlas(tmp), "qualcoder": rp.qualcoder(tmp), "maxqda": rp.maxqda_codebook(tmp)}
    return {name: (project, tmp / "out" / name, import_project(project.path, tmp / "out" / name).stdout)
            for name, project in projects.items()}


def codes_of(folder: Path) -> dict[str, set[str]]:
    """quotation text -> the labels of the concepts it illustrates."""
    labels = {r["concept_id"]: r["label"] for r in rows(folder, "concepts")}
    return {q["text"]: {labels[c.split(":", 1)[1]] for c in q["illustrates"].split(";") if c}
            for q in rows(folder, "quotations")}


def expected_codes(project) -> dict[str, set[str]]:
    return {text: {name.rsplit("::", 1)[-1] for name in names} for text, names in project.selections}


@pytest.mark.parametrize("name", ["nvivo-windows", "nvivo-mac", "atlas", "qualcoder"])
def test_every_selection_becomes_a_quotation_with_its_exact_text_and_codes(made, name):
    project, folder, _ = made[name]
    assert codes_of(folder) == expected_codes(project)


@pytest.mark.parametrize("name", ["nvivo-windows", "nvivo-mac", "atlas", "qualcoder"])
def test_every_quotation_is_the_transcript_at_its_offsets(made, name):
    _, folder, _ = made[name]
    files = {t["transcript_id"]: (folder / t["file"]).read_bytes().decode("utf-8") for t in rows(folder, "transcripts")}
    quotations = rows(folder, "quotations")
    assert quotations
    for q in quotations:
        assert files[q["transcript"]][int(q["start"]):int(q["end"])] == q["text"]


def test_nvivo_windows_utf16_positions_bom_and_crlf_are_read_right(made):
    project, folder, output = made["nvivo-windows"]
    assert "positions read as UTF-16 code units" in output
    text = (folder / rows(folder, "transcripts")[0]["file"]).read_bytes()
    assert not text.startswith(b"\xef\xbb\xbf") and b"\r\n" in text  # BOM left out, line ends kept
    assert text.decode("utf-8") == rp.INTERVIEW_WINDOWS
    assert any("👍" in q["text"] for q in rows(folder, "quotations"))


def test_the_transcripts_folder_is_read_and_any_other_file_in_it_reported(made, tmp_path):
    import shutil

    from clkg.loaders import read_dataset
    from clkg.prefixes import converter

    _, imported, _ = made["nvivo-windows"]
    folder = shutil.copytree(imported, tmp_path / imported.name)
    kept = Path(rows(folder, "transcripts")[0]["file"]).parent
    assert kept.name and not read_dataset(folder, prefixes=converter()).ignored
    (folder / kept / "draft.txt").write_text("an older transcript", encoding="utf-8")
    ignored = read_dataset(folder, prefixes=converter()).ignored
    assert ignored == {f"{kept.as_posix()}/draft.txt": "not a transcript: no row of transcripts.csv names it"}


def test_nvivo_one_selection_per_code_becomes_one_quotation_per_span(made):
    project, folder, output = made["nvivo-windows"]
    selections = sum(len(names) for _, names in project.selections)
    assert len(rows(folder, "quotations")) == len(project.selections) < selections
    assert f"{selections}  coded selections" in output


def test_atlas_colon_names_are_a_hierarchy_and_one_label_in_two_branches_two_concepts(made):
    _, folder, output = made["atlas"]
    concepts = {r["concept_id"]: r for r in rows(folder, "concepts")}
    trusts = [r for r in concepts.values() if r["label"] == "trust"]
    assert len(trusts) == 2 and len({r["uuid"] for r in trusts}) == 2
    parents = {concepts[r["broader"].split(":", 1)[1]]["label"] for r in trusts}
    assert parents == {"positive", "negative"}
    heading = next(r for r in concepts.values() if r["label"] == "positive")
    assert heading["codable"] == "false" and "headings made" in output


def test_atlas_selection_names_notes_cases_and_sets_are_kept(made):
    _, folder, output = made["atlas"]
    quotations = {q["text"]: q for q in rows(folder, "quotations")}
    assert "name: small firms are trusted" in quotations["I trust the small ones."]["note"]
    assert "Compare with the big firms." in quotations["I trust the small ones."]["note"]
    assert not any(q["note"].startswith("name:") for t, q in quotations.items() if t != "I trust the small ones.")
    assert quotations["Do you trust the other members?"]["illustrates"] == ""  # a selection without codings
    case = rows(folder, "cases")[0]
    assert case["country"] == "Poland" and "gender = female" in case["note"] and case["uuid"]
    assert {q["case_id"] for q in quotations.values()} == {case["case_id"]}
    contacts = next(r for r in rows(folder, "concepts") if r["label"] == "contacts")
    assert contacts["groups"] == "relations" and "Contacts are the main gain." in contacts["note"]
    assert "Interview three members." in rows(folder, "study")[0]["note"]
    assert "kept as notes:" in output and "skipped:" in output and "PDF region selections" in output


def test_atlas_missing_and_empty_source_files_are_warnings_naming_them(made):
    _, _, output = made["atlas"]
    assert "warning: source 'Lost.txt'" in output and "is missing" in output
    assert "warning: source 'Empty.txt': its text is empty" in output


def test_maxqda_codebook_in_namespace_0_4(made):
    project, folder, _ = made["maxqda"]
    concepts = {r["label"]: r for r in rows(folder, "concepts")}
    assert set(concepts) == {name.rsplit("::", 1)[-1] for name in project.codes}
    assert concepts["Rules"]["broader"].endswith(":" + concepts["Governance"]["concept_id"])
    assert concepts["Rules"]["color"] == "#00AA00"  # #0a0 widened
    assert concepts["Learning"]["groups"] == "core" and concepts["Rules"]["groups"] == "core"
    assert {c["uuid"] for c in concepts.values()} == set(project.codes.values())


@pytest.fixture(scope="module")
def loaded(made, tmp_path_factory):
    """A store with every imported dataset validated and loaded."""
    store = tmp_path_factory.mktemp("refi-store") / "store"
    folders = [folder for _, folder, _ in made.values()]
    validation = run_clkg("--store", f"oxigraph:{store}", "validate", *folders)
    assert validation.returncode == 0, validation.stdout + validation.stderr
    result = run_clkg("--store", f"oxigraph:{store}", "load", *folders)
    assert result.returncode == 0, result.stdout + result.stderr
    return store


def test_imported_quotations_appear_in_the_saved_queries(made, loaded):
    project, folder, _ = made["nvivo-windows"]
    study = rows(folder, "study")[0]
    trust = next(r for r in rows(folder, "concepts") if r["label"] == "Trust")
    result = run_clkg("--store", f"oxigraph:{loaded}", "query", "quotations-by-concept", "--param",
                      f"concept={study['prefix']}:{trust['concept_id']}", "--format", "json")
    assert result.returncode == 0, result.stderr
    found = {r["quotation"] for r in json.loads(result.stdout)}
    assert found == {text for text, names in project.selections if "Trust" in names}


def validate(xsd: str, document) -> None:
    require(SHARED.is_dir(), NO_SHARED)
    schema = etree.XMLSchema(etree.parse(str(SHARED / xsd)))
    assert schema.validate(document), schema.error_log


def test_qdc_exports_validate_and_round_trip(made, loaded, tmp_path):
    _, folder, _ = made["maxqda"]
    study = rows(folder, "study")[0]["study_id"]
    one, every = tmp_path / "one.qdc", tmp_path / "every.qdc"
    for args, path in ((["--study", study], one), ([], every)):
        result = run_clkg("--store", f"oxigraph:{loaded}", "export", "--format", "qdc", *args, "-o", path)
        assert result.returncode == 0, result.stderr
        validate("Codebook.xsd", etree.parse(str(path)))
    labels = {e.get("name") for e in etree.parse(str(every)).iter("{urn:QDA-XML:codebook:1.0}Code")}
    assert {r["label"] for r in rows(folder, "concepts")} <= labels
    again = tmp_path / study
    import_project(one, again)
    keep = lambda r: {k: v for k, v in r.items() if k != "source"}  # the source names the file it came from
    assert sorted(map(keep, rows(again, "concepts")), key=str) == sorted(map(keep, rows(folder, "concepts")), key=str)


@pytest.mark.parametrize("name", ["atlas", "nvivo-windows"])
def test_qdpx_export_validates_and_round_trips_to_the_same_dataset(made, loaded, tmp_path, name):
    _, folder, _ = made[name]
    study = rows(folder, "study")[0]["study_id"]
    exported = tmp_path / f"{study}.qdpx"
    result = run_clkg("--store", f"oxigraph:{loaded}", "export", "--format", "qdpx", "--study", study, "-o", exported)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(exported) as zf:
        validate("Project.xsd", etree.fromstring(zf.read("project.qde")))
    again = tmp_path / "again" / study
    import_project(exported, again)
    tables = sorted(p.name for p in folder.glob("*.csv"))
    assert sorted(p.name for p in again.glob("*.csv")) == tables
    for table in tables:
        assert sorted(map(str, rows(again, table[:-4]))) == sorted(map(str, rows(folder, table[:-4]))), table
    for t in rows(folder, "transcripts"):
        assert (again / t["file"]).read_bytes() == (folder / t["file"]).read_bytes()


def test_qdpx_needs_a_study_with_transcripts(made, loaded):
    _, folder, _ = made["maxqda"]
    result = run_clkg("--store", f"oxigraph:{loaded}", "export", "--format", "qdpx", "--study",
                      rows(folder, "study")[0]["study_id"], "-o", "x.qdpx")
    assert result.returncode == 2 and "has no transcripts" in result.stderr


def test_real_atlas_ti_sample(tmp_path):
    require(SHARED.is_dir(), NO_SHARED)
    xml = etree.parse(str(SHARED / "atlas-ti-8.4-sample" / "Project.qde"))
    codes = xml.getroot().findall(".//{urn:QDA-XML:project:1.0}Code")
    folder = tmp_path / "atlas-sample"
    output = import_project(SHARED / "atlas-ti-8.4-sample" / "TestProject.qdpx", folder).stdout
    concepts = {r["uuid"]: r for r in rows(folder, "concepts")}
    assert set(concepts) == {c.get("guid").lower() for c in codes}
    diet = concepts[next(c.get("guid").lower() for c in codes if c.get("name") == "Coke::diet Coke")]
    assert diet["label"] == "diet Coke" and diet["definition"] == "non sucré"
    by_id = {r["concept_id"]: r for r in concepts.values()}
    assert by_id[diet["broader"].split(":", 1)[1]]["label"] == "Coke"
    assert "is missing from" in output  # the sample ships no source files
    result = run_clkg("--store", f"oxigraph:{tmp_path / 'store'}", "validate", folder)
    assert result.returncode == 0, result.stdout + result.stderr


def test_positions_inside_a_surrogate_pair_or_outside_the_text_name_no_character():
    from clkg.refi.offsets import Positions, Reading, detect

    text = "a😀b"
    utf16 = Positions(text, Reading(utf16=True, bom=False, crlf=2))
    assert [utf16.code_point(u) for u in range(6)] == [0, 1, None, 2, 3, None]
    found = detect("plain words here", [(6, 11, "")], had_bom=False)
    assert found.runner_up is None and str(found.reading) == "code points"  # nothing to tell apart: the standard


def test_a_source_that_is_not_utf8_is_a_warning(tmp_path):
    source = rp.guid("latin")
    path = rp.write_qdpx(tmp_path / "latin.qdpx", f'<Project xmlns="{rp.PROJECT_NS}" name="l"><Sources>'
                         f'<TextSource guid="{source}" name="latin" plainTextPath="internal://{source}.txt"/>'
                         "</Sources></Project>", {f"sources/{source}.txt": "Müller".encode("latin-1")})
    result = run_clkg("import", path, "-o", tmp_path / "latin")
    assert result.returncode == 0 and "is not UTF-8 text (byte 1)" in result.stdout


# --------------------------------------------------------------------------- hostile files

def refused(path: Path, tmp_path: Path, *expected: str, env: dict | None = None):
    result = run_clkg("import", path, "-o", tmp_path / "out", env={**os.environ, **(env or {})})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()
    return result


def test_zip_bomb_is_refused(tmp_path):
    from clkg.loaders.limits import Limits

    big = Limits().bytes("unpacked_mb") + 1
    path = rp.write_qdpx(tmp_path / "bomb.qdpx", "<Project/>", {"sources/big.txt": bytes(big)})
    assert path.stat().st_size < big // 100
    refused(path, tmp_path, "zip bomb", "CLKG_MAX_UNPACKED_MB")


def test_caps_on_members_and_total_size_are_the_input_limits(tmp_path):
    from clkg.errors import InputError
    from clkg.refi.archive import open_archive
    from clkg.loaders.limits import Limits

    path = rp.write_qdpx(tmp_path / "many.qdpx", "<Project/>", {f"sources/{n}.txt": bytes(2000) for n in range(3)})
    assert path.stat().st_size < 1000
    with pytest.raises(InputError, match="holds 4 files: the limit is 3 files .*CLKG_MAX_MEMBERS"):
        open_archive(path, limits=Limits(members=3))
    with pytest.raises(InputError, match="unpacks to 0.0 MB .*: the limit is 0.005 MB .*CLKG_MAX_UNPACKED_MB"):
        open_archive(path, limits=Limits(unpacked_mb=0.005))
    refused(path, tmp_path, "holds 4 files", "CLKG_MAX_MEMBERS", env={"CLKG_MAX_MEMBERS": "3"})


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    '<!DOCTYPE Project SYSTEM "http://127.0.0.1:9/project.dtd">'])
def test_doctype_and_entities_are_refused(tmp_path, doctype):
    qde = f'<?xml version="1.0"?>{doctype}<Project xmlns="{rp.PROJECT_NS}" name="&xxe;"/>'.replace(
        "&xxe;", "&xxe;" if "xxe" in doctype else "x")
    path = rp.write_qdpx(tmp_path / "doctype.qdpx", qde, {})
    result = refused(path, tmp_path, "DOCTYPE")
    assert "root:" not in result.stdout + result.stderr


def test_bad_xml_names_member_line_and_element(tmp_path):
    broken = rp.write_qdpx(tmp_path / "broken.qdpx", f'<Project xmlns="{rp.PROJECT_NS}" name="x">\n<Sources>\n</Project>', {})
    refused(broken, tmp_path, "broken.qdpx/project.qde", "line 3", "not well-formed")
    bad = rp.write_qdpx(tmp_path / "bad.qdpx", f'<Project xmlns="{rp.PROJECT_NS}" name="x"><Sources>\n'
                        f'<TextSource guid="{rp.guid("s")}" plainTextPath="internal://a.txt">\n'
                        f'<PlainTextSelection guid="{rp.guid("p")}" startPosition="ten" endPosition="20"/>'
                        '</TextSource></Sources></Project>', {"sources/a.txt": b"text"})
    refused(bad, tmp_path, "bad.qdpx/project.qde", "line 3, element <PlainTextSelection>", "'ten' is not a whole number")


def test_not_a_project(tmp_path):
    (tmp_path / "x.qdpx").write_bytes(b"not a zip")
    refused(tmp_path / "x.qdpx", tmp_path, "is not a zip archive")
    none = rp.write_qdpx(tmp_path / "none.qdpx", "", {})
    with zipfile.ZipFile(io.BytesIO(none.read_bytes())) as zf:
        assert zf.namelist() == ["project.qde"]
    other = tmp_path / "other.qdpx"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("notes.txt", "hello")
    refused(other, tmp_path, "must hold one project file")
    foreign = tmp_path / "foreign.qde"
    foreign.write_text('<Project xmlns="urn:other"/>', encoding="utf-8")
    refused(foreign, tmp_path, "is not a REFI-QDA project")


def test_paths_outside_the_archive_are_never_followed(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET CONTENT", encoding="utf-8")
    sources = "".join(f'<TextSource guid="{rp.guid(p)}" name="{n}" plainTextPath="{p}"/>' for n, p in (
        ("abs", f"absolute://{secret}"), ("rel", "relative:///../secret.txt"), ("up", "internal://../secret.txt"),
        ("file", f"file://{secret}")))
    path = rp.write_qdpx(tmp_path / "paths.qdpx", f'<Project xmlns="{rp.PROJECT_NS}" name="p"><Sources>{sources}'
                         "</Sources></Project>", {})
    result = run_clkg("import", path, "-o", tmp_path / "paths")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("warning: source") == 4
    assert "never follows" in result.stdout and "not a plain file name" in result.stdout
    assert "SECRET" not in "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "paths").rglob("*") if p.is_file())


def test_guids_in_either_case_and_selections_without_codings(tmp_path):
    text = "alpha beta gamma"
    code, source = rp.guid("c", upper=True), rp.guid("s")
    qde = (f'<Project xmlns="{rp.PROJECT_NS}" name="cases"><CodeBook><Codes><Code guid="{code}" name="b" isCodable="1"/>'
           f'</Codes></CodeBook><Sources><TextSource guid="{source}" name="t" plainTextPath="internal://{source.upper()}.txt">'
           f'<PlainTextSelection guid="{{{rp.guid("p1")}}}" startPosition="6" endPosition="10"><Coding guid="{rp.guid("k")}">'
           f'<CodeRef targetGUID="{code.lower()}"/></Coding></PlainTextSelection>'
           f'<PlainTextSelection guid="{rp.guid("p2")}" startPosition="11" endPosition="16"/></TextSource></Sources></Project>')
    path = rp.write_qdpx(tmp_path / "case.qdpx", qde, {f"Sources/{source}.txt": text.encode()})
    folder = tmp_path / "cases"
    import_project(path, folder)
    quotations = {q["text"]: q["illustrates"] for q in rows(folder, "quotations")}
    assert quotations == {"beta": f"cases:{rows(folder, 'concepts')[0]['concept_id']}", "gamma": ""}
    assert rows(folder, "quotations")[0]["uuid"] == rp.guid("p1")  # braces and case normalized


def test_study_id_must_name_the_folder(tmp_path, made):
    project, _, _ = made["qualcoder"]
    result = run_clkg("import", project.path, "-o", tmp_path / "here", "--study-id", "elsewhere")
    assert result.returncode == 2 and "must be the name of its folder" in result.stderr


def test_a_transcript_that_is_no_regular_file_is_refused_without_blocking(made, tmp_path):
    import os
    import shutil

    from clkg.errors import InputError
    from clkg.loaders import read_dataset
    from clkg.prefixes import converter

    _, imported, _ = made["nvivo-windows"]
    folder = shutil.copytree(imported, tmp_path / imported.name)
    transcript = folder / rows(folder, "transcripts")[0]["file"]
    transcript.unlink()
    os.mkfifo(transcript)
    with pytest.raises(InputError) as err:
        read_dataset(folder, prefixes=converter())
    problem = next(p for p in err.value.problems if p.column == "file")
    assert "named pipe" in problem.message and problem.row == 2
