"""Errors that point at the input cell to fix."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as known."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}"


class InputError(Exception):
    """Input that cannot be read or mapped; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


class Invalid(Exception):
    """Input that was read but does not conform to the shapes; carries the validation reports."""

    def __init__(self, reports: list):
        self.reports = reports
        super().__init__("; ".join(f"{r.source} does not conform" for r in reports))
