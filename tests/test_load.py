"""`clkg load`: only a conforming dataset goes in, its graph replaced in one transaction.

A rejected load and a load interrupted mid-write (Ctrl-C, a killed process) leave the store
exactly as it was.
"""

import csv
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pyoxigraph
import pytest

from support import DATA, SL, cli_built_store, run_clkg


def dump(store_path) -> set[str]:
    """Every quad of an on-disk store, as N-Quads lines (the store is closed again after)."""
    store = pyoxigraph.Store(str(store_path))
    lines = set(pyoxigraph.serialize(store, format=pyoxigraph.RdfFormat.N_QUADS).decode().splitlines())
    del store
    return lines


@pytest.fixture
def store_path(tmp_path):
    return cli_built_store(tmp_path / "store")


def edited_copy(tmp_path, table: str, edit) -> Path:
    """A copy of the SL seed dataset with one table's rows edited by a function."""
    folder = tmp_path / "copy" / SL  # named after its study, as load requires
    shutil.copytree(DATA / SL, folder)
    path = folder / f"{table}.csv"
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows = edit(rows)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


def test_load_replaces_the_studys_graph_only(store_path, tmp_path):
    def rename(rows):
        rows[0]["name"] = "Metal Cluster A (renamed)"
        return rows
    before = dump(store_path)
    result = run_clkg("--store", f"oxigraph:{store_path}", "load", edited_copy(tmp_path, "cases", rename), "--replace")
    assert result.returncode == 0, result.stderr
    after = dump(store_path)
    graph = f"<https://w3id.org/clkg/graph/{SL}>"
    assert any('"Metal Cluster A (renamed)"' in line for line in after)
    assert not any('"Metal Cluster A"' in line and line.endswith(f"{graph} .") for line in after)
    others = lambda lines: {line for line in lines if not line.endswith(f"{graph} .")}
    assert others(after) == others(before)  # the ontology and the other study are untouched
    assert len(after) == len(before)  # replaced, not added to


def test_rejected_load_leaves_store_unchanged(store_path, tmp_path):
    def unknown_concept(rows):
        rows[0]["concept"] = "slf:dead-sols"
        return rows
    before = dump(store_path)
    result = run_clkg("--store", f"oxigraph:{store_path}", "load", edited_copy(tmp_path, "observations", unknown_concept), "--replace")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "observations.csv, row 2, column 'concept'" in result.stderr
    assert "not loaded: the store is unchanged" in result.stderr
    assert dump(store_path) == before


#: The big dataset passes the default limits of file size and cell length: raised for it.
BIG_LIMITS = {**os.environ, "CLKG_MAX_FILE_MB": "64", "CLKG_MAX_CELL_CHARS": "10000000"}


def big_dataset(tmp_path, *, new_graph: bool) -> Path:
    """The SL dataset with 60 extra quotations of ~0.7 MB each: cheap to validate, slow to write.

    With ``new_graph`` its study id is new, so the load adds a graph instead of replacing one
    (the store writes the two cases differently)."""
    def padded(rows):
        extra = []
        for i in range(60):
            row = dict(rows[i % len(rows)], quotation_id=f"long-{i}", supports="")
            row["text"] = " ".join([row["text"]] * 3000)
            extra.append(row)
        return rows + extra
    folder = edited_copy(tmp_path, "quotations", padded)
    if new_graph:
        study = (folder / "study.csv").read_text(encoding="utf-8")
        (folder / "study.csv").write_text(study.replace(f"\n{SL},", f"\n{SL}-copy,", 1), encoding="utf-8")
        folder = folder.rename(folder.with_name(f"{SL}-copy"))  # named after its study
    return folder


def interrupted_load(store_path, dataset, sig, delay: float, *options) -> subprocess.Popen:
    """`clkg load` of the dataset, sent ``sig`` ``delay`` seconds after its write has started; ended."""
    process = subprocess.Popen(["clkg", "--store", f"oxigraph:{store_path}", "load", str(dataset), *options],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=BIG_LIMITS)
    for line in process.stderr:  # wait until the write has started
        if line.startswith("writing "):
            break
    time.sleep(delay)
    process.send_signal(sig)
    process.wait(timeout=120)
    return process


@pytest.mark.parametrize("sig, delay", [(signal.SIGKILL, 0.0), (signal.SIGKILL, 0.3), (signal.SIGKILL, 0.8),
                                        (signal.SIGKILL, 1.5), (signal.SIGINT, 0.2)])
def test_interrupted_first_load_leaves_no_store(tmp_path, sig, delay):
    """The first load into an empty store is a bulk load, not a transaction: killed, it leaves a
    store that reads as missing and is emptied by the next load, which then writes all of it."""
    dataset = big_dataset(tmp_path, new_graph=False)
    completed, store_path = tmp_path / "completed", tmp_path / "store"
    assert run_clkg("--store", f"oxigraph:{completed}", "load", dataset, env=BIG_LIMITS).returncode == 0
    after = _shape(dump(completed))  # the ontology's blank nodes are new in each process

    process = interrupted_load(store_path, dataset, sig, delay)
    assert "Traceback" not in process.stderr.read()
    read = run_clkg("--store", f"oxigraph:{store_path}", "query", "involvement-ladder")
    if "loaded" in process.stdout.read():  # it said so: then the write is whole
        assert read.returncode == 0 and _shape(dump(store_path)) == after
        return
    if read.returncode == 0:  # killed after the write was whole, before it said so
        assert _shape(dump(store_path)) == after
    else:  # as it was: no store, or an empty one
        assert re.search("no clkg store at|holds no clkg ontology", read.stderr), read.stderr
    assert run_clkg("--store", f"oxigraph:{store_path}", "load", dataset, env=BIG_LIMITS).returncode == 0
    assert _shape(dump(store_path)) == after


def _shape(lines: set[str]):
    """N-Quads lines with every blank node label the same, counted."""
    from collections import Counter

    return Counter(re.sub(r"_:\w+", "_:b", line) for line in lines)


@pytest.mark.parametrize("new_graph", [False, True], ids=["replacing a graph", "adding a graph"])
@pytest.mark.parametrize("sig, delay", [(signal.SIGKILL, 0.0), (signal.SIGKILL, 0.3),
                                        (signal.SIGKILL, 0.8), (signal.SIGINT, 0.2)])
def test_interrupted_load_leaves_store_whole(store_path, tmp_path, sig, delay, new_graph):
    dataset = big_dataset(tmp_path, new_graph=new_graph)
    completed = tmp_path / "completed"
    shutil.copytree(store_path, completed)
    assert run_clkg("--store", f"oxigraph:{completed}", "load", dataset, "--replace", env=BIG_LIMITS).returncode == 0
    before, after = dump(store_path), dump(completed)
    assert before != after
    assert any(line.endswith(f"<https://w3id.org/clkg/graph/{SL}-copy> .") for line in after) == new_graph

    process = interrupted_load(store_path, dataset, sig, delay, "--replace")
    state = dump(store_path)
    assert state in (before, after), "the store holds a half-written graph"
    if "loaded" in process.stdout.read():  # it said so: then the write has committed
        assert state == after
    assert "Traceback" not in process.stderr.read()
