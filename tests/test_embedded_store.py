"""The embedded store's locking (clkg.store.oxigraph): what one process and several may do at once.

Other processes are real ones (``python -c``), since RocksDB's lock is per process. A reader that
opens a store while another process writes runs with its address space capped (RLIMIT_AS): opened
unguarded, pyoxigraph has allocated memory until the kernel killed it, and a test must not take
the machine down with it.
"""

import os
import subprocess
import sys
import textwrap
import time

import pyoxigraph
import pytest
from pyoxigraph import Literal, NamedNode, Quad

from clkg.errors import StoreLocked, StoreMissing, UsageError
from clkg.store import open_store

GRAPH = "https://w3id.org/clkg/graph/"


def _quads(n: int, value: str = "v"):
    return [Quad(NamedNode(f"https://example.org/s{i}"), NamedNode("https://example.org/p"), Literal(value))
            for i in range(n)]


def _python(code: str, *args, env=None, limit_memory=False) -> subprocess.Popen:
    """Run ``code`` in another Python process (stdout a pipe, one line per event)."""
    def cap():  # 4 GB of address space: a runaway allocation fails instead of exhausting the machine
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *map(str, args)], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})},
                            preexec_fn=cap if limit_memory else None)


HOLD = """
    import sys, time
    from clkg.store import open_store
    store = open_store("oxigraph:" + sys.argv[1])
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    store.close()
"""


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "store"
    with open_store(f"oxigraph:{path}") as store:
        store.replace_graphs({GRAPH + "a": _quads(3)})
    return path


def test_a_store_another_process_holds_is_locked_after_the_timeout(path, monkeypatch):
    holder = _python(HOLD, path, 60)
    try:
        assert holder.stdout.readline().strip() == "holding", holder.stderr.read()
        monkeypatch.setenv("CLKG_LOCK_TIMEOUT", "1")
        started = time.monotonic()
        with pytest.raises(StoreLocked, match="another process holds the store") as caught:
            open_store(f"oxigraph:{path}")
        assert 1 <= time.monotonic() - started < 10
        assert f"process {holder.pid}: -c {path} 60" in str(caught.value)  # the holder, by its command line
        assert "notebook" in str(caught.value)
        with open_store(f"oxigraph:{path}", read_only=True) as reader:  # reading is possible meanwhile
            assert reader.graph_sizes() == {GRAPH + "a": 3}
    finally:
        holder.kill()
        holder.wait()


def test_a_writable_open_waits_until_the_other_process_lets_go(path, monkeypatch):
    holder = _python(HOLD, path, 1.5)
    try:
        assert holder.stdout.readline().strip() == "holding", holder.stderr.read()
        monkeypatch.setenv("CLKG_LOCK_TIMEOUT", "30")
        started = time.monotonic()
        with open_store(f"oxigraph:{path}") as store:
            assert time.monotonic() - started >= 0.5
            store.replace_graphs({GRAPH + "b": _quads(2)})
            assert store.graph_sizes() == {GRAPH + "a": 3, GRAPH + "b": 2}
    finally:
        holder.wait(timeout=30)
    assert holder.returncode == 0, holder.stderr.read()


def test_one_process_opening_a_store_twice_shares_it(path):
    first = open_store(f"oxigraph:{path}")
    second = open_store(f"oxigraph:{path}")
    reader = open_store(f"oxigraph:{path}", read_only=True)
    first.replace_graphs({GRAPH + "b": _quads(1)})
    assert second.graph_sizes() == reader.graph_sizes() == {GRAPH + "a": 3, GRAPH + "b": 1}
    first.close()
    second.replace_graphs({GRAPH + "a": _quads(1)})  # still open: the last close releases it
    with pytest.raises(UsageError, match="read-only"):
        reader.replace_graphs({GRAPH + "a": []})
    second.close()
    assert reader.graph_sizes() == {GRAPH + "a": 1, GRAPH + "b": 1}
    reader.close()
    other = _python("import sys, pyoxigraph; print(len(pyoxigraph.Store(sys.argv[1])))", path)
    assert other.communicate(timeout=60)[0].strip() == "2"


def test_a_store_this_process_opened_outside_clkg_is_refused_clearly(path):
    native = pyoxigraph.Store(str(path))
    try:
        with pytest.raises(StoreLocked, match="this process already has the store"):
            open_store(f"oxigraph:{path}")
    finally:
        del native


WRITER = """
    import sys, time
    from pyoxigraph import Literal, NamedNode, Quad
    from clkg.store import open_store
    store = open_store("oxigraph:" + sys.argv[1])
    print("writing", flush=True)
    deadline, i = time.monotonic() + float(sys.argv[2]), 0
    while time.monotonic() < deadline:
        i += 1
        size = 200 * (i % 5 + 1)  # every write gives all three graphs the same size
        store.replace_graphs({f"https://w3id.org/clkg/graph/g{g}": [
            Quad(NamedNode(f"https://example.org/s{i}-{n}"), NamedNode("https://example.org/p"), Literal(str(n)))
            for n in range(size)] for g in range(3)})
    store.close()
    print(i, flush=True)
"""

READER = """
    import sys, time
    from clkg.store import open_store
    deadline, opened, seen = time.monotonic() + float(sys.argv[2]), 0, set()
    while time.monotonic() < deadline:
        with open_store("oxigraph:" + sys.argv[1], read_only=True) as store:
            opened += 1
            sizes = store.graph_sizes()
            for _ in range(3):  # an open store keeps answering while the writer goes on
                assert store.graph_sizes() == sizes, (sizes, store.graph_sizes())
            seen.add(tuple(sorted(sizes.values())))
    print(opened, sorted(seen), flush=True)
"""


def test_read_only_opens_while_another_process_writes(tmp_path):
    path = tmp_path / "store"
    writer = _python(WRITER, path, 8, limit_memory=True)
    try:
        assert writer.stdout.readline().strip() == "writing", writer.stderr.read()
        reader = _python(READER, path, 6, limit_memory=True)
        out, err = reader.communicate(timeout=120)
        assert reader.returncode == 0, err
        opened, seen = out.split(" ", 1)
        states = eval(seen)  # sorted tuples of graph sizes: each a whole write, never half of one
        assert int(opened) >= 5 and len(states) >= 2, (opened, states)  # opened between different writes
        assert all(s == () or (len(s) == 3 and len(set(s)) == 1) for s in states), states  # () before the first
    finally:
        out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert int(out.strip()) >= 5  # the writer really went on writing


def test_read_only_creates_nothing(tmp_path):
    (tmp_path / "empty").mkdir()
    for path in (tmp_path / "missing", tmp_path / "empty"):
        with pytest.raises(StoreMissing, match="run `clkg build` or `clkg load` first"):
            open_store(f"oxigraph:{path}", read_only=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]
    assert not any((tmp_path / "empty").iterdir())


@pytest.mark.parametrize("value", ["soon", "-1", "nan"])
def test_a_bad_lock_timeout_is_a_usage_error(tmp_path, monkeypatch, value):
    monkeypatch.setenv("CLKG_LOCK_TIMEOUT", value)
    with pytest.raises(UsageError, match="CLKG_LOCK_TIMEOUT"):
        open_store(f"oxigraph:{tmp_path / 'store'}")


def test_a_query_without_room_for_a_values_block_is_bound_by_substitution(tmp_path):
    """DESCRIBE ?x without WHERE, and a BIND that assigns the bound variable: the embedded store
    binds these with pyoxigraph's own substitutions (servers refuse them)."""
    from pyoxigraph import Literal, NamedNode, Quad, Variable

    from clkg.store import open_store

    graph, subject = NamedNode("https://w3id.org/clkg/graph/t"), NamedNode("https://example.org/a")
    with open_store(f"oxigraph:{tmp_path / 'store'}") as store:
        store.replace_graphs({graph.value: [Quad(subject, NamedNode("https://example.org/label"), Literal("A"), graph)]})
        described = list(store.query("DESCRIBE ?x", substitutions={Variable("x"): subject}))
        assert [t.object for t in described] == [Literal("A")]
        _, rows = store.select("SELECT ?x ?l WHERE { ?s <https://example.org/label> ?l BIND(?s AS ?x) }",
                               substitutions={Variable("x"): subject})
        assert rows == [(subject, Literal("A"))]


def test_a_first_write_killed_midway_is_undone_by_the_next_writer(tmp_path):
    """What a killed bulk load into an empty store leaves (some quads and the marker) reads as no
    store, and the next writable open empties it: the store is as it was before that load."""
    from clkg.store.oxigraph import INCOMPLETE

    path = tmp_path / "store"
    native = pyoxigraph.Store(str(path))
    native.bulk_extend([Quad(q.subject, q.predicate, q.object, NamedNode(GRAPH + "half")) for q in _quads(50)])
    native.flush()
    del native
    (path / INCOMPLETE).touch()
    (path / "notes.txt").write_text("a file of the user's, not the store's")
    with pytest.raises(StoreMissing, match="first load was interrupted"):
        open_store(f"oxigraph:{path}", read_only=True)
    with open_store(f"oxigraph:{path}") as store:
        assert store.graph_sizes() == {}
        assert not (path / INCOMPLETE).exists() and (path / "notes.txt").is_file()
        store.replace_graphs({GRAPH + "a": _quads(3)})
    with open_store(f"oxigraph:{path}", read_only=True) as store:
        assert store.graph_sizes() == {GRAPH + "a": 3}


def test_a_failed_first_write_leaves_an_empty_store_and_no_marker(tmp_path):
    from clkg.store.oxigraph import INCOMPLETE

    def failing():
        yield from _quads(5)
        raise ValueError("a bad quad")

    path = tmp_path / "store"
    with open_store(f"oxigraph:{path}") as store:
        with pytest.raises(ValueError, match="a bad quad"):
            store.replace_graphs({GRAPH + "a": failing()})
        assert store.graph_sizes() == {} and not (path / INCOMPLETE).exists()
