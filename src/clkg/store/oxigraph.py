"""The embedded store: pyoxigraph (RocksDB) in a folder on disk, ``oxigraph:PATH``.

What pyoxigraph 0.5 allows, measured with 0.5.13 on Linux (tests/test_embedded_store.py checks
the parts clkg relies on):

- One process at a time opens a folder for writing (RocksDB's ``LOCK`` file). Another process that
  tries gets ``IO error: While lock file: PATH/LOCK: Resource temporarily unavailable``; the same
  process trying again gets ``lock hold by current process``. So a writable open waits for the
  lock ($CLKG_LOCK_TIMEOUT seconds, default 30, polling) and then raises ``StoreLocked``; and
  within one process the folders opened for writing are kept by resolved path and shared: opening
  one again (writable or read-only) gives a store on the same connection, and the last
  :meth:`OxigraphStore.close` releases it.
- ``Store.read_only`` takes no lock: it opens while another process holds the folder, and sees the
  store as it was at that moment (later writes appear when it is opened again). It creates nothing,
  and fails on a missing folder. Opened *while another process writes*, it is unsafe (pyoxigraph
  calls it undefined behaviour): opened again and again beside a plain pyoxigraph writer (DROP,
  extend of 5,000 quads, flush, back to back) it failed within seconds with ``Corruption: … No such
  file … MANIFEST may be corrupted`` and then allocated memory until the kernel killed it (24 GB).
  So clkg's writers hold an exclusive ``flock`` on ``PATH/clkg-write.lock`` while pyoxigraph writes
  (opening, the update or extend with its flush, closing), read-only opens take it shared for the
  moment of opening, and they retry (up to 20 times) when background compaction, which goes on after
  a write, removed a file under them. With that, read-only opens beside a clkg writer always
  succeeded and saw whole writes; beside clkg's own writer the memory blow-up did not recur even
  without the lock, so the lock is a precaution based on the plain writer's failures. A read-only
  store, once open, kept answering while another process wrote. A reader waits while a write goes
  on (a long ``clkg load``: up to $CLKG_LOCK_TIMEOUT, then ``StoreLocked``). Programs other than
  clkg take no such lock: do not open a store read-only while they write to it.

Seeing later writes. A read-only store keeps its snapshot; :meth:`OxigraphStore.refresh` opens it
again when a write has completed since. clkg's writers mark each completed write (after its flush,
still holding the lock) by setting the modification time of ``PATH/clkg-write.lock`` to the current
time in nanoseconds, later than the mark before; a reader compares that file's ``stat`` (inode,
mtime, ctime, size) with what it was when the reader opened, which costs one ``stat`` call. The
mark writes no data (it is the lock file's metadata); if setting it fails, the write stands and
readers see it when they next open the store. A writer opening the store (which rewrites the lock file's text) also changes it: the
reader then opens again needlessly, which is harmless.

Writing. A write into a store that holds no quad at all (the first ``clkg build`` or ``clkg load``)
goes through pyoxigraph's bulk loader: it holds no transaction in memory (for the 1.4M quads of
330 synthetic studies the transaction took 2.4 GB beside the quads, the bulk loader 1.1 GB), but
it is not atomic, so ``PATH/clkg-incomplete`` marks it while it goes on: a failure empties the
store again, and after a killed write a read-only open finds no store and the next writable open
empties the folder (but for the lock file) before it opens it. Then the store is compacted
(``optimize``), as queries over the bulk loader's files were 1.3-1.5 times slower. Every other
write is one transaction.
"""

import os
import re
import sys
import time
from collections.abc import Iterable, Mapping
from contextlib import contextmanager, nullcontext
from pathlib import Path

from clkg.errors import StoreError, StoreLocked, StoreMissing, UsageError
from clkg.store import Store
from clkg.store.binding import bind_values, substitutions_checked
from clkg.store.common import GRAPH_SIZES, in_scope, rdf_format, write_rdf

LOCK_FILE = "clkg-write.lock"
#: in a store folder while a bulk load into the empty store goes on (OxigraphStore._first_write)
INCOMPLETE = "clkg-incomplete"
_POLL = 0.1  # seconds between two attempts to open a store another process holds
_POLL_FLOCK = 0.01  # seconds between two attempts to get clkg's write lock (short: a reader gets a turn
                    # between two writes)
_HOLDER_CHARS = 300  # of the holder's command line kept in the lock file
_COMPACTED_RETRIES = 20  # read-only opens that may fail because compaction removed a file meanwhile


class _Connection:
    """One pyoxigraph store and the stores of this process that use it."""

    def __init__(self, native, lock=None, mark=None):
        self.native, self.lock, self.users = native, lock, 1
        self.mark = mark  # of a read-only connection: the write mark when it was opened (_write_mark)


#: The folders this process has open for writing, by resolved path.
_WRITABLE: dict[Path, _Connection] = {}


class OxigraphStore(Store):
    """The embedded store: see :class:`clkg.store.Store` for what it does, the module for locking.

    :raises StoreMissing: ``read_only`` and there is no store at ``location``.
    :raises StoreLocked: another process holds the store for writing, longer than $CLKG_LOCK_TIMEOUT.
    :raises StoreError: the folder cannot be opened as a store.
    """

    def __init__(self, location: str, *, read_only: bool = False):
        self.path = Path(location)
        self.read_only = read_only
        self._key = self.path.resolve()
        shared = _WRITABLE.get(self._key)
        if shared is not None:
            shared.users += 1
            self._connection = shared
        elif read_only:
            self._connection = _read_only_connection(self.path)
        else:
            self._connection = _WRITABLE[self._key] = _Connection(*_open_writable(self.path))

    def __repr__(self) -> str:
        return f"OxigraphStore({str(self.path)!r}{', read_only=True' if self.read_only else ''})"

    @property
    def _native(self):
        if self._connection is None:
            raise UsageError(f"{self!r} is closed: open it again with clkg.store.open_store")
        return self._connection.native

    def query(self, sparql: str, *, substitutions: Mapping | None = None):
        # bound by VALUES blocks as on servers (clkg.store.binding: at 1M triples pyoxigraph's own
        # substitutions made many queries 5-100x slower); by those substitutions only where the text
        # leaves no room for the blocks (DESCRIBE ?x, CONSTRUCT WHERE) or a BIND assigns the variable
        native = self._native
        try:
            if substitutions:
                try:
                    return native.query(bind_values(sparql, substitutions), use_default_graph_as_union=True)
                except (UsageError, SyntaxError):
                    return native.query(sparql, use_default_graph_as_union=True,
                                        substitutions=substitutions_checked(substitutions))
            return native.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as err:
            raise UsageError(f"not a valid SPARQL query: {err}") from None
        except RuntimeError as err:  # e.g. a substitution of a variable that the SELECT does not project
            raise UsageError(f"the query cannot be answered as asked: {err}") from None
        except OSError as err:
            raise StoreError(f"the store at {self.path} cannot answer: {err}") from None

    def graph_sizes(self) -> dict[str, int]:
        return {row["g"].value: int(row["n"].value) for row in self._native.query(GRAPH_SIZES)}

    def replace_graphs(self, graphs: Mapping[str, Iterable]) -> None:
        from pyoxigraph import NamedNode, Quad, RdfFormat, Triple, serialize

        if self.read_only:
            raise UsageError(f"oxigraph:{self.path} was opened read-only: open it without read_only to write")
        names = {in_scope(graph): NamedNode(graph) for graph in graphs}
        native = self._native
        if next(iter(native), None) is None:  # an empty store
            self._first_write(Quad(q.subject, q.predicate, q.object, names[graph])
                              for graph, quads in graphs.items() for q in quads)
            return
        if not any(map(native.contains_named_graph, names.values())):
            # nothing to drop: one transactional extend (twice as fast as the update, half the memory)
            with self._writing():
                native.extend(_carried(Quad(q.subject, q.predicate, q.object, names[graph])
                                       for graph, quads in graphs.items() for q in quads))
                native.flush()
            return
        parts = []
        for graph, quads in graphs.items():
            triples = serialize([Triple(q.subject, q.predicate, q.object) for q in quads], format=RdfFormat.N_TRIPLES)
            parts.append(f"DROP SILENT GRAPH {names[graph]} ;\n"
                         f"INSERT DATA {{ GRAPH {names[graph]} {{\n{(triples or b'').decode()}}} }}")
        with self._writing():
            native.update(" ;\n".join(parts))
            native.flush()

    def _first_write(self, quads: Iterable) -> None:
        """The first write into an empty store, by pyoxigraph's bulk loader: it keeps no transaction
        in memory (at 1.4M quads a transaction took 2.4 GB more than the quads, the bulk loader 1.1
        GB) and writes 3 times as fast, but is not atomic. So it is marked by :data:`INCOMPLETE`
        while it goes on: a failure empties the store again, and if the process is killed, the next
        writable open empties it (:func:`_undo_interrupted`) and a read-only open finds no store."""
        native = self._native
        marker = self.path / INCOMPLETE
        with self._writing():
            marker.touch()
            try:
                native.bulk_extend(_carried(quads))
                native.flush()
            except BaseException:
                try:
                    native.clear()
                    native.flush()
                    marker.unlink()
                except OSError:  # the marker stays: the next writable open empties the store
                    pass
                raise
            marker.unlink()
            try:  # compacted: queries over the bulk loader's files were 1.3-1.5x slower (1M
                native.optimize()  # triples: 2.2 s); killed or failed meanwhile, the store is whole
            except OSError:
                pass

    def refresh(self) -> bool:
        """Open the store again if a write has completed since it was opened (read-only stores of
        their own only: a store on this process's writable connection sees every write already).
        Answers already given keep reading the snapshot they came from.

        :raises StoreError: the store cannot be opened again; the old snapshot is kept.
        """
        connection = self._connection
        if connection is None:
            raise UsageError(f"{self!r} is closed: open it again with clkg.store.open_store")
        if connection.lock is not None or _write_mark(self.path) == connection.mark:
            return False
        fresh = _read_only_connection(self.path)
        self._connection = fresh
        connection.native = None  # pyoxigraph drops the old snapshot when nothing reads it any more
        return True

    def dump(self, output, *, format: str = "ttl", graph: str | None = None) -> None:
        from pyoxigraph import NamedNode, RdfFormat

        fmt = rdf_format(format)
        if graph is not None:
            self._native.dump(output, format=fmt, from_graph=NamedNode(in_scope(graph)))
        elif fmt is RdfFormat.TURTLE:  # Turtle holds one graph: the union of all of them
            write_rdf(output, self._native.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"), fmt)
        else:
            self._native.dump(output, format=fmt)

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        connection.users -= 1
        if connection.users:
            return
        if connection.lock is not None:  # the writable connection of this process
            del _WRITABLE[self._key]
            try:
                with _flock(connection.lock, exclusive=True, path=self.path):
                    try:
                        connection.native.flush()
                    except OSError:  # e.g. disk full: what was committed is in RocksDB's log, which the
                        pass         # next open replays; the write that failed has said so already
            finally:
                connection.lock.close()
        connection.native = None  # RocksDB closes (and unlocks) when pyoxigraph's store is dropped

    @contextmanager
    def _writing(self):
        """clkg's write lock for the block; a failed write (disk full, …) as a StoreError."""
        lock = self._connection.lock
        with _flock(lock, exclusive=True, path=self.path):
            try:
                yield
            except _CallerError as carried:  # the caller's quads failed, not the store: their own error
                raise _unwrapped(carried) from None
            except OSError as err:
                raise StoreError(f"writing to the store at {self.path} failed: {err}. A write is all or "
                                 "nothing: the store holds what it held before, or, if the failure came "
                                 "after the write was committed, all of it; fix the cause (e.g. free disk "
                                 "space) and run the command again") from None
            _mark_write(lock)


def _mark_write(lock) -> None:
    """Tell read-only openers that a write has completed: the lock file's mtime, set later than before."""
    try:
        before = os.fstat(lock.fileno()).st_mtime_ns
        now = max(time.time_ns(), before + 1)
        os.utime(lock.fileno(), ns=(now, now))
    except OSError:  # the write itself is done; readers see it when they open the store again
        pass


def _write_mark(path: Path):
    """What a reader compares to see whether a write completed: the lock file's stat, None if none."""
    try:
        info = os.stat(path / LOCK_FILE)
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_ctime_ns, info.st_size


class _CallerError(Exception):
    """An error of the quads a caller gave, carried through pyoxigraph, told apart from the store's."""


def _unwrapped(carried: _CallerError) -> BaseException:
    """The caller's error that ``carried`` carries, with no reference cycle left between the two (a
    cycle would keep the frames, and with them the store, alive until the garbage collector runs)."""
    original = carried.__cause__
    carried.__cause__ = carried.__context__ = None
    return original


def _carried(quads: Iterable) -> Iterable:
    try:
        yield from quads
    except Exception as err:
        raise _CallerError() from err


def lock_timeout() -> float:
    """Seconds to wait for a store another process holds: $CLKG_LOCK_TIMEOUT, default 30.

    :raises UsageError: it is not a number of seconds.
    """
    from clkg.text import shown

    text = os.environ.get("CLKG_LOCK_TIMEOUT", "30")
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not seconds >= 0:
        raise UsageError(f"CLKG_LOCK_TIMEOUT must be a number of seconds ≥ 0, not {shown(text)!r}")
    return seconds


def _patiently(attempt, *, busy, seconds: float, poll: float = _POLL):
    """``attempt()``, again every ``poll`` seconds while it fails with an error ``busy`` accepts, for
    at most ``seconds``; then its last error."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return attempt()
        except Exception as err:
            if not busy(err) or time.monotonic() >= deadline:
                raise
        time.sleep(poll)


@contextmanager
def _flock(file, *, exclusive: bool, path: Path):
    """clkg's write lock on a store (``file`` is its open LOCK_FILE), held for the block.

    :raises StoreLocked: not had within $CLKG_LOCK_TIMEOUT.
    """
    import fcntl

    mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    seconds = lock_timeout()
    try:
        _patiently(lambda: fcntl.flock(file, mode), busy=lambda e: isinstance(e, BlockingIOError), seconds=seconds,
                    poll=_POLL_FLOCK)
    except BlockingIOError:
        raise StoreLocked(f"another process has been writing to the store at {path} for more than "
                          f"{seconds:g} s ({_holder(path)}): wait until it is done and try again, or "
                          "set CLKG_LOCK_TIMEOUT to wait longer") from None
    try:
        yield
    finally:
        fcntl.flock(file, fcntl.LOCK_UN)


def _held_elsewhere(err: Exception) -> bool:
    message = str(err)
    return isinstance(err, OSError) and "lock" in message.lower() and "current process" not in message


def _open_writable(path: Path):
    """(pyoxigraph store, open LOCK_FILE) of a folder opened for writing, made if missing."""
    from pyoxigraph import Store as Native

    seconds = lock_timeout()
    try:
        path.mkdir(parents=True, exist_ok=True)
        lock = open(path / LOCK_FILE, "ab")
    except PermissionError as err:
        raise StoreError(f"cannot write to the store at {path}: {err.strerror} ({err.filename}). Writing "
                         "(clkg build, load) needs write access to the folder; reading (query, compare, "
                         "export, serve) does not") from None
    except OSError as err:
        raise StoreError(f"cannot make the store at {path}: {err}") from None

    def attempt():
        with _flock(lock, exclusive=True, path=path):
            if (path / INCOMPLETE).exists():
                _undo_interrupted(path)
            native = Native(str(path))
            os.ftruncate(lock.fileno(), 0)  # who holds the store now, for the message of whoever waits
            lock.write(f"process {os.getpid()}: {' '.join(sys.argv)}"[:_HOLDER_CHARS].encode(errors="replace"))
            lock.flush()
            return native
    try:
        return _patiently(attempt, busy=_held_elsewhere, seconds=seconds), lock
    except BaseException as err:
        lock.close()
        if _held_elsewhere(err):
            raise StoreLocked(
                f"another process holds the store at {path} ({_holder(path)}) and did not let go "
                f"within {seconds:g} s: stop that "
                "process or close the store in it (store.close()), then try again; CLKG_LOCK_TIMEOUT "
                "sets how long to wait, and a store opened read-only (clkg query, clkg serve) can be read "
                "meanwhile") from None
        if isinstance(err, OSError) and "current process" in str(err):
            raise StoreLocked(f"this process already has the store at {path} open outside clkg.store "
                              "(e.g. a pyoxigraph.Store): close that first, or use it") from None
        if isinstance(err, OSError):
            raise StoreError(f"cannot open the store at {path}: {err}") from None
        raise


def _undo_interrupted(path: Path) -> None:
    """Empty a store whose first write was killed (:data:`INCOMPLETE` is there): it was empty
    before. RocksDB's files go (:data:`_ROCKSDB_FILES`), the marker last; any other file in the
    folder stays."""
    for entry in path.iterdir():
        if entry.is_file() and _ROCKSDB_FILES.fullmatch(entry.name):
            entry.unlink()
    (path / INCOMPLETE).unlink()


#: the names of the files RocksDB keeps in a database folder
_ROCKSDB_FILES = re.compile(r"\d+\.(sst|log|blob)|CURRENT|IDENTITY|LOCK|LOG(\.old\.\d+)?|MANIFEST-\d+|OPTIONS-\d+"
                            r"|.*\.dbtmp")


def _holder(path: Path) -> str:
    """Who holds the store at ``path`` for writing, as its lock file says, shown safely."""
    from clkg.text import shown

    try:
        text = (path / LOCK_FILE).read_bytes()[:_HOLDER_CHARS].decode(errors="replace").strip()
    except OSError:
        text = ""
    return (shown(text) if text else "a running clkg command") + ", or a notebook with the store open"


def _read_only_connection(path: Path) -> _Connection:
    native, mark = _open_read_only(path)
    return _Connection(native, mark=mark)


def _open_read_only(path: Path):
    """(A pyoxigraph store opened read-only, as it is now, the write mark it was opened at);
    nothing is created.

    :raises StoreMissing: there is no store at ``path``.
    """
    from pyoxigraph import Store as Native

    if not (path / "CURRENT").is_file():  # RocksDB's pointer to its current state
        raise StoreMissing(f"no clkg store at {path}: run `clkg build` or `clkg load` first")

    def attempt():
        try:
            lock = open(path / LOCK_FILE, "rb")
        except FileNotFoundError:  # never written by clkg
            lock = None
        with lock or nullcontext(), _flock(lock, exclusive=False, path=path) if lock else nullcontext():
            if (path / INCOMPLETE).exists():
                raise StoreMissing(f"no clkg store at {path}: its first load was interrupted, and it is "
                                   "emptied when next opened for writing; run `clkg build` or `clkg load` again")
            return Native.read_only(str(path)), _write_mark(path)  # no write can come in between

    for attempts in range(_COMPACTED_RETRIES, -1, -1):
        try:
            return attempt()
        except (OSError, RuntimeError) as err:  # retried: a file compaction removed while opening
            if not attempts or "No such file" not in str(err):
                raise StoreError(f"cannot open the store at {path}: {err}") from None
        time.sleep(_POLL)
