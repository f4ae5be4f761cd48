"""Bad case data: a message naming file, row and column, exit 2, no traceback, store untouched."""

import shutil
from pathlib import Path

import pytest

from support import DATA, SL, cli_built_store, run_clkg
from test_build import pyoxigraph_sizes


@pytest.fixture(scope="module")
def good_store(tmp_path_factory):
    return cli_built_store(tmp_path_factory.mktemp("good") / "store")


def _broken_copy(tmp_path, table: str, edit) -> Path:
    """A copy of the seed data whose one table of the first study is edited as bytes."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    path = data / SL / f"{table}.csv"
    path.write_bytes(edit(path.read_bytes()))
    return data


def _line(data: bytes, number: int) -> bytes:
    return data.split(b"\n")[number - 1]


CASES = {
    "wrong type": ("cases", lambda b: b.replace(b",2008,", b",20O8,", 1),
                   ["cases.csv", "row 2", "'founded'", "'20O8' is not a year"]),
    "negative count": ("cases", lambda b: b.replace(b",35,", b",-35,", 1),
                       ["cases.csv", "row 2", "'member_count'", "not a whole number"]),
    "missing required column": ("cases", lambda b: b.replace(b"case_id", b"case_key", 1),
                                ["cases.csv", "row 1", "required column 'case_id' is missing",
                                 "unknown column 'case_key'"]),
    "not utf-8": ("quotations", lambda b: b.replace("’".encode(), b"\x92", 1),
                  ["quotations.csv", "not UTF-8"]),
    "empty required cell": ("quotations", lambda b: b.replace(_line(b, 2), b"," + _line(b, 2).split(b",", 1)[1], 1),
                            ["quotations.csv", "row 2", "'quotation_id'", "required value is empty"]),
    "dangling reference": ("quotations", lambda b: b.replace(b",metal-a,", b",metal-z,", 1),
                           ["quotations.csv", "'case_id'", "'metal-z' is not the id of a row of cases"]),
    "unknown concept prefix": ("observations", lambda b: b.replace(b"slf:", b"slx:", 1),
                               ["observations.csv", "'concept'", "unknown prefix 'slx'"]),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_reported_and_store_untouched(good_store, tmp_path, name):
    table, edit, expected = CASES[name]
    data = _broken_copy(tmp_path, table, edit)
    before = pyoxigraph_sizes(good_store)
    result = run_clkg("--store", f"oxigraph:{good_store}", "build", "--data", data)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    assert pyoxigraph_sizes(good_store) == before


def test_missing_data_folder(tmp_path):
    result = run_clkg("--store", f"oxigraph:{tmp_path / 's'}", "build", "--data", tmp_path / "nowhere")
    assert result.returncode == 2
    assert "nowhere" in result.stderr and "Traceback" not in result.stderr


def test_unknown_store_scheme(tmp_path):
    result = run_clkg("--store", "mongo:x", "build", "--data", DATA)
    assert result.returncode == 2
    assert "unknown store 'mongo:x'" in result.stderr
