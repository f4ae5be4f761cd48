"""A load that would write what the store holds already is skipped (clkg.fingerprint), and any
change to what it depends on makes it load again."""

import csv
import shutil

import pytest

from clkg.fingerprint import load_fingerprint, recorded
from clkg.loaders import Limits
from clkg.pipeline import load
from clkg.store import open_store
from support import DATA, STUDIES

GRAPH = "https://w3id.org/clkg/graph/"


@pytest.fixture
def folders(tmp_path):
    """Copies of two seed studies (the first two, whatever they are)."""
    copies = [tmp_path / "data" / study for study in STUDIES[:2]]
    for study, copy in zip(STUDIES, copies):
        shutil.copytree(DATA / study, copy)
    return copies


def _edit_first_cell(folder, table: str, column: str, value: str) -> None:
    path = folder / table
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[0][column] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_an_unchanged_load_is_skipped_and_a_changed_file_loads_again(tmp_path, folders):
    first = folders[0]
    with open_store(f"oxigraph:{tmp_path / 'store'}") as store:
        report = load(store, [first])
        assert report.validations and not report.unchanged
        fingerprint = recorded(store)[GRAPH + first.name]
        assert fingerprint.startswith("sha256:")

        again = load(store, [first])
        assert again.unchanged == [str(first)] and not again.graphs and not again.validations

        forced = load(store, [first], force=True)
        assert forced.validations and forced.graphs and recorded(store)[GRAPH + first.name] == fingerprint

        _edit_first_cell(first, "study.csv", "title", "A title changed since the last load")
        changed = load(store, [first])
        assert changed.validations and not changed.unchanged
        assert recorded(store)[GRAPH + first.name] != fingerprint
        _, rows = store.select(f"SELECT ?t WHERE {{ GRAPH <{GRAPH}{first.name}> {{ ?s <http://purl.org/dc/terms/title> ?t }} }}")
        assert [r[0].value for r in rows] == ["A title changed since the last load"]


def test_another_study_loaded_meanwhile_makes_the_load_run_again(tmp_path, folders):
    first, second = folders
    with open_store(f"oxigraph:{tmp_path / 'store'}") as store:
        load(store, [first])
        load(store, [second])  # its concepts are what the first is validated with, from now on
        assert not load(store, [first]).unchanged
        assert load(store, [first]).unchanged == [str(first)]
        assert not load(store, [first, second]).unchanged  # another load: they are read with each other
        assert load(store, [first, second]).unchanged == [str(first), str(second)]


def test_the_fingerprint_covers_every_file_reason_and_the_other_studies(tmp_path, folders):
    first = folders[0]
    limits = Limits()

    def fingerprint(**changes):
        arguments = dict(graphs=[GRAPH + first.name], store_fingerprints={}, reason=False, limits=limits)
        return load_fingerprint([first], **{**arguments, **changes})

    plain = fingerprint()
    assert fingerprint() == plain
    assert fingerprint(reason=True) != plain
    assert fingerprint(store_fingerprints={GRAPH + "other": "sha256:1"}) != plain
    assert fingerprint(store_fingerprints={GRAPH + first.name: "sha256:1"}) == plain  # its own old graph
    (first / "notes.txt").write_text("a file the reader ignores still counts\n", encoding="utf-8")
    with_notes = fingerprint()
    assert with_notes != plain
    (first / "notes.txt").unlink()
    moved = tmp_path / "elsewhere" / first.name
    shutil.copytree(first, moved)
    assert load_fingerprint([moved], graphs=[GRAPH + first.name], store_fingerprints={}, reason=False,
                            limits=limits) != plain  # the source a graph records is part of it
    assert fingerprint(limits=Limits(file_mb=0.001)) is None  # a file the reader would refuse: no fingerprint


def test_the_code_that_loads_is_covered_and_the_web_app_is_not(monkeypatch):
    """A change to any of clkg's modules makes every load run again, except a change to clkg serve's
    (clkg.web), which never writes a store."""
    from pathlib import Path

    import clkg
    from clkg.fingerprint import software

    software = software.__wrapped__  # (computed once per process otherwise)
    before, read = software(), Path.read_bytes
    root = Path(clkg.__file__).parent

    def changed(under: Path):
        return lambda path: read(path) + (b"# changed" if path.is_relative_to(under) else b"")

    monkeypatch.setattr(Path, "read_bytes", changed(root / "web"))
    assert software() == before
    monkeypatch.setattr(Path, "read_bytes", changed(root / "validation.py"))
    assert software() != before
