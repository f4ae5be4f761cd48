"""Reading a dataset's CSV files (loaders.csv_folder, checked by loaders.dataset) and clkg.text."""

from pathlib import Path

import pytest
from pyoxigraph import Literal

from clkg.errors import InputError
from clkg.loaders import read_dataset
from clkg.text import plural, shown

STUDY = b"study_id,title,source\nst-x,A title,p. 1\n"
CASES_HEADER = b"case_id,name,kind,source"


def folder(tmp_path: Path, cases: bytes, study: bytes = STUDY) -> Path:
    (tmp_path / "study.csv").write_bytes(study)
    (tmp_path / "cases.csv").write_bytes(cases)
    return tmp_path


def read(tmp_path: Path, cases: bytes):
    return read_dataset(folder(tmp_path, cases), prefixes={})


def cases(dataset) -> list[tuple[int, set[str]]]:
    """(row number, texts of its cells) of each record of cases.csv that became data."""
    rows = {iri: number for iri, (table, _, number) in dataset.origins.items() if table == "cases"}
    texts: dict[int, set[str]] = {}
    subjects = {q.subject: rows[q.object.value] for q in dataset.quads if q.object.value in rows}
    for q in dataset.quads:
        if q.subject in subjects and isinstance(q.object, Literal):
            texts.setdefault(subjects[q.subject], set()).add(q.object.value)
    return sorted(texts.items())


def problems(tmp_path: Path, data: bytes) -> list:
    """The problems reading the dataset reports, as (file name, row, column, message)."""
    with pytest.raises(InputError) as err:
        read(tmp_path, data)
    return [(Path(p.file).name, p.row, p.column, p.message) for p in err.value.problems]


def only_problem(tmp_path: Path, data: bytes, study: bytes = STUDY):
    with pytest.raises(InputError) as err:
        read_dataset(folder(tmp_path, data, study), prefixes={})
    [problem] = err.value.problems
    return problem, str(err.value)


def test_byte_order_mark_is_not_part_of_the_first_column(tmp_path):
    dataset = read(tmp_path, b"\xef\xbb\xbf" + CASES_HEADER + b"\nc1,One,RegionalCluster,p. 2\n")
    assert cases(dataset) == [(2, {"c1", "One", "p. 2"})]


@pytest.mark.parametrize("end", [b"\r\n", b"\r", b"\n"])
def test_line_ends(tmp_path, end):
    data = end.join([CASES_HEADER, b"c1,One,RegionalCluster,p. 2", b"c2,Two,RegionalCluster,p. 3", b""])
    assert cases(read(tmp_path, data)) == [(2, {"c1", "One", "p. 2"}), (3, {"c2", "Two", "p. 3"})]


@pytest.mark.parametrize("end", [b"\r\n", b"\r", b"\n"])
def test_semicolons_when_the_header_has_no_comma(tmp_path, end):
    data = end.join([b"case_id;name;kind;source", b"c1;One, or 1,5;RegionalCluster;p. 2", b""])
    assert cases(read(tmp_path, data)) == [(2, {"c1", "One, or 1,5", "p. 2"})]


def test_commas_win_when_the_header_has_both(tmp_path):
    data = b"case_id,name,kind,source\nc1,One; Two,RegionalCluster,p. 2\n"
    assert cases(read(tmp_path, data)) == [(2, {"c1", "One; Two", "p. 2"})]


def test_quoted_line_breaks_keep_record_row_numbers(tmp_path):
    data = CASES_HEADER + b'\nc1,"One\nstill one\n\nand more",RegionalCluster,p. 2\nc2,Two,RegionalCluster,p. 3\n'
    assert cases(read(tmp_path, data)) == [(2, {"c1", "One\nstill one\n\nand more", "p. 2"}),
                                           (3, {"c2", "Two", "p. 3"})]
    broken = CASES_HEADER + b'\nc1,"One\r\nstill one",RegionalCluster,p. 2\nc2,Two,,p. 3\n'
    assert problems(tmp_path, broken) == [("cases.csv", 3, "kind", "required value is empty")]


def test_blank_and_padded_rows_are_not_records(tmp_path):
    data = CASES_HEADER + b",,\nc1,One,RegionalCluster,p. 2,,\n,,,,,\n\n   ,  ,,,,\n"
    dataset = read(tmp_path, data)
    assert cases(dataset) == [(2, {"c1", "One", "p. 2"})]
    assert dataset.records == {"cases": 1, "study": 1}


def test_a_value_under_an_empty_header_cell_is_reported(tmp_path):
    data = CASES_HEADER + b",\nc1,One,RegionalCluster,p. 2,\nc2,Two,RegionalCluster,p. 3,lost?\n"
    assert problems(tmp_path, data) == [("cases.csv", 3, None, "has 5 cells but the header has 4 columns")]


def test_header_names_are_stripped(tmp_path):
    data = b" case_id ,name,  kind\t,source \nc1,One,RegionalCluster,p. 2\n"
    assert cases(read(tmp_path, data)) == [(2, {"c1", "One", "p. 2"})]


def test_bytes_that_are_not_utf8_name_file_and_record_row(tmp_path):
    data = CASES_HEADER + b'\nc1,"One\nline",RegionalCluster,p. 2\nc2,Caf\xe9,RegionalCluster,p. 3\n'
    problem, message = only_problem(tmp_path, data)
    assert Path(problem.file).name == "cases.csv" and problem.row == 3
    assert "not UTF-8" in problem.message and "0xe9" in problem.message
    assert "\ufffd" not in message and message.startswith(f"{problem.file}, row 3: ")


def test_bytes_that_are_not_utf8_in_the_header(tmp_path):
    problem, _ = only_problem(tmp_path, CASES_HEADER, b"study_id,t\x92tle,source\nst-x,T,p. 1\n")
    assert (Path(problem.file).name, problem.row) == ("study.csv", 1) and "0x92" in problem.message


def test_utf16_and_nul_bytes_are_refused(tmp_path):
    problem, _ = only_problem(tmp_path, (CASES_HEADER + b"\nc1,One,RegionalCluster,p. 2\n").decode().encode("utf-16"))
    assert "UTF-16" in problem.message
    problem, _ = only_problem(tmp_path, CASES_HEADER + b"\nc1,One,RegionalCluster,p. 2\nc2,T\x00o,RegionalCluster,x\n")
    assert problem.row == 3 and "NUL" in problem.message


def test_an_unclosed_quote_names_the_record_it_opens(tmp_path):
    problem, _ = only_problem(tmp_path, CASES_HEADER + b'\nc1,One,RegionalCluster,p. 2\nc2,"Two,RegionalCluster,p. 3\n')
    assert problem.row == 3 and "never closed" in problem.message


def test_duplicate_header_names(tmp_path):
    data = b"case_id,name,kind,name,source\nc1,One,RegionalCluster,Again,p. 2\n"
    assert problems(tmp_path, data) == [("cases.csv", 1, "name", "column 'name' appears twice in the header")]


def test_ragged_rows(tmp_path):
    data = CASES_HEADER + b"\nc1,One,RegionalCluster,p. 2,extra\nc2,Two,RegionalCluster\nc3,Three,RegionalCluster,p. 4\n"
    assert problems(tmp_path, data) == [
        ("cases.csv", 2, None, "has 5 cells but the header has 4 columns"),
        ("cases.csv", 3, "source", "required value is empty"),
    ]


def test_a_folder_without_csv_files(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(InputError, match="holds no .csv files"):
        read_dataset(tmp_path, prefixes={})


# --- clkg.text ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("\x1b[31mred\x1b[0m", r"\x1b[31mred\x1b[0m"),
    ("two\nlines\tand\rreturn", r"two\nlines\tand\rreturn"),
    ("bell\x07 nul\x00 del\x7f", r"bell\x07 nul\x00 del\x7f"),
    ("right-to-left \u202eevil", r"right-to-left \u202eevil"),
    ("Łódź ’quoted’ 東京 a b", "Łódź ’quoted’ 東京 a b"),
])
def test_shown_escapes_control_characters(text, expected):
    assert shown(text) == expected
    assert shown(text).isprintable()


def test_shown_cuts_long_text_and_says_how_long_it_was():
    assert shown("x" * 200) == "x" * 200
    assert shown("x" * 1234) == "x" * 200 + "… (1,234 characters)"
    assert shown("abcdef", limit=3) == "abc… (6 characters)"
    assert shown(42) == "42"


@pytest.mark.parametrize("count, expected", [(0, "0 rows"), (1, "1 row"), (2, "2 rows"), (12345, "12,345 rows")])
def test_plural(count, expected):
    assert plural(count, "row") == expected


def test_plural_irregular():
    assert plural(1, "entry", "entries") == "1 entry"
    assert plural(3, "entry", "entries") == "3 entries"
