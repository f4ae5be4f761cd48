"""Fingerprints that tell a load whether anything it depends on changed since the last one.

A load of some datasets depends on: clkg itself (its code, the shapes, the case-data format, the
ontology and the alignments), every file of those datasets and where they are, whether HermiT
checks the result, and the studies already in the store (their concepts are what a dataset is
validated and reasoned with). :func:`load_fingerprint` digests all of it; each study graph a load
writes records it (``<graph> dcterms:hasVersion "sha256:…"``, as the ontology graph records its
own fingerprint). When every dataset of a load has a graph that records the fingerprint the load
would record, the load would write what is there already: it is skipped, unvalidated. The other
studies enter by their recorded fingerprints, so a change anywhere invalidates what came after it.
"""

import functools
import hashlib
import os
from pathlib import Path

from clkg.errors import InputError
from clkg.namespaces import GRAPH, HAS_VERSION, ONTOLOGY_GRAPH

_RECORDED = f"""SELECT ?graph ?fingerprint WHERE {{
  GRAPH ?graph {{ ?graph <{HAS_VERSION}> ?fingerprint }} FILTER(STRSTARTS(STR(?graph), "{GRAPH}")) }}"""
_MOST_FILES = 10_000  # a dataset folder with more is not fingerprinted (the reader says what is wrong)


@functools.cache
def software() -> str:
    """A digest of what clkg reads and maps with: its code, shapes and case-data format (their
    bytes), and the ontology and alignments (:func:`clkg.pipeline.shipped_digest`). The code of
    ``clkg serve`` (:mod:`clkg.web`), which never writes a store, is left out."""
    import clkg
    import clkg.loaders
    from clkg.pipeline import shipped_digest
    from clkg.resources import case_data_format, shape_files

    digest = hashlib.sha256(shipped_digest().encode() + b"\0")
    root = Path(clkg.__file__).parent
    code = {p for package in (clkg, clkg.loaders) for p in Path(package.__file__).parent.rglob("*.py")
            if not p.is_relative_to(root / "web")}
    for path in [*sorted(code), *shape_files(), case_data_format()]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def recorded(store) -> dict[str, str]:
    """{study graph: the fingerprint of the load that wrote it} of the store."""
    _, rows = store.select(_RECORDED)
    return {graph.value: value.value for graph, value in rows if graph.value != ONTOLOGY_GRAPH}


def load_fingerprint(paths, *, graphs: list[str], store_fingerprints: dict[str, str], reason: bool,
                     limits) -> str | None:
    """The fingerprint of a load of the datasets at ``paths`` (into the study ``graphs``), or None
    when a file of them cannot be read as a regular file within ``limits`` (the reader then says
    why).

    :param store_fingerprints: :func:`recorded` of the store; the entries of ``graphs`` are left out.
    """
    from clkg.loaders.limits import read_file
    from clkg.pipeline import source_iri

    digest = hashlib.sha256(f"clkg {software()}\0reason {reason}\0".encode())
    for graph, fingerprint in sorted(store_fingerprints.items()):
        if graph not in graphs:
            digest.update(f"study {graph} {fingerprint}\0".encode())
    for path in sorted(map(Path, paths)):
        files = _files(path)
        if files is None:
            return None
        digest.update(f"dataset {source_iri(path)}\0".encode())
        for name, file in files:
            try:
                data = read_file(file, limits)
            except InputError:
                return None
            digest.update(f"file {name} {len(data)}\0".encode() + data)
    return "sha256:" + digest.hexdigest()


def _files(path: Path) -> list[tuple[str, Path]] | None:
    """(name inside the dataset, path) of every file of a dataset, sorted; None when there are too
    many or a folder cannot be listed. Symbolic links to folders are not followed."""
    if not path.is_dir():
        return [(path.name, path)]
    found = []
    try:
        for folder, subfolders, names in os.walk(path, onerror=_raise):
            subfolders.sort()
            found += [(os.path.relpath(os.path.join(folder, n), path), Path(folder, n)) for n in names]
            if len(found) > _MOST_FILES:
                return None
    except OSError:
        return None
    return sorted(found)


def _raise(err: OSError):
    raise err
