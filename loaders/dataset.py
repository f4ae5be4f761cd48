"""Turn the tables of one case dataset into a named graph, checking every cell on the way."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from clkg.errors import InputError, Problem
from clkg.namespaces import concept_namespace, dataset_base, dataset_graph
from .casedata import Mapping, TableSpec, check_cell, map_row, tables
from .codebook import SCHEME_ID, scheme_quads


@dataclass
class RawTable:
    """A table as read from a file: where it came from, its header and its records."""

    name: str
    label: str  # how messages name the file, e.g. "data/x/cases.csv" or "x.xlsx, sheet cases"
    row_iri: str  # IRI of the file (a "#row=N" fragment is added per record), relative to the base
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells)


@dataclass
class Dataset:
    """One study's case data mapped to RDF, ready to replace its graph in a store."""

    study_id: str
    graph: str
    source: str
    quads: list[Quad]
    prefix: str | None = None  # the study's own CURIE prefix, if it has a codebook
    records: dict[str, int] = field(default_factory=dict)
    cells: int = 0
    origins: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # row IRI -> (table, file, row)
    ignored: dict[str, str] = field(default_factory=dict)  # {entry of the folder (sheet) that is no table: why}


def build_dataset(raw: Iterable[RawTable], *, source: str, prefixes, folder: Path | None = None,
                  limits=None) -> Dataset:
    """Check and map the raw tables of one dataset; raises InputError listing every problem.

    ``prefixes`` (a ``curies.Converter``) names the concepts of the ontology and of the studies
    already in the store; the study's own prefix (study.csv, column prefix) is added to it.
    ``folder`` is where the files of table transcripts are (None: a dataset without files), read
    within ``limits`` (a :class:`Limits`; default: :meth:`Limits.from_env`).
    """
    specs = tables()
    raw = list(raw)
    problems: list[Problem] = []
    checked: dict[str, list[tuple[int, dict[str, str]]]] = {}
    labels = {}
    for table in raw:
        if table.name not in specs:
            problems.append(Problem(table.label, f"unknown table {table.name!r}; the tables are: "
                                    + ", ".join(specs)))
            continue
        labels[table.name] = table
        checked[table.name] = _check_table(specs[table.name], table, problems)
    for required in ("study", "cases"):
        if required not in checked and not any(p.file.endswith(required) for p in problems):
            problems.append(Problem(source, f"the dataset has no {required} table: add {required}.csv "
                                    f"(or a sheet {required})"))
    if "cases" in checked and not checked["cases"] and labels["cases"].header:
        problems.append(Problem(labels["cases"].label, "holds no case: a dataset needs at least one case"))
    study_rows = checked.get("study", [])
    if "study" in checked and len(study_rows) != 1:
        problems.append(Problem(labels["study"].label, f"must hold exactly one study row, not {len(study_rows)}"))
    _check_keys(specs, checked, labels, problems)
    if problems:
        raise InputError(problems)

    study_row = study_rows[0][1]
    study_id, prefix = study_row["study_id"], study_row.get("prefix") or None
    own = {prefix: concept_namespace(study_id)} if prefix else {}
    _check_prefix(prefix, own, prefixes, "concepts" in checked, labels["study"], study_rows[0][0], problems)
    problems += [Problem(labels["concepts"].label, f"the id {SCHEME_ID!r} names the study's concept scheme "
                         "itself: choose another id", number, "concept_id")
                 for number, row in checked.get("concepts", []) if row["concept_id"] == SCHEME_ID]
    if problems:
        raise InputError(problems)
    from clkg.prefixes import converter, namespaces

    # read_datasets' converter has the study's prefix already: made anew, it would cost each dataset
    # time in proportion to the number of studies
    if any(namespaces(prefixes).get(p) != ns for p, ns in own.items()):
        prefixes = converter({**prefixes.prefix_map, **own})
    mapping = Mapping(dataset_base(study_id), NamedNode(dataset_graph(study_id)), prefixes)
    study = NamedNode(mapping.iri(specs["study"].about, study_row))
    dataset = Dataset(study_id, dataset_graph(study_id), source, [], prefix=prefix)
    for name, rows in checked.items():
        spec, table = specs[name], labels[name]
        for number, row in rows:
            source_row = NamedNode(mapping.resolve(f"{table.row_iri}#row={number}"))
            dataset.origins[source_row.value] = (name, table.label, number)
            quads, bad = map_row(spec, row, source_row, study, mapping)
            problems += [Problem(table.label, msg, number, col) for col, msg in bad]
            dataset.quads += quads
            dataset.cells += sum(1 for v in row.values() if v)
        dataset.records[name] = len(rows)
    from .transcripts import transcript_quads

    quads, bad = transcript_quads(checked.get("transcripts", []), checked.get("quotations", []),
                                  labels, folder=folder, mapping=mapping, limits=limits)
    dataset.quads += quads
    problems += bad
    if problems:
        raise InputError(problems)
    if prefix:
        dataset.quads += scheme_quads(study, study_row, [row for _, row in checked.get("concepts", [])],
                                      prefix=prefix, mapping=mapping)
    return dataset


def _check_prefix(prefix, own, prefixes, has_concepts: bool, study: RawTable, row: int,
                  problems: list[Problem]) -> None:
    """A codebook needs a prefix, and the prefix must not name another namespace already."""
    if has_concepts and not prefix:
        problems.append(Problem(study.label, "the dataset has a concepts table, so the study needs a "
                                "prefix for its concepts (e.g. icl)", row, "prefix"))
    from clkg.prefixes import namespaces

    taken = namespaces(prefixes).get(prefix) if prefix else None
    if taken and taken != own[prefix]:
        problems.append(Problem(study.label, f"prefix {prefix!r} is taken: it names {taken}; "
                                "choose another", row, "prefix"))


def _check_table(spec: TableSpec, table: RawTable, problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    """Header and cell checks; returns the rows as dicts of stripped cells."""
    if not table.header:
        problems.append(Problem(table.label, "is empty: it needs a header row with the column names "
                                + ", ".join(spec.headers)))
        return []
    seen = set()
    for position, name in enumerate(table.header, 1):
        if name in seen:
            problems.append(Problem(table.label, f"column {name!r} appears twice in the header", 1, name))
        elif name not in spec.headers:
            hint = "" if name else f" (header cell {position} is empty)"
            problems.append(Problem(table.label, f"unknown column {name!r}{hint}; the columns of "
                                    f"{spec.name} are: " + ", ".join(spec.headers), 1, name))
        seen.add(name)
    columns = {c.name: c for c in spec.columns if not c.virtual}
    for name, column in columns.items():
        if column.required and name not in seen:
            problems.append(Problem(table.label, f"required column {name!r} is missing from the header", 1))
    result = []
    for number, cells in table.rows:
        if len(cells) > len(table.header):
            problems.append(Problem(table.label, f"has {len(cells)} cells but the header has "
                                    f"{len(table.header)} columns", number))
            continue
        row = {name: cell.strip() for name, cell in zip(table.header, cells)}
        if not any(row.values()):
            continue  # a blank line is not a record
        for name, column in columns.items():
            text = row.get(name, "")
            if not text:
                if column.required and name in seen:
                    problems.append(Problem(table.label, "required value is empty", number, name))
                continue
            for value in (text.split(column.separator) if column.separator else [text]):
                why = check_cell(column, value.strip())
                if why and value.strip():
                    problems.append(Problem(table.label, why, number, name))
        result.append((number, {k: (v.lower() if columns[k].datatype.endswith("boolean") else v)
                                for k, v in row.items() if k in columns}))
    return result


def _check_keys(specs, checked, labels, problems: list[Problem]) -> None:
    """Unique ids within each table, and references that resolve."""
    ids: dict[str, set[str]] = {}
    for name, rows in checked.items():
        key, first = specs[name].key, {}
        for number, row in rows:
            value = row.get(key, "")
            if value in first:
                problems.append(Problem(labels[name].label, f"duplicate id {value!r} (first used in row "
                                        f"{first[value]})", number, key))
            first.setdefault(value, number)
        ids[name] = set(first)
    for name, rows in checked.items():
        for column, target in specs[name].references.items():
            sep = next(c.separator for c in specs[name].columns if c.name == column)
            for number, row in rows:
                values = row.get(column, "")
                for value in filter(None, (v.strip() for v in (values.split(sep) if sep else [values]))):
                    if value not in ids.get(target, set()):
                        problems.append(Problem(labels[name].label, f"{value!r} is not the id of a row "
                                                f"of {target}", number, column))
