"""The embedded store in a folder the user may not write, and on a disk that fills during a write.

The tests run as root, who may write anywhere; ``unshare --user`` runs a command as root of a new
user namespace, which has no rights over the machine's files beyond their owner's permission bits,
so a folder without write permission is read-only to it as to any user. ``unshare --user
--map-root-user --mount`` gives a command its own mount table, in which a small tmpfs is a disk
that fills: what the command mounts there is gone when it ends.
"""

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

from support import DATA, HIBBERT, cli_built_store, require


def _unshare(*options: str) -> list[str]:
    """The command that runs what follows it in a new user namespace (skip when there is none)."""
    unshare = shutil.which("unshare")
    require(unshare is not None, "unshare (util-linux) is not installed")
    probe = subprocess.run([unshare, *options, "true"], capture_output=True, text=True)
    require(probe.returncode == 0, f"user namespaces are not available here: {probe.stderr.strip()}")
    return [unshare, *options]


def _clkg(prefix: list[str], store: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, "clkg", "--store", f"oxigraph:{store}", *map(str, args)],
                          capture_output=True, text=True)


def _contents(store: Path, prefix: list[str]) -> list[str]:
    dump = _clkg(prefix, store, "export", "--format", "nq")
    assert dump.returncode == 0, dump.stderr
    return sorted(dump.stdout.splitlines())


@pytest.fixture
def read_only_store(tmp_path):
    store = cli_built_store(tmp_path / "store")
    for path in [store, *store.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)
    yield store
    for path in [store, *store.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)


def test_a_read_only_store_folder_answers_queries_and_refuses_writes_by_name(read_only_store, tmp_path):
    as_user = _unshare("--user")
    before = _contents(read_only_store, as_user)
    assert len(before) > 1000
    concepts = _clkg(as_user, read_only_store, "query", "concepts", "--format", "csv")
    assert concepts.returncode == 0, concepts.stderr
    assert concepts.stdout == _clkg([], read_only_store, "query", "concepts", "--format", "csv").stdout
    assert len(concepts.stdout.splitlines()) > 10
    compared = _clkg(as_user, read_only_store, "compare", "studies")
    assert compared.returncode == 0, compared.stderr

    loaded = _clkg(as_user, read_only_store, "load", DATA / HIBBERT, "--replace")
    assert loaded.returncode == 3
    assert f"cannot write to the store at {read_only_store}" in loaded.stderr
    assert "Permission denied" in loaded.stderr and "Traceback" not in loaded.stderr
    assert _contents(read_only_store, as_user) == before


# A tmpfs 8 MB larger than the store: once the filler is gone, the write must fit. (2 MB was enough
# for a store built by transactions; one built by the bulk loader, as `clkg build` into an empty
# store does, needed more for the same write.)
DISK_FULL = """
set -u
mount -t tmpfs -o size=$(( $(du -sk "$1" | cut -f1) + 8192 ))k tmpfs "$2"
cp -r "$1" "$2/store"
clkg --store "oxigraph:$2/store" export --format nq > "$3/before.nq"
free=$(df -k --output=avail "$2" | tail -1)
dd if=/dev/zero of="$2/filler" bs=1k count=$(( free - 256 )) 2>/dev/null
clkg --store "oxigraph:$2/store" load "$4" --replace > "$3/full.out" 2> "$3/full.err"
echo $? > "$3/full.rc"
rm "$2/filler"
clkg --store "oxigraph:$2/store" export --format nq > "$3/after.nq"
echo $? > "$3/after.rc"
clkg --store "oxigraph:$2/store" load "$4" --replace > "$3/again.out" 2> "$3/again.err"
echo $? > "$3/again.rc"
clkg --store "oxigraph:$2/store" export --format nq > "$3/final.nq"
"""


def test_a_write_that_fills_the_disk_leaves_the_store_as_it_was_and_usable(tmp_path):
    in_namespace = _unshare("--user", "--map-root-user", "--mount")
    store = cli_built_store(tmp_path / "store")
    changed = tmp_path / HIBBERT  # the study with notes of 1 MB in all: a write too big for the disk
    shutil.copytree(DATA / HIBBERT, changed)
    with (DATA / HIBBERT / "quotations.csv").open(encoding="utf-8", newline="") as original:
        rows = list(csv.DictReader(original))
    for number, row in enumerate(rows):
        row["note"] = f"A note written on a full disk, number {number}. " * 1000
    with (changed / "quotations.csv").open("w", encoding="utf-8", newline="") as edited:
        writer = csv.DictWriter(edited, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    disk, out = tmp_path / "disk", tmp_path / "out"
    disk.mkdir(), out.mkdir()
    script = subprocess.run([*in_namespace, "sh", "-c", DISK_FULL, "sh", store, disk, out, changed],
                            capture_output=True, text=True)
    assert script.returncode == 0, script.stderr

    assert (out / "full.rc").read_text().strip() == "3", (out / "full.err").read_text()
    message = (out / "full.err").read_text()
    # where the disk runs out depends on what RocksDB writes first: opening the store, or the write
    assert (f"writing to the store at {disk / 'store'} failed" in message
            or f"cannot open the store at {disk / 'store'}" in message), message
    assert "No space left on device" in message and "Traceback" not in message
    assert (out / "after.rc").read_text().strip() == "0"
    before, after, final = (sorted((out / f"{name}.nq").read_text().splitlines())
                            for name in ("before", "after", "final"))
    assert (out / "again.rc").read_text().strip() == "0", (out / "again.err").read_text()
    assert "loaded" in (out / "again.out").read_text() or "unchanged" in (out / "again.out").read_text()
    written = "A note written on a full disk"
    assert len(before) > 1000 and written not in "".join(before) and written in "".join(final)
    # all or nothing: the failure came before the write was committed, or after (RocksDB's log has it)
    whole = after == before or after == final
    assert whole, f"after the failed write the store has {len(after)} quads: {len(before)} before, {len(final)} whole"
