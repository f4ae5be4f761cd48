"""Limits on what a user hands clkg, and the checks of files made before any parser sees them.

A dataset may name only regular files (no FIFO, device or socket; a symbolic link only to a
regular file), each within a size limit. Every limit is a field of :class:`Limits` and an
environment variable (``CLKG_MAX_FILE_MB`` …), and the message of a limit met names both.
Problems are condensed for messages: the same kind reported a few times, then counted.
"""

import errno
import os
import re
import stat
from dataclasses import dataclass, fields, replace
from pathlib import Path

from clkg.errors import InputError, Problem, UsageError
from clkg.text import MESSAGE_LIMIT, plural, shown

_UNITS = {"file_mb": "MB", "unpacked_mb": "MB", "members": "files", "rows": "rows", "columns": "columns",
          "cell_chars": "characters", "nesting": "levels"}


@dataclass(frozen=True)
class Limits:
    """Caps on one dataset's input; each can be raised with ``CLKG_MAX_<FIELD>`` or a keyword."""

    file_mb: float = 32.0  # size of one file (a CSV table, a workbook, an RDF file)
    unpacked_mb: float = 128.0  # unpacked size of a zip archive (a workbook, a .qdpx project)
    members: int = 10_000  # files in a zip archive
    rows: int = 200_000  # records of one table, without the header
    columns: int = 1_000  # cells of one record
    cell_chars: int = 100_000  # characters of one cell
    nesting: int = 100  # levels of elements (RDF/XML) or of objects and arrays (JSON-LD)

    @classmethod
    def from_env(cls, environ=os.environ, **overrides) -> "Limits":
        """The defaults, replaced by ``CLKG_MAX_…`` variables, replaced by ``overrides``.

        :raises UsageError: when a variable is not a positive number.
        """
        values = {}
        for f in fields(cls):
            text = environ.get(env_name(f.name))
            if text is None:
                continue
            try:
                values[f.name] = type(f.default)(text)
            except ValueError:
                values[f.name] = None
            if values[f.name] is None or not 0 < values[f.name] < float("inf"):
                raise UsageError(f"{env_name(f.name)} must be a positive number, not '{shown(text)}'")
        return replace(cls(**values), **overrides)

    def bytes(self, name: str) -> int:
        return int(getattr(self, name) * 1024 * 1024)

    def over(self, name: str, found: str) -> str:
        """A message: what was found, the limit it passes and how to raise it."""
        value = getattr(self, name)
        value = f"{int(value):,}" if float(value).is_integer() else f"{value:,g}"
        return (f"{found}: the limit is {value} {_UNITS[name]} (to raise it, set {env_name(name)}, "
                f"or pass limits=Limits({name}=…))")


def env_name(field_name: str) -> str:
    return "CLKG_MAX_" + field_name.upper()


# ---- files and folders -------------------------------------------------------------------------

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def kind(mode: int) -> str:
    """What a file that is no regular file is, in words ("a named pipe (FIFO)" …)."""
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def stat_path(path: Path) -> os.stat_result:
    """The status of ``path`` (following symbolic links).

    :raises InputError: when it does not exist, is a symbolic link loop or cannot be reached.
    """
    try:
        return os.stat(path)
    except OSError as err:
        raise InputError([Problem(str(path), _why(path, err))]) from None
    except ValueError:  # a NUL in the path
        raise InputError([Problem(str(path), "is not a valid path (it holds a NUL character)")]) from None


def _why(path: Path, err: OSError) -> str:
    """What an error of the operating system means for a path given by a user."""
    if err.errno == errno.ELOOP:
        return "is a symbolic link loop (following its links leads back to it): point it at a file"
    if err.errno == errno.ENOENT and os.path.islink(path):
        return f"is a symbolic link to '{shown(os.readlink(path))}', which does not exist"
    if err.errno == errno.ENOENT:
        return "does not exist"
    if err.errno in (errno.EACCES, errno.EPERM):
        return "cannot be read: permission denied"
    if err.errno == errno.ENOTDIR:
        return "does not exist (a part of its path is a file, not a folder)"
    return f"cannot be read: {shown(err.strerror or str(err))}"


def not_regular(path: Path, mode: int) -> str:
    """The message for a path that is no regular file (through a symbolic link or not)."""
    link = f"is a symbolic link to '{shown(os.readlink(path))}', which " if os.path.islink(path) else ""
    return f"{link}is {kind(mode)}, not a regular file: clkg reads only regular files"


def read_file(path: Path, limits: Limits, *, cap: str = "file_mb") -> bytes:
    """The bytes of a regular file within the limit ``cap`` (in MB), read without blocking.

    :raises InputError: for a FIFO, device, socket or folder, a file over the limit, a missing or
        unreadable file.
    """
    def refuse(message: str):
        return InputError([Problem(str(path), message)])

    info = stat_path(path)
    if not stat.S_ISREG(info.st_mode):  # checked before opening: opening a FIFO or a tape has effects
        raise refuse(not_regular(path, info.st_mode))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise refuse(_why(path, err)) from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)  # the file opened, which may have been swapped since the first check
        if not stat.S_ISREG(info.st_mode):
            raise refuse(not_regular(path, info.st_mode))
        most = limits.bytes(cap)
        if info.st_size > most:
            raise refuse(limits.over(cap, f"is {info.st_size / 2**20:,.1f} MB"))
        try:
            data = file.read(most + 1)
        except OSError as err:
            raise refuse(_why(path, err)) from None
    if len(data) > most:  # a file that grew while read, or one that says it is empty (/proc)
        raise refuse(limits.over(cap, "is too large"))
    return data


def list_folder(folder: Path) -> list[os.DirEntry]:
    """The entries of a folder, sorted by name.

    :raises InputError: when the folder cannot be listed (permission denied …).
    """
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda e: e.name)
    except OSError as err:
        raise InputError([Problem(str(folder), _why(folder, err))]) from None


# ---- messages ----------------------------------------------------------------------------------

_VALUE = re.compile(r"'[^']*'|\"[^\"]*\"")


def condense(problems: list[Problem], *, keep: int = 3, limit: int = MESSAGE_LIMIT) -> list[Problem]:
    """The problems, each kind (file and message, quoted values aside) reported at most ``keep``
    times, then once more with the count and the first places of the rest; each message shown
    safe for a terminal and cut to ``limit`` characters (a value echoed whole cannot flood it)."""
    keys = [(p.file, _VALUE.sub("…", p.message)) for p in problems]
    groups: dict[tuple[str, str], list[Problem]] = {}
    for key, problem in zip(keys, problems):
        groups.setdefault(key, []).append(problem)
    kept, seen = [], {}
    for key, problem in zip(keys, problems):
        position = seen[key] = seen.get(key, -1) + 1
        if position < keep:
            kept.append(replace(problem, message=shown(problem.message, limit=limit)))
        elif position == keep:
            rest = groups[key][keep:]
            places = ", ".join(_place(p) for p in rest[:5]) + (", …" if len(rest) > 5 else "")
            kept.append(Problem(problem.file, f"and {plural(len(rest), 'more problem')} of the kind "
                                f"above: {places}"))
    return kept


def _place(problem: Problem) -> str:
    where = [f"row {problem.row:,}" if problem.row is not None else "",
             f"column '{shown(problem.column)}'" if problem.column is not None else ""]
    return " ".join(filter(None, where)) or "the file"
