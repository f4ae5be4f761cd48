"""clkg's errors: one base class, one subclass per kind of failure.

The command line maps each kind to an exit code (see :data:`EXIT_CODES`); anything else that
escapes is a bug in clkg and is reported as one.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as known."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        from clkg.text import shown

        where = [shown(self.file)]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {shown(self.column)!r}")
        return f"{', '.join(where)}: {self.message}"


class ClkgError(Exception):
    """Base class of every error clkg raises on purpose."""


class InputError(ClkgError):
    """Input that cannot be read or mapped; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(problems)

    def __str__(self) -> str:  # written when asked: a dataset can have a million problems
        return "\n".join(map(str, self.problems))


class Invalid(ClkgError):
    """Input that was read but does not conform to the shapes; carries the validation reports."""

    def __init__(self, reports: list):
        self.reports = reports
        super().__init__("; ".join(f"{r.source} does not conform" for r in reports))


class UsageError(ClkgError):
    """A call that cannot be carried out as asked: an unknown query, a missing parameter, a bad option."""


class StoreError(ClkgError):
    """A store that cannot be opened, read or written."""


class StoreMissing(StoreError):
    """The store does not exist, or holds no clkg ontology: build or load it first."""


class StoreLocked(StoreError):
    """Another process holds the embedded store for writing."""


#: Exit codes of the command line, by kind of error (the first matching class wins).
EXIT_CODES = ((Invalid, 1), (InputError, 2), (UsageError, 2), (StoreError, 3))
