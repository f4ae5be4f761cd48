"""``clkg new``: an empty dataset with every table's headers and a short guide."""

import csv
import io
from pathlib import Path

GUIDE = """# A new clkg case dataset

Fill in one table per kind of record; leave a table with its header only if you have nothing
for it. `study` and `cases` are required. Every row needs `source` (where in the paper: a
table, figure, section or quotation) and may have `note` (your reading where the paper is
ambiguous, and why). An unknown value is an empty cell, never 0. Concept cells take CURIEs:
`clkg query concepts` lists the concepts the store knows, with their definitions.

Your study's own framework goes into `concepts` (its codebook): give the study a `prefix` in
`study`, e.g. `icl`, and name your concepts `icl:inter-clustering` everywhere. A sector, role,
organization type or initiative type the lists lack is a row of `concepts` too, with the
vocabulary in its `scheme` column (e.g. `sector:scheme`). Mappings from your concepts to other
studies' go into `alignments.sssom.tsv` (`clkg suggest-alignments` drafts them).

Each table below ends with a worked example row (an invented study): copy its shape, not its
values.

Check your work with `clkg validate {path}`, fix what it reports (each message names the
file, row and column), then add it to the graph with `clkg load {path}`.

## Tables and columns
"""


def guide(path: str) -> str:
    from clkg.loaders.casedata import tables

    lines = [GUIDE.format(path=path)]
    for table in tables().values():
        lines.append(f"\n### {table.name}\n\n{table.description}\n")
        columns = [c for c in table.columns if not c.virtual]
        for column in columns:
            star = " (required)" if column.required else ""
            lines.append(f"- `{column.name}`{star}: {column.description} Type: {column.expected}.")
        example = io.StringIO()
        csv.writer(example, lineterminator="\n").writerows([[c.name for c in columns],
                                                             [c.example for c in columns]])
        lines.append(f"\nExample:\n\n```csv\n{example.getvalue()}```")
    return "\n".join(lines) + "\n"


def write_template(path: Path) -> list[str]:
    """Write the template as a folder of CSV files, or as an .xlsx workbook; returns what was written."""
    from clkg.loaders.casedata import tables

    if path.exists() and (path.is_file() or any(path.iterdir())):
        raise FileExistsError(f"{path} already exists and is not empty: choose a new name")
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        readme = book.active
        readme.title = "README"
        for line in guide(str(path)).splitlines():
            readme.append([line])
        for table in tables().values():
            book.create_sheet(table.name).append(table.headers)
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(path)
        return [str(path)]
    path.mkdir(parents=True, exist_ok=True)
    written = []
    for table in tables().values():
        target = path / f"{table.name}.csv"
        target.write_text(",".join(table.headers) + "\n", encoding="utf-8")
        written.append(str(target))
    (path / "README.md").write_text(guide(str(path)), encoding="utf-8")
    return [*written, str(path / "README.md")]
