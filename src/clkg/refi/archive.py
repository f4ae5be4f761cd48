"""Open a REFI-QDA file: a ``.qdpx`` zip read in memory within the input limits (nothing is
extracted), or a bare ``.qde``/``.qdc`` XML file. Source files resolve only among the zip's members."""

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from clkg.errors import InputError, Problem
from clkg.text import shown
from clkg.loaders.limits import Limits, read_file
from clkg.loaders.markup import ZIP_DAMAGE, open_zip

#: The members of a project that are XML: refused if they declare a DOCTYPE or entities.
MARKUP = (".qde", ".qdc", ".xml")


@dataclass
class Archive:
    """The project's XML and, for a .qdpx, the members its sources may name."""

    label: str  # how messages name the file
    xml_name: str  # the member (or file) the XML came from
    xml: bytes
    members: dict[str, zipfile.ZipInfo] = field(default_factory=dict)  # lower-cased name -> member
    zip: zipfile.ZipFile | None = None

    def read(self, name: str) -> bytes | None:
        """The bytes of a member by its (case-insensitive) name, or None when there is none.

        :raises InputError: when the member cannot be decompressed or is larger than declared.
        """
        info = self.members.get(name.lower())
        if info is None or self.zip is None:
            return None
        return _read_member(self.zip, info, self.label)


def open_archive(path: Path, *, limits: Limits | None = None) -> Archive:
    """The project or codebook at ``path``: a .qdpx zip, or a .qde/.qdc XML file.

    A .qdpx may be as large as it unpacks (``limits.unpacked_mb``: projects carry their sources),
    a bare XML file as any file (``limits.file_mb``); ``limits`` defaults to ``Limits.from_env()``.

    :raises InputError: for a missing, special or unreadable file, one over the limits, a damaged
        zip, one declaring XML entities, or a zip without exactly one project XML.
    """
    limits = limits or Limits.from_env()
    label = str(path)
    zipped = path.suffix.lower() == ".qdpx"
    data = read_file(path, limits, cap="unpacked_mb" if zipped else "file_mb")
    if not zipped and not zipfile.is_zipfile(io.BytesIO(data)):  # a .qde may be a zipped project too
        return Archive(label, path.name, data)
    zf, _ = open_zip(path, data, limits, markup=MARKUP, what="a REFI-QDA project (.qdpx, a zip archive)")
    members = {info.filename.replace("\\", "/").lower(): info for info in zf.infolist() if not info.is_dir()}
    xml_member = _project_member(members, label)
    return Archive(label, xml_member.filename, _read_member(zf, xml_member, label), members, zf)


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


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> bytes:
    try:
        return zf.read(info)  # never more than the member declares, which open_zip has capped
    except ZIP_DAMAGE as err:
        raise InputError([Problem(label, f"member {shown(info.filename)!r} cannot be unpacked "
                                  f"({shown(str(err))})")]) from None


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
