"""The corpus of bad datasets in tests/bad_datasets/: each one is precisely reported, none changes a store.

Every entry ``tests/bad_datasets/<name>/`` is the valid dataset ``_minimal/`` with exactly one
defect, plus ``expected.txt``:

    exit: 2                    first line: the exit code of `clkg validate` (and `clkg load`):
                               2 = the input cannot be read or mapped, 1 = read but violates the
                               shapes, 0 = a "must load" entry (a form that looks odd but is fine)
    # ...                      comments: what the defect is
    @path FILE                 the input is FILE inside the entry's folder (default: the folder)
    @generated                 the input is written by the test (GENERATORS below): binary or huge
                               inputs are not committed
    @load                      also run `clkg load` against a store holding valid data, which must
                               be byte-for-byte the same afterwards
    findings.csv               every other line: a text that must appear in the output (the file,
    row 3                      `row N`, the column, the key words of the message); `<entry>` stands
                               for the entry's folder, which is replaced by `<entry>` in the output
                               before matching (so that the folder's name, e.g. "unterminated-quote",
                               never satisfies an expected key word by itself)

Run the command line as a researcher does (`clkg` on the PATH, from a folder that is not the
repository, so the installed package is what runs).
"""

import csv
import datetime
import gc
import io
import os
import re
import shutil
import subprocess
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from support import DATA, HIBBERT, run_clkg

CORPUS = Path(__file__).resolve().parent / "bad_datasets"
MINIMAL = CORPUS / "_minimal"
TIMEOUT = 300  # seconds; the 100,000-row entry must answer well within this


@dataclass(frozen=True)
class Entry:
    name: str
    exit: int
    expected: tuple[str, ...]
    path: str | None = None
    generated: bool = False
    load: bool = False


def _entry(folder: Path) -> Entry:
    lines = (folder / "expected.txt").read_text(encoding="utf-8").splitlines()
    first = re.fullmatch(r"exit:\s*(\d+)", lines[0].strip())
    assert first, f"{folder.name}/expected.txt must start with 'exit: N'"
    path, generated, load, expected = None, False, False, []
    for line in lines[1:]:
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("@path "):
            path = line.removeprefix("@path ").strip()
        elif line.strip() == "@generated":
            generated = True
        elif line.strip() == "@load":
            load = True
        elif line.startswith("@"):
            raise AssertionError(f"{folder.name}/expected.txt: unknown directive {line!r}")
        else:
            expected.append(line)
    return Entry(folder.name, int(first[1]), tuple(expected), path, generated, load)


ENTRIES = {e.name: e for e in (_entry(d) for d in sorted(CORPUS.iterdir())
                               if d.is_dir() and not d.name.startswith("_"))}


# ---- inputs written by the test ------------------------------------------------------------

def _copy_minimal(root: Path) -> Path:
    shutil.copytree(MINIMAL, root)
    return root


def _utf16(root):
    folder = _copy_minimal(root)
    study = folder / "study.csv"
    study.write_bytes(study.read_text(encoding="utf-8").encode("utf-16"))  # with BOM, little endian here
    assert study.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    return folder


def _bom_crlf(root):
    folder = _copy_minimal(root)
    for path in folder.glob("*.csv"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    return folder


def _nul_byte(root):
    folder = _copy_minimal(root)
    cases = folder / "cases.csv"
    data = cases.read_bytes()
    assert data.count(b"ICT Cluster B") == 1
    cases.write_bytes(data.replace(b"ICT Cluster B", b"ICT Cluster\x00 B"))
    return folder


BAD_ROW = 77_777
ROWS = 100_000


def _rows_100k(root, *, bad_case="metal-z", bad_concepts="slf:dead-souls;slf:participants"):
    """findings.csv with 100,000 rows (the two of _minimal, then generated ones); row 77,777 is bad."""
    folder = _copy_minimal(root)
    findings = folder / "findings.csv"
    text = findings.read_text(encoding="utf-8")
    assert text.count("\n") == 3  # header and two rows: rows 2 and 3
    with findings.open("a", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        for row in range(4, ROWS + 2):
            good = ("metal-a" if row % 2 else "ict-b", "slf:dead-souls;slf:participants")
            case, concepts = (bad_case or good[0], bad_concepts) if row == BAD_ROW else good
            writer.writerow([f"f-row-{row}", f"Generated finding number {row}, for the size test.",
                             concepts, case, f"Table {row % 7 + 1}", ""])
    with findings.open(encoding="utf-8", newline="") as check:
        assert sum(1 for _ in csv.reader(check)) == ROWS + 1
    return folder


def _as_cell(text: str):
    """A CSV cell as Excel would hold it: numbers as numbers, booleans as booleans."""
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    if text in ("true", "false"):
        return text == "true"
    return text or None


def _workbook(root, edit=None) -> Path:
    """_minimal as ROOT/workbook.xlsx, one sheet per table."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for path in sorted(MINIMAL.glob("*.csv")):
        sheet = book.create_sheet(path.stem)
        with path.open(encoding="utf-8", newline="") as f:
            for number, cells in enumerate(csv.reader(f)):
                sheet.append(cells if number == 0 else [_as_cell(c) for c in cells])
    if edit:
        edit(book)
    root.mkdir()
    out = root / "workbook.xlsx"
    book.save(out)
    return out


def _founded_as_date(book):
    sheet = book["cases"]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("founded") + 1)
    assert cell.value == 2008
    cell.value = datetime.datetime(2008, 5, 1)
    cell.number_format = "yyyy-mm-dd"


def _workbook_parts(root, rewrite) -> Path:
    """_minimal as a workbook (see _workbook) whose zip members are rewritten: rewrite(name, data) -> data."""
    out = _workbook(root)
    with zipfile.ZipFile(out) as original:
        members = [(m.filename, original.read(m)) for m in original.infolist()]
    assert b"case_id" in dict(members)["xl/worksheets/sheet1.xml"]  # sheet1 is cases, sheet2 findings
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as rewritten:
        for name, data in members:
            rewritten.writestr(name, rewrite(name, data))
    return out


def _in_part(part: str, edit):
    """A rewrite for _workbook_parts that edits one member and checks that the edit changed it."""
    def rewrite(name, data):
        if name != part:
            return data
        edited = edit(data)
        assert edited != data, f"the edit of {part} changed nothing"
        return edited
    return rewrite


LAUGHS = ("<!DOCTYPE {root} [<!ENTITY lol \"lol\">"
          + "".join(f"<!ENTITY lol{i} \"{('&lol%s;' % (i - 1 or '')) * 10}\">" for i in range(1, 10)) + "]>")


def _zip_bomb(root):
    """A workbook with one more member of 200 MB of zeros, which deflates to about 200 KB."""
    out = _workbook(root)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as book, book.open("xl/media/padding.bin", "w") as pad:
        for _ in range(200):
            pad.write(bytes(1 << 20))
    assert out.stat().st_size < 2 << 20
    return out


def _set_cell(sheet_name: str, row: int, column: str, value):
    def edit(book):
        sheet = book[sheet_name]
        header = [c.value for c in sheet[1]]
        sheet.cell(row=row, column=header.index(column) + 1).value = value
    return edit


def _add_sheet(book):
    book.create_sheet("propositions ").append(["proposition_id", "label", "statement"])


def _edit_csv(table: str, edit):
    """A generator: _minimal with the text of one table edited (and checked to be changed)."""
    def generate(root):
        folder = _copy_minimal(root)
        path = folder / f"{table}.csv"
        text = path.read_text(encoding="utf-8")
        edited = edit(text)
        assert edited != text
        path.write_text(edited, encoding="utf-8", newline="")
        return folder
    return generate


def _replace_table(table: str, make):
    """A generator: _minimal with one table file replaced by ``make(path)`` (a FIFO, a link …)."""
    def generate(root):
        folder = _copy_minimal(root)
        path = folder / f"{table}.csv"
        path.unlink()
        make(path)
        return folder
    return generate


def _sparse(size: int):
    def make(path):
        with path.open("wb") as f:
            f.truncate(size)  # a sparse file: its size is on record, no block is written
    return make


def _wide_header(extra: int):
    return lambda text: text.replace("\n", "".join(f",extra-{i}" for i in range(1, extra + 1)) + "\n", 1)


def _rename(table: str, name: str):
    def generate(root):
        folder = _copy_minimal(root)
        (folder / f"{table}.csv").rename(folder / name)
        return folder
    return generate


def _rdf(root, extra: str = "", *, without: str | None = None) -> Path:
    """_minimal as one Turtle file, as clkg reads it (so the same triples) but those of the
    predicate ``without``, then ``extra``."""
    from pyoxigraph import RdfFormat, serialize

    from clkg.loaders import read_dataset
    from clkg.vocabulary import prefixes

    triples = [q.triple for q in read_dataset(MINIMAL, prefixes=prefixes()).quads if q.predicate.value != without]
    root.mkdir()
    out = root / "dataset.ttl"
    out.write_bytes(serialize(triples, format=RdfFormat.TURTLE, prefixes=prefixes()) + extra.encode())
    return out


def _written(name: str, text: str):
    """A generator: one file ``name`` holding ``text``."""
    def generate(root):
        root.mkdir()
        (root / name).write_text(text, encoding="utf-8")
        return root / name
    return generate


DEPTH = 100_000
P = "https://w3id.org/clkg/data/minimal/p"
STUDY_IRI = "<https://w3id.org/clkg/data/minimal/study>"
TITLE = "<http://purl.org/dc/terms/title>"

GENERATORS = {
    "utf16-with-bom": _utf16,
    "bom-crlf-excel": _bom_crlf,
    "nul-byte": _nul_byte,
    "rows-100k": _rows_100k,
    "rows-100k-unknown-prefix": lambda root: _rows_100k(root, bad_case=None,
                                                        bad_concepts="sfl:dead-souls;slf:participants"),
    "xlsx-valid": lambda root: _workbook(root),
    "xlsx-wrong-type": lambda root: _workbook(root, _founded_as_date),
    # limits, checked before the expensive work
    "fifo-named-cases-csv": _replace_table("cases", os.mkfifo),
    "symlink-to-dev-zero": _replace_table("cases", lambda path: path.symlink_to("/dev/zero")),
    "symlink-loop": _replace_table("cases", lambda path: path.symlink_to(path.name)),
    "file-over-size-limit": _replace_table("findings", _sparse(33 << 20)),
    "header-million-columns": _edit_csv("cases", _wide_header(1_000_000)),
    "many-unknown-columns": _edit_csv("cases", _wide_header(400)),
    "rows-over-limit": _edit_csv("findings", lambda text: text + "f,A finding.,,,Table 1,\n" * 200_001),
    "cell-over-limit": _edit_csv("cases", lambda text: text.replace("ICT Cluster B", "B" * 100_001)),
    "long-id-cut": _edit_csv("observations", lambda text: text.replace("metal-a-dead-souls,", "o" * 10_000 + " x,")),
    "ansi-escape-in-file-name": _rename("quotations", "\x1b[2Jquotations.csv"),
    "xlsx-zip-bomb": _zip_bomb,
    "xlsx-dimension-whole-sheet": lambda root: _workbook_parts(root, _in_part(
        "xl/worksheets/sheet1.xml", lambda data: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data))),
    "xlsx-entity-bomb": lambda root: _workbook_parts(root, _in_part(
        "xl/worksheets/sheet1.xml", lambda data: LAUGHS.format(root="worksheet").encode()
        + data.replace(b"Metal Cluster A", b"&lol9;"))),
    "xlsx-external-entity": lambda root: _workbook_parts(root, _in_part(
        "xl/worksheets/sheet2.xml", lambda data: b'<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + data.replace(b"f1", b"&x;", 1))),
    "xlsx-malformed-sheet-xml": lambda root: _workbook_parts(root, _in_part(
        "xl/worksheets/sheet2.xml", lambda data: data[: len(data) // 2])),
    # nothing ignored silently, nothing ill-typed
    "xlsx-formula-without-value": lambda root: _workbook(root, _set_cell("cases", 2, "name", "=1+1")),
    "xlsx-sheet-names-collide": lambda root: _workbook(root, _add_sheet),
    "xlsx-number-1e30": lambda root: _workbook(root, _set_cell("cases", 2, "member_count", 1e30)),
    # an RDF dataset speaks only of itself
    "rdf-valid": _rdf,
    "rdf-foreign-statements": lambda root: _rdf(root, "\n".join([
        f'<https://w3id.org/clkg/data/hibbert-2010/study> {TITLE} "PWNED" .',
        '<https://w3id.org/clkg/scheme/social-learning/dead-souls> '
        '<http://www.w3.org/2004/02/skos/core#prefLabel> "PWNED" .',
        "<https://w3id.org/clkg/ontology#Study> <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
        "<http://www.w3.org/2002/07/owl#Nothing> .",
        f"{STUDY_IRI} <http://www.w3.org/2002/07/owl#sameAs> <https://w3id.org/clkg/data/hibbert-2010/study> .",
        "<https://w3id.org/clkg/data/minimal/case/metal-a> a <http://www.w3.org/2002/07/owl#Class> .",
        ""])),
    "rdf-star-triple": lambda root: _rdf(root, f'{STUDY_IRI} {TITLE} <<( {STUDY_IRI} {TITLE} "x" )>> .\n'),
    "rdf-ill-typed-literal": lambda root: _rdf(root, "<https://w3id.org/clkg/data/minimal/case/metal-a> "
                                               "<https://w3id.org/clkg/ontology#founded> "
                                               '"20x8"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'),
    "rdf-membership-without-member": lambda root: _rdf(root, without="http://www.w3.org/ns/org#member"),
    "rdf-json-ld-deep-nesting": _written("dataset.jsonld", '{"@id": "https://w3id.org/clkg/data/minimal/study", '
                                         f'"{P}": ' + f'{{"{P}": ' * 5000 + "1" + "}" * 5001),
    "rdf-xml-deep-nesting": _written("dataset.rdf", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                                     'xmlns:d="https://w3id.org/clkg/data/minimal/">' + "<rdf:Description><d:p>" * DEPTH
                                     + "</d:p></rdf:Description>" * DEPTH + "</rdf:RDF>"),
    "rdf-invalid-iri": lambda root: _rdf(root, f"{STUDY_IRI} <http://purl.org/dc/terms/relation> <http://a b> .\n"),
}


def _input(entry: Entry, tmp_path: Path) -> tuple[Path, Path]:
    """(the entry's folder, the path to give clkg): the corpus folder, or one written in tmp_path."""
    if entry.generated:
        root = tmp_path / entry.name
        return root, GENERATORS[entry.name](root)
    root = CORPUS / entry.name
    return root, root / entry.path if entry.path else root


def _named_input(path: Path, tmp_path: Path) -> Path:
    """The input copied to a folder (or file) named after its study, as `clkg load` requires; an
    input that does not exist stays as it is."""
    if not path.exists():
        return path
    target = tmp_path / "named" / ("minimal" + (path.suffix if path.is_file() else ""))
    target.parent.mkdir(parents=True, exist_ok=True)
    (shutil.copytree if path.is_dir() else shutil.copyfile)(path, target)
    return target


def _check_output(entry: Entry, root: Path, result, *, given: tuple[Path, Path] | None = None) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    if given:  # messages name the copy clkg was given: read them as naming the entry
        output = output.replace(str(given[1]), str(given[0]))
    output = output.replace(str(root), "<entry>")
    missing = [text for text in entry.expected if text not in output]
    assert result.returncode == entry.exit and not missing, (
        f"{entry.name}: expected exit {entry.exit} and the texts {list(entry.expected)}\n"
        f"got exit {result.returncode}, missing {missing}; the output was:\n{output}")


# ---- the corpus itself -----------------------------------------------------------------------

def test_corpus_is_large_and_every_entry_is_specific():
    """At least 40 bad datasets, and no two of them are satisfied by the same texts.

    The "must load" entries (exit 0) all expect "<entry>: conforms": they have no message to
    be specific about, so they are left out of the comparison.
    """
    bad = [e for e in ENTRIES.values() if e.exit != 0]
    assert len(bad) >= 40, f"only {len(bad)} bad datasets"
    for entry in ENTRIES.values():
        assert entry.expected, f"{entry.name}: expected.txt names no text to find"
        assert entry.exit in (0, 1, 2), entry.name
    seen = {}
    for entry in bad:
        key = frozenset(entry.expected)
        assert key not in seen, f"{entry.name} and {seen[key]} expect the same texts: not specific"
        seen[key] = entry.name


def test_generated_entries_have_generators():
    assert {e.name for e in ENTRIES.values() if e.generated} == set(GENERATORS)


def test_minimal_dataset_is_valid(tmp_path):
    result = run_clkg("validate", MINIMAL, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "_minimal: conforms" in result.stdout


@pytest.mark.parametrize("name", ENTRIES)
def test_validate_reports_the_defect(name, tmp_path):
    entry = ENTRIES[name]
    root, path = _input(entry, tmp_path)
    started = time.perf_counter()
    result = run_clkg_timed("validate", path, cwd=tmp_path)
    seconds = time.perf_counter() - started
    if name.startswith("rows-100k"):
        print(f"\nclkg validate on {ROWS:,} findings rows ({name}): {seconds:.1f} s")
    _check_output(entry, root, result)


def run_clkg_timed(*args, cwd):
    """`clkg ARGS…` as support.run_clkg runs it, but failing the test instead of hanging."""
    try:
        return subprocess.run(["clkg", *map(str, args)], capture_output=True, text=True, cwd=cwd,
                              timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"clkg {' '.join(map(str, args))} did not answer within {TIMEOUT} s")


# ---- load: a bad dataset never changes the store ----------------------------------------------

def _dump(store_path: Path) -> list[bytes]:
    """The store's quads as sorted N-Quads lines; the handle is dropped before returning."""
    from pyoxigraph import RdfFormat, Store

    store = Store(str(store_path))
    try:
        out = io.BytesIO()
        store.dump(out, format=RdfFormat.N_QUADS)
    finally:
        del store
        gc.collect()
    return sorted(out.getvalue().splitlines())


@pytest.fixture(scope="module")
def good_store(tmp_path_factory):
    """A store holding _minimal (the study every bad dataset would overwrite) and a seed study."""
    folder = tmp_path_factory.mktemp("good")
    path = folder / "store"
    for data in (_named_input(MINIMAL, folder), DATA / HIBBERT):
        result = run_clkg("--store", f"oxigraph:{path}", "load", data, cwd=folder)
        assert result.returncode == 0, result.stdout + result.stderr
    quads = _dump(path)
    assert any(b"/graph/minimal>" in q for q in quads) and any(HIBBERT.encode() in q for q in quads)
    return path


@pytest.fixture(scope="module")
def minimal_triples(tmp_path_factory):
    folder = tmp_path_factory.mktemp("minimal")
    result = run_clkg("--store", f"oxigraph:{folder / 'store'}", "load", _named_input(MINIMAL, folder), cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    return int(re.search(r": (\d+) triples", result.stdout)[1])


@pytest.mark.parametrize("name", [n for n, e in ENTRIES.items() if e.load])
def test_load_reports_the_defect_and_leaves_the_store_untouched(name, good_store, tmp_path):
    entry = ENTRIES[name]
    root, path = _input(entry, tmp_path)
    store = tmp_path / "store"
    shutil.copytree(good_store, store)  # each test its own copy: a load that fails the test harms no other
    before = _dump(store)
    named = _named_input(path, tmp_path)
    # --replace: the entry stands in for _minimal, which the store holds from another folder
    result = run_clkg_timed("--store", f"oxigraph:{store}", "load", named, "--replace", cwd=tmp_path)
    after = _dump(store)
    changed = sorted(set(before) ^ set(after))
    assert not changed, (f"{name}: `clkg load` exited {result.returncode} and the store changed "
                         f"({len(before)} quads before, {len(after)} after), e.g. {changed[:3]}\n"
                         + result.stdout + result.stderr)
    assert after == before  # the same quads, the same number of times
    _check_output(entry, root, result, given=(path, named))
    assert "loaded" not in result.stdout, result.stdout


@pytest.mark.parametrize("name", [n for n, e in ENTRIES.items() if e.exit == 0])
def test_must_load_entries_load_completely(name, minimal_triples, tmp_path):
    """The odd-looking but valid forms give exactly the triples of _minimal, nothing lost."""
    entry = ENTRIES[name]
    _, path = _input(entry, tmp_path)
    result = run_clkg_timed("--store", f"oxigraph:{tmp_path / 'store'}", "load", _named_input(path, tmp_path),
                            cwd=tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stdout + result.stderr
    assert f": {minimal_triples} triples" in result.stdout, result.stdout
