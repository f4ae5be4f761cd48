"""Hostile and careless input (issue 14): limits, files that are no regular file, values that are
no number, messages safe for a terminal, outputs safe for a spreadsheet.

The bad-input corpus (test_bad_corpus.py) runs each case through the command line; these tests
check what the corpus cannot: the Python API, limits raised, what is not printed.
"""

import csv
import io
import json
import os
import shutil
import socket
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from clkg.errors import InputError, Problem, UsageError
from clkg.loaders import Limits, read_dataset
from clkg.loaders.casedata import tables
from clkg.loaders.limits import condense
from clkg.tables import Table, render
from clkg.vocabulary import prefixes
from support import ROOT, run_clkg
from test_bad_corpus import CORPUS, GENERATORS, MINIMAL

NOBODY = 65534


def _read(path, **limits):
    return read_dataset(path, prefixes=prefixes(), limits=Limits(**limits) if limits else None)


def _problems(path, **limits) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        _read(path, **limits)
    return caught.value.problems


def _copy(tmp_path) -> Path:
    return Path(shutil.copytree(MINIMAL, tmp_path / "minimal"))


# ---- limits ------------------------------------------------------------------------------------

def test_limits_come_from_the_environment_and_keywords_override_them():
    limits = Limits.from_env({"CLKG_MAX_ROWS": "5", "CLKG_MAX_FILE_MB": "0.5"}, columns=7)
    assert (limits.rows, limits.file_mb, limits.columns) == (5, 0.5, 7)
    assert limits.cell_chars == Limits().cell_chars
    for bad in ("abc", "0", "-3", "nan", "inf", ""):
        with pytest.raises(UsageError, match="CLKG_MAX_ROWS must be a positive number"):
            Limits.from_env({"CLKG_MAX_ROWS": bad})


def test_a_limit_met_names_the_file_the_limit_and_how_to_raise_it(tmp_path):
    folder = _copy(tmp_path)
    problems = _problems(folder, rows=2)  # the tables of _minimal with three rows or more are refused
    assert {Path(p.file).name for p in problems} == {"observations.csv", "sample.csv"}
    observations = next(p for p in problems if p.file.endswith("observations.csv"))
    assert observations.row == 4 and observations.message.startswith("has too many rows: the limit is 2 rows")
    assert "CLKG_MAX_ROWS" in observations.message and "limits=Limits(rows=…)" in observations.message


def test_a_raised_limit_lets_the_same_data_through(tmp_path):
    folder = _copy(tmp_path)
    with (folder / "findings.csv").open("a", encoding="utf-8") as out:
        out.writelines(f"f-{n},Finding {n}.,,metal-a,Table 1,\n" for n in range(30))
    assert any("CLKG_MAX_ROWS" in p.message for p in _problems(folder, rows=20))
    dataset = read_dataset(folder, prefixes=prefixes(), limits=Limits.from_env({"CLKG_MAX_ROWS": "40"}))
    assert dataset.records["findings"] == 32


def test_the_environment_variable_reaches_the_command_line(tmp_path):
    folder = _copy(tmp_path)
    result = run_clkg("validate", folder, cwd=tmp_path, env={**os.environ, "CLKG_MAX_CELL_CHARS": "10"})
    assert result.returncode == 2 and "CLKG_MAX_CELL_CHARS" in result.stderr, result.stderr
    result = run_clkg("validate", folder, cwd=tmp_path, env={**os.environ, "CLKG_MAX_COLUMNS": "many"})
    assert result.returncode == 2 and "CLKG_MAX_COLUMNS must be a positive number" in result.stderr


# ---- what a path may be ------------------------------------------------------------------------

def test_a_symlink_to_a_regular_file_is_read(tmp_path):
    folder = _copy(tmp_path)
    elsewhere = tmp_path / "kept-elsewhere.csv"
    (folder / "cases.csv").rename(elsewhere)
    (folder / "cases.csv").symlink_to(elsewhere)
    assert len(_read(folder).quads) == len(_read(MINIMAL).quads)


def test_a_dangling_symlink_says_where_it_points(tmp_path):
    folder = _copy(tmp_path)
    (folder / "cases.csv").unlink()
    (folder / "cases.csv").symlink_to(tmp_path / "gone.csv")
    [problem] = _problems(folder)
    assert problem.file.endswith("cases.csv") and "gone.csv" in problem.message
    assert "which does not exist" in problem.message


def test_a_socket_is_refused(tmp_path):
    folder = _copy(tmp_path)
    (folder / "cases.csv").unlink()
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(folder / "cases.csv"))
        [problem] = _problems(folder)
    finally:
        server.close()
    assert "is a socket, not a regular file" in problem.message


def test_a_dataset_path_that_is_a_fifo_is_refused_without_waiting(tmp_path):
    path = tmp_path / "dataset.ttl"
    os.mkfifo(path)
    [problem] = _problems(path)  # would block forever if opened for reading
    assert problem.file == str(path) and "named pipe (FIFO)" in problem.message


@contextmanager
def _unprivileged():
    """The block run as a user that cannot read what it is not allowed to (root reads anything)."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


@pytest.fixture
def reachable():
    """A folder every user can reach (pytest's tmp_path is private to its owner)."""
    folder = Path(tempfile.mkdtemp(prefix="clkg-hostile-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755)
    shutil.rmtree(folder)


def test_an_unreadable_folder_or_file_says_permission_denied(reachable):
    folder = Path(shutil.copytree(MINIMAL, reachable / "minimal"))
    for path in [folder, *folder.iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    _read(folder), tables(), prefixes()  # everything imported and cached while privileged
    (folder / "cases.csv").chmod(0)
    with _unprivileged():
        [problem] = _problems(folder)
    assert problem.file.endswith("cases.csv") and problem.message == "cannot be read: permission denied"
    folder.chmod(0)
    with _unprivileged():
        [problem] = _problems(folder)
    assert problem.file == str(folder) and problem.message == "cannot be read: permission denied"


# ---- nothing ignored silently --------------------------------------------------------------------

NOT_A_TABLE = "not a table: clkg reads <table>.csv files and alignments.sssom.tsv"


def test_entries_that_are_no_table_are_returned_as_ignored_with_the_reason():
    dataset = _read(CORPUS / "ignored-readme-and-folder")
    assert dataset.ignored == {"README.md": NOT_A_TABLE, "expected.txt": NOT_A_TABLE,
                               "transcripts/": "a folder: clkg reads no sub-folders of a dataset"}
    assert len(dataset.quads) == len(_read(MINIMAL).quads)


def test_a_workbook_names_its_documentation_sheets_as_ignored(tmp_path):
    from test_bad_corpus import _workbook

    path = _workbook(tmp_path / "book", lambda book: book.create_sheet("README").append(["How to fill in"]))
    assert _read(path).ignored == {"sheet README": "documentation: clkg reads no sheet named README or Guide"}


def test_validate_and_load_print_what_they_ignored_and_why(tmp_path):
    folder = Path(shutil.copytree(CORPUS / "ignored-readme-and-folder", tmp_path / "minimal"))
    lines = [f"  ignored README.md: {NOT_A_TABLE}", f"  ignored expected.txt: {NOT_A_TABLE}",
             "  ignored transcripts/: a folder: clkg reads no sub-folders of a dataset"]
    result = run_clkg("validate", folder, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.splitlines()[1:4] == lines, result.stdout
    result = run_clkg("validate", folder, "--format", "json", cwd=tmp_path)
    assert json.loads(result.stdout)[0]["ignored"]["transcripts/"] == "a folder: clkg reads no sub-folders of a dataset"
    result = run_clkg("--store", f"oxigraph:{tmp_path / 'store'}", "load", folder, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.splitlines()[1:4] == lines, result.stdout + result.stderr
    assert result.stdout.splitlines()[4].startswith(f"loaded {folder} into")


def test_near_misses_name_the_expected_file(tmp_path):
    folder = _copy(tmp_path)
    for old, new in [("cases.csv", " Cases.csv"), ("findings.csv", "findings.tsv"),
                     ("quotations.csv", "quotations.csv.bak")]:
        (folder / old).rename(folder / new)
    problems = {Path(p.file).name: p.message for p in _problems(folder)}
    assert problems == {name: f"is not read: a table file is named exactly {table}.csv (rename it, or "
                              "move it out of the dataset folder)"
                        for name, table in [(" Cases.csv", "cases"), ("findings.tsv", "findings"),
                                            ("quotations.csv.bak", "quotations")]}


FIXTURE = ROOT / "tests" / "fixtures" / "invented-inter-clustering"  # a codebook and alignments.sssom.tsv


def test_the_alignments_file_is_read_not_ignored_and_a_near_miss_of_its_name_is_an_error(tmp_path):
    dataset = _read(FIXTURE)
    assert dataset.ignored == {}
    assert any(q.predicate.value == "http://www.w3.org/2004/02/skos/core#relatedMatch" for q in dataset.quads)
    folder = Path(shutil.copytree(FIXTURE, tmp_path / FIXTURE.name))
    for name in ("alignments.tsv", "Alignments.SSSOM.tsv", "alignments.sssom.tsv.txt"):
        (folder / "alignments.sssom.tsv").rename(folder / name)
        assert [(Path(p.file).name, p.message) for p in _problems(folder)] == [
            (name, "is not read: the alignments file is named exactly alignments.sssom.tsv (rename it, or move it "
                   "out of the dataset folder)")]
        (folder / name).rename(folder / "alignments.sssom.tsv")


def test_the_alignments_file_is_held_to_the_limits(tmp_path):
    folder = Path(shutil.copytree(FIXTURE, tmp_path / FIXTURE.name))
    alignments = folder / "alignments.sssom.tsv"
    text = alignments.read_text(encoding="utf-8")
    alignments.unlink()
    os.mkfifo(alignments)  # read, it would block for ever
    [problem] = _problems(folder)
    assert problem.file == str(alignments) and "is a named pipe (FIFO), not a regular file" in problem.message
    alignments.unlink()
    alignments.write_text(text.replace("(Invented) Both name distrust", "x" * 5000), encoding="utf-8")
    [problem] = _problems(folder, cell_chars=4000)
    assert problem.file == str(alignments) and "CLKG_MAX_CELL_CHARS" in problem.message
    alignments.write_text(text.replace("#license:", "#mapping_set_title: &a [*a]\n#license:"), encoding="utf-8")
    [problem] = _problems(folder)
    assert problem.message == "metadata mapping_set_title must be text"


def test_a_workbook_name_with_spaces_or_brackets_is_read(tmp_path):
    """The name of the file is part of the IRI of each source row (the issue saw "error: Invalid
    IRI code point ' '" naming no file)."""
    from test_bad_corpus import _workbook

    path = _workbook(tmp_path / "book").rename(tmp_path / "book" / "my data <2024>.xlsx")
    dataset = _read(path)
    assert len(dataset.quads) == len(_read(MINIMAL).quads)
    assert any("/my%20data%20%3C2024%3E.xlsx/cases#row=2" in q.subject.value for q in dataset.quads)


def test_a_workbook_whose_declared_dimension_is_too_small_loses_no_cell(tmp_path):
    """openpyxl skips the cells outside the dimension a sheet declares: the reader must not."""
    import re

    from test_bad_corpus import _in_part, _workbook_parts

    path = _workbook_parts(tmp_path / "book", _in_part(
        "xl/worksheets/sheet1.xml", lambda data: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="B2:C2"', data)))
    assert len(_read(path).quads) == len(_read(MINIMAL).quads)


# ---- an RDF dataset speaks only of itself ------------------------------------------------------------

OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"


def test_an_rdf_dataset_may_hold_its_own_concept_scheme_and_mappings(tmp_path):
    """What a folder with concepts.csv and alignments.sssom.tsv becomes, as a load writes it (with
    the source recorded on its graph), is read back from Turtle as the same triples, and conforms."""
    from pyoxigraph import RdfFormat, serialize

    from clkg.pipeline import dataset_graph_quads
    from clkg.validation import validate

    folder = _read(FIXTURE)
    path = tmp_path / f"{FIXTURE.name}.ttl"
    path.write_bytes(serialize([q.triple for q in dataset_graph_quads(folder)], format=RdfFormat.TURTLE))
    dataset = _read(path)
    assert {q.triple for q in dataset.quads} == {q.triple for q in folder.quads}  # the load's record dropped
    kinds = {q.object.value for q in dataset.quads if q.predicate.value.endswith("#type")}
    assert {SKOS + "ConceptScheme", SKOS + "Concept", OWL + "Axiom"} <= kinds
    assert validate(dataset).conforms


@pytest.mark.parametrize("reified", [
    # a class axiom, reified: an OWL tool reads it as the axiom itself
    (f"<{OWL}annotatedSource> <https://w3id.org/clkg/ontology#Study>",
     f"<{OWL}annotatedProperty> <http://www.w3.org/2000/01/rdf-schema#subClassOf>",
     f"<{OWL}annotatedTarget> <{OWL}Nothing>"),
    # a mapping, but of another study's concept
    (f"<{OWL}annotatedSource> <https://w3id.org/clkg/scheme/social-learning/dead-souls>",
     f"<{OWL}annotatedProperty> <{SKOS}exactMatch>",
     f"<{OWL}annotatedTarget> <https://w3id.org/clkg/scheme/process-learning-barriers/anomie>"),
])
def test_an_rdf_dataset_may_not_reify_other_axioms(reified, tmp_path):
    from test_bad_corpus import _rdf

    node = "<https://w3id.org/clkg/data/minimal/mapping/m1>"
    statements = [f"{node} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{OWL}Axiom> ."]
    statements += [f"{node} {statement} ." for statement in reified]
    problems = _problems(_rdf(tmp_path / "minimal", "\n".join(statements) + "\n"))
    assert len(problems) == 4 and all("states an ontology axiom" in p.message for p in problems)


def test_an_rdf_dataset_may_not_describe_another_graph(tmp_path):
    from test_bad_corpus import _rdf

    statement = ("<https://w3id.org/clkg/graph/hibbert-2010> <http://www.w3.org/ns/prov#wasDerivedFrom> "
                 "<file:///tmp/elsewhere> .\n")
    [problem] = _problems(_rdf(tmp_path / "minimal", statement))
    assert "may describe only its own study" in problem.message and "graph/hibbert-2010" in problem.message


# ---- values that are no number ---------------------------------------------------------------------

@pytest.mark.parametrize("column, text", [
    ("founded", "２００８"), ("founded", "٢٠٠٨"), ("member_count", "٧٨"), ("member_count", "߇"),
    ("member_count", "१२"), ("member_count", "9007199254740992"), ("member_count", "1" * 5000),
    ("founded", "1e3"), ("member_count", "0x10")])
def test_only_ascii_digits_of_exact_whole_numbers_fit_a_number_column(column, text):
    from clkg.loaders.casedata import check_cell

    spec = next(c for c in tables()["cases"].columns if c.name == column)
    assert check_cell(spec, text) is not None
    assert check_cell(spec, "2008") is None and check_cell(spec, "+2008") is None


def test_booleans_are_ascii():
    from clkg.loaders.casedata import check_cell

    observed = next(c for c in tables()["observations"].columns if c.name == "observed")
    assert check_cell(observed, "FALSE") is None
    assert check_cell(observed, "falſe") is not None  # a long s, which case-insensitive Unicode matching takes for s


def test_a_formula_cell_with_a_saved_value_is_read(tmp_path):
    """Only formulas without a saved result are refused: one Excel computed is its value."""
    import zipfile

    from test_bad_corpus import _in_part, _workbook_parts

    path = _workbook_parts(tmp_path / "book", _in_part(
        "xl/worksheets/sheet1.xml",  # member_count of metal-a, 35, computed by a formula
        lambda data: data.replace(b'<v>35</v>', b'<f>30+5</f><v>35</v>', 1)))
    with zipfile.ZipFile(path) as book:
        assert b"<f>30+5</f>" in book.read("xl/worksheets/sheet1.xml")
    assert len(_read(path).quads) == len(_read(MINIMAL).quads)


# ---- messages --------------------------------------------------------------------------------------

def test_the_same_problem_in_many_rows_is_reported_once_with_a_count(tmp_path):
    folder = _copy(tmp_path)
    with (folder / "findings.csv").open("a", encoding="utf-8") as out:
        out.writelines(f"f-{n},Finding {n}.,,metal-z,Table 1,\n" for n in range(1000))
    problems = [p for p in _problems(folder) if p.file.endswith("findings.csv")]
    assert [p.row for p in problems] == [4, 5, 6, None]
    assert problems[3].message.startswith("and 997 more problems of the kind above: row 7 column 'cases', ")


def test_no_message_echoes_a_long_value_whole(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "cases.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",note\n", "," + "n" * 50_000 + "\n", 1),
                    encoding="utf-8")
    [problem] = _problems(folder)
    assert problem.message.startswith("unknown column 'nnn") and len(problem.message) < 1100


def test_condense_keeps_the_order_and_every_kind():
    problems = [Problem("a.csv", f"'{n}' is not a whole number", n, "x") for n in range(2, 12)]
    problems.insert(1, Problem("a.csv", "required value is empty", 3, "y"))
    problems.append(Problem("b.csv", "'1' is not a whole number", 2, "x"))
    kept = condense(problems)
    assert [(p.file, p.row) for p in kept] == [("a.csv", 2), ("a.csv", 3), ("a.csv", 3), ("a.csv", 4),
                                               ("a.csv", None), ("b.csv", 2)]
    assert kept[4].message == ("and 7 more problems of the kind above: row 5 column 'x', row 6 column 'x', "
                               "row 7 column 'x', row 8 column 'x', row 9 column 'x', …")


def _output(name, tmp_path) -> str:
    path = GENERATORS[name](tmp_path / name)
    result = run_clkg("validate", path, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    return result.stdout + result.stderr


def test_no_control_character_of_a_file_name_reaches_the_terminal(tmp_path):
    output = _output("ansi-escape-in-file-name", tmp_path)
    assert "\\x1b[2Jquotations" in output and "\x1b" not in output


def test_a_long_value_is_cut_in_the_message(tmp_path):
    output = _output("long-id-cut", tmp_path)
    assert "(10,002 characters)" in output and len(output) < 1000


def test_a_million_columns_give_one_line(tmp_path):
    assert len(_output("header-million-columns", tmp_path).splitlines()) == 1


def test_rdflib_prints_no_traceback_for_an_ill_typed_literal(tmp_path):
    output = _output("rdf-ill-typed-literal", tmp_path)
    assert "Failed to convert" not in output and len(output.splitlines()) == 1


# ---- outputs safe to open ----------------------------------------------------------------------------

ATTACKS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://example.org","x")', "+1+1", "-2+3", "@SUM(A1:A2)",
           "\t=1+1", "\r=1+1"]


def test_csv_output_neutralises_formulas_but_not_numbers():
    table = Table(["=title", "count"], [(text, n) for n, text in enumerate(ATTACKS, -3)] + [("a=b", 2.5), (None, 0)])
    rows = list(csv.reader(io.StringIO(render(table, "csv"), newline="")))
    assert rows[0] == ["'=title", "count"]
    assert [r[0] for r in rows[1:]] == ["'" + text for text in ATTACKS] + ["a=b", ""]
    assert [r[1] for r in rows[1:]] == [str(n) for n in range(-3, len(ATTACKS) - 3)] + ["2.5", "0"]
    raw = list(csv.reader(io.StringIO(render(table, "csv", raw=True), newline="")))
    assert [r[0] for r in raw] == ["=title", *ATTACKS, "a=b", ""]


def test_html_latex_and_the_terminal_escape():
    table = Table(["property", "<b>study</b>"], [("title", "<script>alert(1)</script> & \\input{/etc/passwd}\n\nx"),
                                                ("note", "\x1b[2J cleared")])
    html = render(table, "html")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in html
    assert "<th>&lt;b&gt;study&lt;/b&gt;</th>" in html
    latex = render(table, "latex")
    assert "\\textbackslash{}input\\{/etc/passwd\\}  x" in latex and "\\&" in latex and "\x1b" not in latex
    assert "\n\n" not in latex  # a blank line would end the tabular's paragraph
    text = render(table, "table")
    assert "\x1b" not in text and "\\x1b[2J cleared" in text


def test_compare_and_query_csv_neutralise_a_hostile_title(tmp_path):
    data = tmp_path / "data"
    folder = Path(shutil.copytree(MINIMAL, data / "minimal"))
    study = folder / "study.csv"
    text = study.read_text(encoding="utf-8")
    study.write_text(text.replace("A minimal study of two cluster initiatives", '"=HYPERLINK(""http://x"",""y"")"'),
                     encoding="utf-8")
    store = f"oxigraph:{tmp_path / 'store'}"
    built = run_clkg("--store", store, "build", "--data", data, "--no-reason", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    result = run_clkg("--store", store, "compare", "studies", "--format", "csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    header = next(csv.reader(io.StringIO(result.stdout)))
    assert header == ["property", "'=HYPERLINK(\"http://x\",\"y\")"]
    # every cell a spreadsheet would run is neutralised, in every CSV the command line writes
    for args in (["compare", "studies"], ["compare", "cases"], ["query", "readings"]):
        out = run_clkg("--store", store, *args, "--format", "csv", cwd=tmp_path).stdout
        cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], args
    # --raw writes the title as it is, to the terminal and to a file
    raw = run_clkg("--store", store, "compare", "studies", "--format", "csv", "--raw", cwd=tmp_path)
    assert next(csv.reader(io.StringIO(raw.stdout))) == ["property", '=HYPERLINK("http://x","y")']
    run_clkg("--store", store, "compare", "studies", "--format", "csv", "--raw", "-o", tmp_path / "raw.csv", cwd=tmp_path)
    written = (tmp_path / "raw.csv").read_bytes()
    assert written.decode().replace("\r\n", "\n") == raw.stdout  # (run_clkg reads stdout as text: \r\n as \n)
    assert written.count(b"\n") == written.count(b"\r\n") > 2  # RFC 4180 line ends, kept in the file


def test_names_in_reports_are_shown_escaped(tmp_path):
    """The folder's name reaches the verdict, each result and the hint; control characters in it
    are shown escaped there, as in error messages."""
    folder = Path(shutil.copytree(MINIMAL, tmp_path / "min\x1b[2Jimal"))
    observations = folder / "observations.csv"
    observations.write_text(observations.read_text(encoding="utf-8").replace("slf:dead-souls", "slf:dead-sols"),
                            encoding="utf-8")
    result = run_clkg("validate", folder, "--severity", "violation", cwd=tmp_path)
    assert result.returncode == 1 and "\x1b" not in result.stdout, result.stdout
    verdict, violation = result.stdout.splitlines()[:2]
    assert verdict.startswith(f"{tmp_path}/min\\x1b[2Jimal: does not conform")
    assert violation.startswith(f"  {tmp_path}/min\\x1b[2Jimal/observations.csv, row 2, column 'concept': Violation")
