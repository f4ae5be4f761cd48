"""Write an imported project as a case-data folder: one CSV per table, the transcripts as files."""

import csv
from pathlib import Path

from clkg.errors import UsageError


def write_folder(imported, folder: Path) -> list[Path]:
    """Write the tables (the columns they use, in the format's order) and the transcript files.

    :raises UsageError: when ``folder`` exists and is not empty.
    """
    from clkg.loaders.casedata import tables

    if folder.exists() and (folder.is_file() or any(folder.iterdir())):
        raise UsageError(f"{folder} exists and is not empty: name a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, spec in tables().items():
        rows = imported.tables.get(name)
        if not rows:
            continue
        columns = [c.name for c in spec.columns if not c.virtual and (c.required or any(r.get(c.name) for r in rows))]
        path = folder / f"{name}.csv"
        with open(path, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([(row.get(c) or "").strip() for c in columns] for row in rows)
        written.append(path)
    for relative, text in imported.files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written
