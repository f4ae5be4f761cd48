"""A REFI-QDA project (.qde) or codebook (.qdc) as plain Python objects.

GUIDs are normalized to lower case without braces (tools write either case). Text sources are
``TextSource`` elements and the text representations of PDF sources; what the case-data
format cannot hold (pictures, audio, video, PDF regions, links, graphs) is counted.
"""

from collections import Counter
from dataclasses import dataclass, field

from clkg.errors import InputError

from . import qdaxml as x


def guid(value: str) -> str:
    """A GUID in canonical form: lower case, no braces."""
    return value.strip().strip("{}").lower()


@dataclass
class Code:
    guid: str
    name: str
    description: str | None
    color: str | None
    codable: bool
    notes: list[str]
    children: list["Code"] = field(default_factory=list)


@dataclass
class Coding:
    code: str
    user: str | None
    created: str | None
    notes: list[str]


@dataclass
class Selection:
    guid: str
    name: str
    start: int
    end: int
    description: str | None
    user: str | None
    created: str | None
    codings: list[Coding]
    notes: list[str]


@dataclass
class Source:
    guid: str
    name: str
    path: str | None  # plainTextPath
    content: str | None  # inline PlainTextContent
    description: str | None
    selections: list[Selection]
    variables: list[tuple[str, str]]  # (variable guid, value)
    notes: list[str]


@dataclass
class Case:
    guid: str
    name: str | None
    description: str | None
    variables: list[tuple[str, str]]
    sources: list[str]
    selections: list[str]
    codes: list[str]


@dataclass
class Note:
    guid: str
    name: str | None
    text: str | None  # inline text (description and content); None: in the file at path
    path: str | None


@dataclass
class CodeSet:
    guid: str
    name: str
    description: str | None
    codes: list[str]
    sources: list[str]
    notes: list[str]


@dataclass
class Project:
    kind: str  # "project" or "codebook"
    namespace: str
    name: str | None
    origin: str | None
    description: str | None
    users: dict[str, str]  # guid -> name
    codes: list[Code]
    variables: dict[str, str]  # guid -> name
    cases: list[Case]
    sources: list[Source]
    notes: dict[str, Note]
    sets: list[CodeSet]
    project_notes: list[str]
    other: Counter = field(default_factory=Counter)  # what has no place: kind -> count


def read_project(data: bytes, *, label: str) -> Project:
    """The project or codebook in ``data``.

    :raises InputError: for XML that is not well-formed, has a DOCTYPE, is not REFI-QDA, or
        lacks a required attribute (naming line and element).
    """
    root = x.parse(data, label=label)
    ns = x.namespace(root)
    kind = {"Project": "project", "CodeBook": "codebook"}.get(x.name(root))
    if kind is None or not ns.startswith(PREFIXES[kind]):
        raise InputError([x.problem(root, label, f"is not a REFI-QDA project (root <Project> in {x.PROJECT_NS}…) "
                                    f"or codebook (root <CodeBook> in {x.CODEBOOK_NS}…): its namespace is {ns!r}")])
    return _Reader(label).read(root, kind, ns)


PREFIXES = {"project": x.PROJECT_NS, "codebook": x.CODEBOOK_NS}


class _Reader:
    def __init__(self, label: str):
        self.label = label
        self.other: Counter = Counter()

    def read(self, root, kind: str, ns: str) -> Project:
        book = root if kind == "codebook" else x.child(root, "CodeBook")
        codes_el = x.child(book, "Codes") if book is not None else None
        codes = [self.code(c) for c in x.children(codes_el, "Code")] if codes_el is not None else []
        users = {guid(x.required(u, "guid", self.label)): (u.get("name") or u.get("id") or "").strip()
                 for u in self.each(root, "Users", "User")}
        variables = {guid(x.required(v, "guid", self.label)): x.required(v, "name", self.label).strip()
                     for v in self.each(root, "Variables", "Variable")}
        sources = []
        sources_el = x.child(root, "Sources")
        for source in (list(sources_el) if sources_el is not None else []):
            if isinstance(source.tag, str):
                sources += self.source(source)
        notes = {}
        for note in self.each(root, "Notes", "Note"):
            inline = [_clean(x.text(note, tag)) for tag in ("Description", "PlainTextContent")]
            notes[guid(x.required(note, "guid", self.label))] = Note(
                guid(note.get("guid")), _clean(note.get("name")),
                "\n".join(filter(None, inline)) if any(inline) or not note.get("plainTextPath") else None,
                note.get("plainTextPath"))
        sets_parent = book if kind == "codebook" else root
        sets = [self.code_set(s) for s in self.each(sets_parent, "Sets", "Set")]
        for tag in ("Links", "Graphs"):
            found = x.child(root, tag)
            if found is not None and len(found):
                self.other[tag.lower()] += len(x.children(found, tag[:-1]))
        return Project(kind, ns, _clean(root.get("name")), _clean(root.get("origin")), _clean(x.text(root, "Description")),
                       users, codes, variables, [self.case(c) for c in self.each(root, "Cases", "Case")],
                       sources, notes, sets, self.refs(root, "NoteRef"), self.other)

    def each(self, parent, group: str, tag: str) -> list:
        found = x.child(parent, group) if parent is not None else None
        return x.children(found, tag) if found is not None else []

    def refs(self, element, tag: str, attribute: str = "targetGUID") -> list[str]:
        return [guid(x.required(r, attribute, self.label)) for r in x.children(element, tag)]

    def code(self, element) -> Code:
        color = element.get("color")
        if color and _color(color) is None:
            self.other["code colours that are not #RRGGBB"] += 1
        return Code(guid(x.required(element, "guid", self.label)), x.required(element, "name", self.label).strip(),
                    _clean(x.text(element, "Description")), _color(color), x.boolean(element, "isCodable", self.label, default=True),
                    self.refs(element, "NoteRef"), [self.code(c) for c in x.children(element, "Code")])

    def source(self, element) -> list[Source]:
        """The text sources an element of Sources holds (a PDF's text representation is one)."""
        kind = x.name(element)
        if kind == "TextSource":
            return [self.text_source(element, element.get("name"))]
        if kind == "PDFSource":
            self.other["PDF region selections"] += len(x.children(element, "PDFSelection"))
            found = x.child(element, "Representation")
            return [self.text_source(found, found.get("name") or f"{element.get('name') or 'PDF'} (text)")] \
                if found is not None else []
        selections = {"PictureSource": "PictureSelection", "AudioSource": "AudioSelection",
                      "VideoSource": "VideoSelection"}.get(kind)
        self.other[f"{kind[:-6].lower()} sources"] += 1
        if selections:
            self.other[f"{kind[:-6].lower()} selections"] += len(x.children(element, selections))
        for transcript in x.children(element, "Transcript"):
            self.other["audio/video transcript selections"] += len(x.children(transcript, "TranscriptSelection"))
        return []

    def text_source(self, element, name: str | None) -> Source:
        return Source(guid(x.required(element, "guid", self.label)), (name or "").strip(), element.get("plainTextPath"),
                      x.text(element, "PlainTextContent"), _clean(x.text(element, "Description")),
                      [self.selection(s) for s in x.children(element, "PlainTextSelection")],
                      self.values(element), self.refs(element, "NoteRef"))

    def selection(self, element) -> Selection:
        codings = [Coding(guid(x.required(ref, "targetGUID", self.label)), _guid_or_none(c.get("creatingUser")),
                          _clean(c.get("creationDateTime")), self.refs(c, "NoteRef"))
                   for c in x.children(element, "Coding") for ref in x.children(c, "CodeRef")]
        return Selection(guid(x.required(element, "guid", self.label)), (element.get("name") or "").strip(),
                         x.integer(element, "startPosition", self.label), x.integer(element, "endPosition", self.label),
                         _clean(x.text(element, "Description")), _guid_or_none(element.get("creatingUser")),
                         _clean(element.get("creationDateTime")), codings, self.refs(element, "NoteRef"))

    def values(self, element) -> list[tuple[str, str]]:
        result = []
        for value in x.children(element, "VariableValue"):
            ref = x.child(value, "VariableRef")
            if ref is None:
                raise InputError([x.problem(value, self.label, "has no <VariableRef>, which it needs")])
            data = [c for c in value if isinstance(c.tag, str) and x.name(c).endswith("Value")]
            result.append((guid(x.required(ref, "targetGUID", self.label)), (data[0].text or "").strip() if data else ""))
        return result

    def case(self, element) -> Case:
        return Case(guid(x.required(element, "guid", self.label)), _clean(element.get("name")),
                    _clean(x.text(element, "Description")), self.values(element), self.refs(element, "SourceRef"),
                    self.refs(element, "SelectionRef"), self.refs(element, "CodeRef"))

    def code_set(self, element) -> CodeSet:
        members = x.children(element, "MemberCode")  # @guid in a .qdc, @targetGUID in a .qde
        codes = [guid(m.get("targetGUID") or x.required(m, "guid", self.label)) for m in members]
        return CodeSet(guid(x.required(element, "guid", self.label)), x.required(element, "name", self.label).strip(),
                       _clean(x.text(element, "Description")), codes, self.refs(element, "MemberSource"),
                       self.refs(element, "MemberNote"))


def _clean(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def _guid_or_none(value: str | None) -> str | None:
    return guid(value) if value and value.strip() else None


def _color(value: str | None) -> str | None:
    """#RRGGBB in upper case (#RGB widened), or None for none or an unreadable colour."""
    value = (value or "").strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return f"#{value.upper()}" if len(value) == 6 and all(c in "0123456789abcdefABCDEF" for c in value) else None
