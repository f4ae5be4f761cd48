"""Loaders: read a researcher's case dataset, in any accepted format, into RDF.

One module per input format (``csv_folder``, ``workbook``, ``rdf_file``); ``dataset`` checks
and maps the tables the first two read, following ``case-data.csv-metadata.json``;
``codebook`` adds what a study's own concepts table implies, ``transcripts`` the text of the
transcripts kept with a dataset and the Web Annotation selectors of the quotations located in
them (checked against that text); a dataset folder may also hold ``alignments.sssom.tsv``,
mappings from its concepts to other studies' (``clkg.alignments``); ``limits`` and ``markup``
check every file, archive and XML or JSON text before a parser sees it.
"""

import os
import stat
from pathlib import Path

from clkg.errors import InputError, Problem
from .csv_folder import ALIGNMENTS_FILE
from .dataset import Dataset, RawTable
from .limits import Limits


def read_datasets(paths, *, prefixes, limits: Limits | None = None) -> list[Dataset]:
    """Read several datasets that may use each other's concepts; ``prefixes`` is a
    ``curies.Converter`` or a {prefix: namespace} mapping (the ontology's and the store's prefixes).

    ``limits`` defaults to :meth:`Limits.from_env`. The entries of a folder (or the sheets of a
    workbook) that are no table are named in ``Dataset.ignored``, each with the reason.

    :raises InputError: listing every problem of every dataset, the same kind of problem
        counted rather than repeated.
    :raises UsageError: when a ``CLKG_MAX_…`` variable is not a number.
    """
    from clkg.prefixes import converter

    from .limits import condense

    limits = limits or Limits.from_env()
    if not hasattr(prefixes, "prefix_map"):
        prefixes = converter(prefixes)
    read, problems = {}, []
    for path in map(Path, paths):
        try:
            read[path] = _read(path, limits=limits, prefixes=prefixes)
        except InputError as err:
            problems += err.problems
    declared = {}
    for found in read.values():
        if not isinstance(found, Dataset):
            declared.update(_declared_prefix(found[0]))
    known = converter({**prefixes.prefix_map, **declared})
    datasets = []
    for path, found in read.items():
        try:
            datasets.append(found if isinstance(found, Dataset) else _build(path, *found, known, limits))
        except InputError as err:
            problems += err.problems
    if problems:
        raise InputError(condense(problems))
    return datasets


def read_dataset(path: str | Path, *, prefixes, limits: Limits | None = None) -> Dataset:
    """Read one case dataset (a folder of CSV files, an .xlsx workbook or an RDF file).

    :raises InputError: listing every problem found.
    :raises UsageError: when a ``CLKG_MAX_…`` variable is not a number.
    """
    return read_datasets([path], prefixes=prefixes, limits=limits)[0]


def _read(path: Path, *, limits: Limits, prefixes) -> tuple[list[RawTable], dict[str, str]] | Dataset:
    """The raw tables of a folder or workbook and the entries it ignores, or an RDF file's dataset."""
    from .csv_folder import read_csv_folder
    from .limits import not_regular, stat_path
    from .rdf_file import FORMATS, read_rdf_file
    from .workbook import read_workbook

    mode = stat_path(path).st_mode
    if stat.S_ISDIR(mode):
        return read_csv_folder(path, limits=limits)
    if not stat.S_ISREG(mode):
        raise InputError([Problem(str(path), not_regular(path, mode))])
    if path.suffix.lower() == ".xlsx":
        return read_workbook(path, limits=limits)
    if path.suffix.lower() in FORMATS:
        return read_rdf_file(path, limits=limits, prefixes=prefixes)
    raise InputError([Problem(str(path), "is neither a dataset folder, an .xlsx workbook nor an RDF file ("
                              + ", ".join(FORMATS) + ")")])


def _declared_prefix(tables: list[RawTable]) -> dict[str, str]:
    """{prefix: namespace} a dataset's study table declares (before its cells are checked)."""
    from clkg.namespaces import concept_namespace
    from clkg.prefixes import PREFIX

    for table in tables:
        if table.name == "study" and {"study_id", "prefix"} <= set(table.header) and len(table.rows) == 1:
            row = dict(zip(table.header, (c.strip() for c in table.rows[0][1])))
            if PREFIX.fullmatch(row.get("prefix", "")) and row.get("study_id"):
                return {row["prefix"]: concept_namespace(row["study_id"])}
    return {}


def _build(path: Path, tables: list[RawTable], ignored: dict[str, str], prefixes, limits: Limits) -> Dataset:
    from .dataset import build_dataset

    dataset = build_dataset(tables, source=str(path), prefixes=prefixes,
                            folder=path if path.is_dir() else path.parent, limits=limits)
    dataset.ignored = _transcripts_kept(path, tables, ignored) if path.is_dir() else ignored
    alignments = path / ALIGNMENTS_FILE
    if path.is_dir() and os.path.lexists(alignments):
        from clkg.alignments import dataset_alignment_quads

        dataset.quads += dataset_alignment_quads(alignments, dataset, limits=limits)
    return dataset


def _transcripts_kept(folder: Path, tables: list[RawTable], ignored: dict[str, str]) -> dict[str, str]:
    """``ignored`` without the sub-folders that hold transcripts (column file of transcripts.csv),
    and with each other file in them, so that none goes unreported."""
    table = next((t for t in tables if t.name == "transcripts"), None)
    if table is None or "file" not in table.header:
        return ignored
    column = table.header.index("file")
    named = {(folder / cells[column]).resolve() for _, cells in table.rows if len(cells) > column and cells[column]}
    kept = dict(ignored)
    for entry in [name for name in ignored if name.endswith("/")]:
        sub = (folder / entry).resolve()
        if any(path.is_relative_to(sub) for path in named):
            del kept[entry]
            for root, _, files in os.walk(sub):
                for name in sorted(files):
                    if (Path(root) / name).resolve() not in named:
                        relative = (Path(root) / name).relative_to(folder.resolve()).as_posix()
                        kept[relative] = "not a transcript: no row of transcripts.csv names it"
    return kept


__all__ = ["Dataset", "Limits", "read_dataset", "read_datasets"]
