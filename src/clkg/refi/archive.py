"""Open a REFI-QDA file: a ``.qdpx`` zip read in memory with caps (nothing is extracted), or a
bare ``.qde``/``.qdc`` XML file. Source files resolve only among the zip's members."""

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from clkg.errors import InputError, Problem

#: Caps on what a project may hold: members, one member's size, all members' size (uncompressed).
MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 64 << 20
MAX_TOTAL_BYTES = 256 << 20


@dataclass
class Archive:
    """The project's XML and, for a .qdpx, the members its sources may name."""

    label: str  # how messages name the file
    xml_name: str  # the member (or file) the XML came from
    xml: bytes
    members: dict[str, zipfile.ZipInfo] = field(default_factory=dict)  # lower-cased name -> member
    zip: zipfile.ZipFile | None = None
    limit: int = MAX_MEMBER_BYTES

    def read(self, name: str) -> bytes | None:
        """The bytes of a member by its (case-insensitive) name, or None when there is none.

        :raises InputError: when the member cannot be decompressed or is larger than declared.
        """
        info = self.members.get(name.lower())
        if info is None or self.zip is None:
            return None
        return _read_member(self.zip, info, self.label, self.limit)


def open_archive(path: Path, *, max_members: int = MAX_MEMBERS, max_member_bytes: int = MAX_MEMBER_BYTES,
                 max_total_bytes: int = MAX_TOTAL_BYTES) -> Archive:
    """The project or codebook at ``path``: a .qdpx zip, or a .qde/.qdc XML file.

    :raises InputError: for a missing or unreadable file, a zip over the caps, or a zip
        without exactly one project XML.
    """
    label = str(path)
    try:
        size = path.stat().st_size
        if size > max_total_bytes:
            raise InputError([Problem(label, f"is {size:,} bytes, more than the {max_total_bytes:,} a project may be")])
        data = path.read_bytes()
    except OSError as err:
        raise InputError([Problem(label, f"cannot be read: {err.strerror}")]) from None
    if not zipfile.is_zipfile(io.BytesIO(data)):
        if path.suffix.lower() == ".qdpx":
            raise InputError([Problem(label, "is not a zip archive, which a .qdpx project must be")])
        return Archive(label, path.name, data, limit=max_member_bytes)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise InputError([Problem(label, f"is a damaged zip archive ({err})")]) from None
    if len(infos) > max_members:
        raise InputError([Problem(label, f"holds {len(infos):,} files, more than the {max_members:,} a project may hold")])
    total = 0
    for info in infos:
        if info.file_size > max_member_bytes:
            raise InputError([Problem(label, f"member {info.filename!r} unpacks to {info.file_size:,} bytes, more than "
                                      f"the {max_member_bytes:,} one file may have (a zip bomb?)")])
        total += info.file_size
    if total > max_total_bytes:
        raise InputError([Problem(label, f"unpacks to {total:,} bytes, more than the {max_total_bytes:,} a project "
                                  "may have (a zip bomb?)")])
    members = {info.filename.replace("\\", "/").lower(): info for info in infos}
    xml_member = _project_member(members, label)
    xml = _read_member(zf, xml_member, label, max_member_bytes)
    return Archive(label, xml_member.filename, xml, members, zf, max_member_bytes)


def _project_member(members: dict[str, zipfile.ZipInfo], label: str) -> zipfile.ZipInfo:
    """``project.qde`` (any case) at the top, else the one ``*.qde`` at the top of the zip."""
    if "project.qde" in members:
        return members["project.qde"]
    top = [info for name, info in members.items() if name.endswith(".qde") and "/" not in name]
    if len(top) == 1:
        return top[0]
    found = ", ".join(sorted(i.filename for i in top)) or "none"
    raise InputError([Problem(label, f"must hold one project file (project.qde or NAME.qde) at its top, "
                              f"found {found}")])


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, limit: int) -> bytes:
    try:
        with zf.open(info) as member:
            data = member.read(min(info.file_size, limit) + 1)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError, ValueError) as err:
        raise InputError([Problem(label, f"member {info.filename!r} cannot be unpacked ({err})")]) from None
    if len(data) > info.file_size:
        raise InputError([Problem(label, f"member {info.filename!r} unpacks to more than the "
                                  f"{info.file_size:,} bytes it declares")])
    return data


def source_member(path: str) -> tuple[list[str], str | None]:
    """Candidate member names for a source path of the project, or ([], why it is not followed).

    ``internal://NAME`` and bare names are members of the zip (in ``sources/`` or at the top);
    ``relative://`` paths are looked up inside the zip too; ``absolute://`` and any other
    scheme point outside it and are never followed.
    """
    scheme, sep, rest = path.partition("://")
    if not sep:
        scheme, rest = "", path
    elif scheme.lower() not in ("internal", "relative"):
        return [], f"{path!r} points outside the project archive, which clkg never follows"
    name = rest.replace("\\", "/").lstrip("/")
    if not name or any(part in ("..", "") for part in name.split("/")):
        return [], f"{path!r} is not a plain file name inside the archive"
    return [f"sources/{name}", name], None
