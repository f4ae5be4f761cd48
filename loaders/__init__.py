"""Loaders: read a researcher's case dataset, in any accepted format, into RDF.

One module per input format (``csv_folder``, ``workbook``, ``rdf_file``); ``dataset`` checks
and maps the tables the first two read, following ``case-data.csv-metadata.json``;
``codebook`` adds what a study's own concepts table implies, ``transcripts`` the text of the
transcripts kept with a dataset and the Web Annotation selectors of the quotations located in
them (checked against that text); a dataset folder may also hold
``alignments.sssom.tsv``, mappings from its concepts to other studies' (``clkg.alignments``).
"""

from pathlib import Path

from clkg.errors import InputError, Problem
from .dataset import Dataset, RawTable

ALIGNMENTS_FILE = "alignments.sssom.tsv"


def read_datasets(paths, *, prefixes) -> list[Dataset]:
    """Read several datasets that may use each other's concepts; ``prefixes`` is a
    ``curies.Converter`` or a {prefix: namespace} mapping (the ontology's and the store's prefixes).

    :raises InputError: listing every problem of every dataset.
    """
    from clkg.prefixes import converter

    if not hasattr(prefixes, "prefix_map"):
        prefixes = converter(prefixes)
    raw, problems = {}, []
    for path in map(Path, paths):
        try:
            raw[path] = _read(path)
        except InputError as err:
            problems += err.problems
    declared = {}
    for tables in raw.values():
        if not isinstance(tables, Dataset):
            declared.update(_declared_prefix(tables))
    known = converter({**prefixes.prefix_map, **declared})
    datasets = []
    for path, tables in raw.items():
        try:
            datasets.append(tables if isinstance(tables, Dataset) else _build(path, tables, known))
        except InputError as err:
            problems += err.problems
    if problems:
        raise InputError(problems)
    return datasets


def read_dataset(path: str | Path, *, prefixes) -> Dataset:
    """Read one case dataset (a folder of CSV files, an .xlsx workbook or an RDF file).

    :raises InputError: listing every problem found.
    """
    return read_datasets([path], prefixes=prefixes)[0]


def _read(path: Path) -> list[RawTable] | Dataset:
    from .csv_folder import read_csv_folder
    from .rdf_file import FORMATS, read_rdf_file
    from .workbook import read_workbook

    if path.is_dir():
        return read_csv_folder(path)
    if path.suffix.lower() == ".xlsx" and path.is_file():
        return read_workbook(path)
    if path.suffix.lower() in FORMATS and path.is_file():
        return read_rdf_file(path)
    if not path.exists():
        raise InputError([Problem(str(path), "does not exist")])
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


def _build(path: Path, tables: list[RawTable], prefixes) -> Dataset:
    from .dataset import build_dataset

    dataset = build_dataset(tables, source=str(path), prefixes=prefixes,
                            folder=path if path.is_dir() else path.parent)
    alignments = path / ALIGNMENTS_FILE
    if path.is_dir() and alignments.is_file():
        from clkg.alignments import dataset_alignment_quads

        dataset.quads += dataset_alignment_quads(alignments, dataset)
    return dataset


__all__ = ["Dataset", "read_dataset", "read_datasets"]
