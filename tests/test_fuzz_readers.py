"""Fuzzing the readers with hypothesis: a valid dataset (CSV folder, .xlsx workbook, RDF file)
with random edits always ends in a dataset that validates or in a clean InputError, never in
another exception; and a rejected `clkg load` leaves the store byte-identical.

The edits are cuts and insertions of bytes chosen to hurt each format (quotes, line ends, NUL,
byte-order marks, non-ASCII digits, XML entities, RDF-star, …) as well as random bytes.
Bounded for CI by the settings profile ``ci`` (the default); ``HYPOTHESIS_PROFILE=deep`` runs
many more examples.
"""

import io
import os
import shutil
import tempfile
import zipfile
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from clkg.errors import InputError, Problem
from clkg.loaders import read_dataset
from clkg.vocabulary import prefixes
from support import run_clkg
from test_bad_corpus import MINIMAL, _workbook

settings.register_profile("ci", max_examples=25, deadline=timedelta(seconds=30),
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("deep", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

COMMON = [b"", b"\x00", b"\xff", b"\xef\xbb\xbf", b"\xff\xfe", b"\xc3", b"\r", b"\n", b"\r\n", b"\t",
          b" ", b"\\", "\u2028".encode(), "\x1b[2J".encode(), "２００８".encode(), "٧٨".encode(),
          b"1E+30", b"9" * 40, b"-1", b"=1+1", b"x" * 300]
CSV_BITS = COMMON + [b",", b";", b'"', b'""', b",,,,,,,,,,,,,,,,,,,,", b"slf:", b"sfl:dead-souls",
                     b"metal-a", b"true", b"TRUE", b"f1", b"case_id", b"\n\n\n"]
XML_BITS = COMMON + [b"<", b">", b"&", b"&lol;", b"&#0;", b"]]>", b"<!--", b"<!DOCTYPE x>",
                     b'<!ENTITY a "b">', b"</row>", b'<row r="0">', b'<row r="1048577">',
                     b'<c r="XFD1048576"><v>1</v></c>', b'<c r="A1" t="s"><v>99</v></c>',
                     b'<c r="B2" t="n"><v>1e400</v></c>', b'<c r="C2" t="d"><v>99999-99-99</v></c>',
                     b'<c r="D2" t="b"><v>7</v></c>', b"<f>1+1</f>", b'<dimension ref="A1:XFD1048576"/>',
                     b'<sheet name="cases" sheetId="1" r:id="rId1"/>', b'Target="/etc/passwd"']
RDF_BITS = COMMON + [b"<", b">", b'"', b"'", b"@prefix", b"@base <../>", b"a", b";", b".", b",",
                     b"<<( ", b" )>>", b"<< ", b" >>", b"_:b0", b'"""', b"^^<http://www.w3.org/2001/XMLSchema#integer>",
                     b"@en-", b"<http://a b>", b"<https://w3id.org/clkg/data/other/study>",
                     b"<https://w3id.org/clkg/ontology#Study>", b"<!DOCTYPE r [<!ENTITY a 'b'>]>",
                     b'{"@context": "http://127.0.0.1:9/x"}', b'"@id"', b"{", b"}", b"[", b"]", b"rdf:about=",
                     b"<rdf:Description>", b"&a;"]


def _edits(bits: list[bytes]):
    """Lists of (position, bytes cut, bytes inserted): inserted are chosen bits or random bytes."""
    insert = st.lists(st.sampled_from(bits) | st.binary(max_size=6), max_size=4).map(b"".join)
    return st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=12), insert),
                    min_size=1, max_size=6)


def _apply(data: bytes, edits) -> bytes:
    for position, cut, insert in edits:
        position %= len(data) + 1
        data = data[:position] + insert + data[position + cut:]
    return data


@cache
def _workbook_members() -> tuple[tuple[str, bytes], ...]:
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(_workbook(Path(tmp) / "book")) as book:
            return tuple((m.filename, book.read(m)) for m in book.infolist())


@cache
def _rdf_files() -> dict[str, bytes]:
    """_minimal in every RDF syntax clkg reads, by file suffix."""
    from pyoxigraph import RdfFormat, serialize

    dataset = read_dataset(MINIMAL, prefixes=prefixes())
    triples = [q.triple for q in dataset.quads]
    return {".ttl": serialize(triples, format=RdfFormat.TURTLE, prefixes=prefixes()),
            ".nt": serialize(triples, format=RdfFormat.N_TRIPLES),
            ".nq": serialize(dataset.quads, format=RdfFormat.N_QUADS),
            ".trig": serialize(dataset.quads, format=RdfFormat.TRIG),
            ".rdf": serialize(triples, format=RdfFormat.RDF_XML),
            ".jsonld": serialize(triples, format=RdfFormat.JSON_LD)}


@st.composite
def csv_datasets(draw):
    """(file name, bytes) of a table of _minimal with random edits."""
    path = draw(st.sampled_from(sorted(MINIMAL.glob("*.csv"))))
    return {path.name: _apply(path.read_bytes(), draw(_edits(CSV_BITS)))}


@st.composite
def workbooks(draw):
    """Edits of _minimal as a workbook: (member, edits of its XML or None, edits of the zip's bytes
    or None); ``_workbook_bytes`` makes the file (so that a failing example shows the edits)."""
    member = draw(st.sampled_from(sorted(dict(_workbook_members()))))
    return member, draw(st.none() | _edits(XML_BITS)), draw(st.none() | _edits(COMMON))


def _workbook_bytes(member: str, xml_edits, zip_edits) -> bytes:
    members = dict(_workbook_members())
    if xml_edits:
        members[member] = _apply(members[member], xml_edits)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in members.items():
            book.writestr(name, data)
    return _apply(out.getvalue(), zip_edits) if zip_edits else out.getvalue()


@st.composite
def rdf_files(draw):
    """(suffix, bytes) of _minimal in one RDF syntax with random edits."""
    suffix = draw(st.sampled_from(sorted(_rdf_files())))
    return suffix, _apply(_rdf_files()[suffix], draw(_edits(RDF_BITS)))


def _write(root: Path, kind: str, value) -> Path:
    """The input a strategy drew, written under ``root`` and named after its study; the path."""
    if kind == "csv":
        folder = Path(shutil.copytree(MINIMAL, root / "minimal"))
        for name, data in value.items():
            (folder / name).write_bytes(data)
        return folder
    if kind == "xlsx":
        path = root / "minimal.xlsx"
        path.write_bytes(_workbook_bytes(*value))
        return path
    suffix, data = value
    path = root / f"minimal{suffix}"
    path.write_bytes(data)
    return path


def _outcome(path: Path) -> str | list[Problem]:
    """'valid', 'invalid' or the problems of a rejected input; any exception but InputError fails
    the test."""
    from clkg.validation import validate

    try:
        dataset = read_dataset(path, prefixes=prefixes())
    except InputError as err:
        assert err.problems and all(isinstance(p, Problem) and p.file for p in err.problems)
        assert all(len(str(p)) < 2000 for p in err.problems), "a message echoes a long value whole"
        return err.problems
    return "valid" if validate(dataset).conforms else "invalid"


@pytest.fixture(scope="module", autouse=True)
def warm():
    """The ontology, shapes and readers loaded once, so that no example pays for them."""
    from clkg.validation import validate

    validate(read_dataset(MINIMAL, prefixes=prefixes()))
    _workbook_members(), _rdf_files()


@given(csv_datasets())
def test_csv_reader_ends_in_a_dataset_or_an_input_error(edited):
    with tempfile.TemporaryDirectory() as tmp:
        _outcome(_write(Path(tmp), "csv", edited))


@given(workbooks())
def test_workbook_reader_ends_in_a_dataset_or_an_input_error(edited):
    with tempfile.TemporaryDirectory() as tmp:
        _outcome(_write(Path(tmp), "xlsx", edited))


@given(rdf_files())
def test_rdf_reader_ends_in_a_dataset_or_an_input_error(edited):
    with tempfile.TemporaryDirectory() as tmp:
        _outcome(_write(Path(tmp), "rdf", edited))


@pytest.fixture(scope="module")
def loaded_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fuzz") / "store"
    minimal = shutil.copytree(MINIMAL, path.parent / "minimal")  # a folder named after its study
    result = run_clkg("--store", f"oxigraph:{path}", "load", minimal, cwd=path.parent)
    assert result.returncode == 0, result.stderr
    return path


def _dump(store: Path) -> bytes:
    from test_bad_corpus import _dump as sorted_lines

    return b"\n".join(sorted_lines(store))


@settings(max_examples=2, deadline=None)
@given(st.one_of(st.tuples(st.just("csv"), csv_datasets()), st.tuples(st.just("xlsx"), workbooks())))
def test_a_rejected_load_leaves_the_store_byte_identical(loaded_store, drawn):
    kind, value = drawn
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), kind, value)
        problems = _outcome(path)
        assume(isinstance(problems, list))
        store = Path(tmp) / "store"
        shutil.copytree(loaded_store, store)
        before = _dump(store)
        result = run_clkg("--store", f"oxigraph:{store}", "load", path, cwd=tmp)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert str(problems[0]) in result.stderr  # rejected for the defect, not for another reason
        assert _dump(store) == before
