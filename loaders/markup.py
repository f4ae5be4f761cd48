"""Checks of archives and markup before a parser sees them.

A zip archive (.xlsx) must unpack within ``Limits.unpacked_mb``; XML, in an archive or on its
own, must not declare a DOCTYPE or entities (a kilobyte of nested entities expands to
gigabytes); RDF/XML and JSON-LD must not nest deeper than ``Limits.nesting`` (pyoxigraph's
parsers take quadratic time, or overflow the stack, on deep nesting).
"""

import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from clkg.errors import InputError, Problem
from clkg.text import plural, shown

from .limits import Limits


_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_OVERLAP = 16  # bytes kept between chunks, so that a match across two chunks is found
_CHUNK = 1 << 20


def _utf8(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The chunks as UTF-8: XML that starts as UTF-16 or UTF-32 (a byte-order mark or NULs around
    the first '<') is decoded, so that a declaration in it is seen too."""
    import codecs

    chunks = iter(chunks)
    first = next(chunks, b"")
    encoding = None
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                      (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
                      (b"<\x00\x00\x00", "utf-32-le"), (b"\x00\x00\x00<", "utf-32-be"),
                      (b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be")):
        if first.startswith(bom):
            encoding = name
            break
    if encoding is None:
        yield first
        yield from chunks
        return
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    for chunk in (first, *chunks):
        yield decoder.decode(chunk).encode("utf-8", "replace")


def declares_entities(chunks: Iterable[bytes]) -> bool:
    """Whether XML given as byte chunks holds a DOCTYPE or ENTITY declaration."""
    tail = b""
    for chunk in _utf8(chunks):
        data = tail + chunk
        if _DECLARATION.search(data):
            return True
        tail = data[-_OVERLAP:]
    return False


DECLARATION_REFUSED = ("declares a DOCTYPE or entities (<!DOCTYPE, <!ENTITY), which clkg refuses: "
                       "entities can expand a small file to gigabytes")


#: What zipfile raises for a damaged, encrypted or odd archive or member (NotImplementedError: a
#: compression method it lacks; caught here, never raised by clkg).
ZIP_DAMAGE = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, RuntimeError,
              OSError, EOFError, ValueError)


def open_zip(path: Path, data: bytes, limits: Limits, *, find: re.Pattern | None = None,
             markup: tuple[str, ...] | None = None,
             what: str = "a zip archive") -> tuple[zipfile.ZipFile, set[str]]:
    """The zip archive in ``data``, checked: its files within ``limits.members`` and its unpacked
    size within ``limits.unpacked_mb``, no markup member declaring XML entities; and the members
    in which ``find`` matches.

    ``markup`` names the members that are XML by how their names end (e.g. ``(".qde",)``);
    without it every member is (an .xlsx part is parsed as XML whatever its name).

    :raises InputError: for something that is not a zip archive, is damaged, encrypted, too
        large unpacked, holds too many files or a DOCTYPE.
    """
    def refuse(message: str):
        return InputError([Problem(str(path), message)])

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_DAMAGE as err:
        raise refuse(f"cannot be read as {what}: it is not a zip archive ({shown(str(err))})") from None
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > limits.members:
        raise refuse(limits.over("members", f"holds {len(members):,} files"))
    unpacked = sum(m.file_size for m in members)  # zipfile never unpacks more than a member declares
    if unpacked > limits.bytes("unpacked_mb"):
        raise refuse(limits.over("unpacked_mb", f"unpacks to {unpacked / 2**20:,.1f} MB "
                                 f"({plural(len(members), 'member')}; a zip bomb?)"))
    found = set()
    for member in members:
        if markup is not None and not member.filename.lower().endswith(markup):
            continue
        try:
            with archive.open(member) as stream:
                declared = declares_entities(_read_chunks(stream, find, member.filename, found))
        except ZIP_DAMAGE as err:
            raise refuse(f"cannot be read as {what}: member '{shown(member.filename)}' is damaged or "
                         f"encrypted ({shown(str(err))})") from None
        if declared:
            raise refuse(f"member '{shown(member.filename)}' {DECLARATION_REFUSED}")
    return archive, found


def _read_chunks(stream, find, name: str, found: set[str]) -> Iterator[bytes]:
    """A member's bytes in chunks; notes ``name`` in ``found`` when ``find`` matches in them."""
    tail = b""
    while chunk := stream.read(_CHUNK):
        if find is not None and name not in found and find.search(tail + chunk):
            found.add(name)
        tail = chunk[-_OVERLAP:]
        yield chunk



class _Refused(Exception):
    """Raised from an expat handler to stop the parse."""


def check_xml(path: Path, data: bytes, limits: Limits) -> None:
    """Refuses XML that is not well-formed (expat is the judge: no other parser gets to be more
    lenient), declares a DOCTYPE or entities, or nests elements deeper than ``limits.nesting``.

    :raises InputError: naming the file.
    """
    from xml.parsers import expat

    if declares_entities([data]):
        raise InputError([Problem(str(path), DECLARATION_REFUSED)])
    parser, depth = expat.ParserCreate(), 0

    def start(name, attributes):
        nonlocal depth
        depth += 1
        if depth > limits.nesting:
            raise _Refused(limits.over("nesting", f"nests elements too deeply (line {parser.CurrentLineNumber:,})"))

    def end(name):
        nonlocal depth
        depth -= 1

    def doctype(*declaration):
        raise _Refused(DECLARATION_REFUSED)

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = doctype
    try:
        parser.Parse(data, True)
    except _Refused as refused:
        raise InputError([Problem(str(path), str(refused))]) from None
    except expat.ExpatError as err:
        raise InputError([Problem(str(path), f"is not well-formed XML: {shown(str(err))}")]) from None


def check_json(path: Path, data: bytes, limits: Limits) -> None:
    """Refuses what is not JSON (Python's json module is the judge), or JSON that nests objects
    and arrays deeper than ``limits.nesting``.

    :raises InputError: naming the file.
    """
    import json

    too_deep = InputError([Problem(str(path), limits.over("nesting", "nests objects and arrays too deeply"))])
    try:
        value = json.loads(data)
    except RecursionError:
        raise too_deep from None
    except ValueError as err:
        raise InputError([Problem(str(path), f"is not valid JSON: {shown(str(err))}")]) from None
    level = [(value, 1)]
    while level:
        item, depth = level.pop()
        if depth > limits.nesting:
            raise too_deep
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        level += [(child, depth + 1) for child in children if isinstance(child, (dict, list))]
