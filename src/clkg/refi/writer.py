"""Write REFI-QDA XML: a codebook (.qdc) of concept schemes, or a study as a project (.qdpx).

Positions are written in Unicode code points, as the standard says; every GUID is the one the
record came with (column uuid), or one made from its IRI, the same at every export.
"""

import io
import zipfile

from .importer import NO_DESCRIPTION, made_uuid
from .stored import Concept, Scheme, Study

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
_TYPES = {"integer": ("Integer", "IntegerValue"), "nonNegativeInteger": ("Integer", "IntegerValue"),
          "decimal": ("Float", "FloatValue"), "boolean": ("Boolean", "BooleanValue")}


def _guid(record) -> str:
    return record.uuid or made_uuid(record.iri)


class _Xml:
    def __init__(self, namespace: str):
        from lxml import etree

        self.etree, self.ns = etree, namespace

    def el(self, parent, tag: str, text: str | None = None, **attributes):
        attrs = {k: v for k, v in attributes.items() if v is not None}
        element = (self.etree.SubElement(parent, f"{{{self.ns}}}{tag}", attrs) if parent is not None
                   else self.etree.Element(f"{{{self.ns}}}{tag}", attrs, nsmap={None: self.ns}))
        if text is not None:
            element.text = text
        return element

    def bytes(self, root) -> bytes:
        return self.etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _codes(xml: _Xml, parent, concepts: list[Concept], notes: dict[str, str] | None) -> None:
    """Nested <Code> elements, by skos:broader within the list (others become top codes)."""
    known = {c.iri for c in concepts}
    children = {}
    for concept in concepts:
        children.setdefault(concept.broader if concept.broader in known else None, []).append(concept)

    def add(element, concept: Concept, path: frozenset):
        code = xml.el(element, "Code", guid=_guid(concept), name=concept.label,
                      isCodable="true" if concept.codable else "false", color=concept.color)
        if concept.definition and concept.definition != NO_DESCRIPTION:
            xml.el(code, "Description", concept.definition)
        if notes is not None and concept.note:
            note = made_uuid(concept.iri, "note")
            notes[note] = concept.note
            xml.el(code, "NoteRef", targetGUID=note)
        for child in children.get(concept.iri, []):
            if child.iri not in path:
                add(code, child, path | {child.iri})
    codes = xml.el(parent, "Codes")
    for concept in children.get(None, []):
        add(codes, concept, frozenset({concept.iri}))


def _sets(xml: _Xml, parent, concepts: list[Concept], *, attribute: str) -> None:
    members = {}
    for concept in concepts:
        for group in concept.groups:
            members.setdefault(group, []).append(_guid(concept))
    if members:
        sets = xml.el(parent, "Sets")
        for name, guids in members.items():
            code_set = xml.el(sets, "Set", guid=made_uuid("group", name), name=name)
            for g in guids:
                xml.el(code_set, "MemberCode", **{attribute: g})


def codebook(schemes: list[Scheme], *, origin: str, nested: bool) -> bytes:
    """A .qdc codebook; ``nested`` puts each scheme's concepts under a heading code of its own."""
    xml = _Xml(CODEBOOK_NS)
    root = xml.el(None, "CodeBook", origin=origin)
    if nested:
        concepts = []
        for scheme in schemes:
            concepts.append(Concept(scheme.iri, scheme.label, None, None, None, None, False, None, [], ()))
            concepts += [c if c.broader else _under(c, scheme.iri) for c in scheme.concepts]
    else:
        concepts = [c for scheme in schemes for c in scheme.concepts]
    _codes(xml, root, concepts, None)
    _sets(xml, root, concepts, attribute="guid")
    return xml.bytes(root)


def _under(concept: Concept, broader: str) -> Concept:
    from dataclasses import replace

    return replace(concept, broader=broader)


def project(study: Study, *, origin: str) -> tuple[bytes, dict[str, str]]:
    """(project.qde, {member name: text}) of a study with transcripts."""
    xml = _Xml(PROJECT_NS)
    root = xml.el(None, "Project", name=study.title, origin=origin)
    quotations = [q for t in study.transcripts for q in t.quotations]
    coders = {q.coder[0]: q.coder[1] for q in quotations if q.coder}
    if coders:
        users = xml.el(root, "Users")
        for iri, name in coders.items():
            xml.el(users, "User", guid=made_uuid(iri), name=name)
    notes: dict[str, str] = {}
    concepts = study.scheme.concepts if study.scheme else []
    guids = {c.iri: _guid(c) for c in concepts}
    if concepts:
        _codes(xml, xml.el(root, "CodeBook"), concepts, notes)
    _cases(xml, root, study)
    sources = xml.el(root, "Sources")
    files = {}
    for transcript in study.transcripts:
        guid = _guid(transcript)
        files[f"sources/{guid}.txt"] = transcript.text
        source = xml.el(sources, "TextSource", guid=guid, name=transcript.name, plainTextPath=f"internal://{guid}.txt")
        if transcript.note:
            xml.el(source, "Description", transcript.note)
        for q in transcript.quotations:
            user = made_uuid(q.coder[0]) if q.coder else None
            name = q.text if len(q.text) <= 100 else q.text[:100] + "…"
            selection = xml.el(source, "PlainTextSelection", guid=_guid(q), name=name, startPosition=str(q.start),
                               endPosition=str(q.end), creatingUser=user, creationDateTime=q.coded)
            if q.note:
                xml.el(selection, "Description", q.note)
            for concept in q.concepts:
                coding = xml.el(selection, "Coding", guid=made_uuid(q.iri, concept), creatingUser=user,
                                creationDateTime=q.coded)
                xml.el(coding, "CodeRef", targetGUID=guids[concept])
    if notes:
        parent = xml.el(root, "Notes")
        for guid, text in notes.items():
            note = xml.el(parent, "Note", guid=guid)
            xml.el(note, "PlainTextContent", text)
    _sets(xml, root, concepts, attribute="targetGUID")
    if study.note:
        xml.el(root, "Description", study.note)
    if not len(sources):
        root.remove(sources)
    return xml.bytes(root), files


def _cases(xml: _Xml, root, study: Study) -> None:
    """Cases that came from the project (a uuid) or that a transcript or quotation is in."""
    from clkg.loaders.casedata import tables

    referenced = {t.case for t in study.transcripts} | {q.case for t in study.transcripts for q in t.quotations}
    cases = [c for c in study.cases if c.uuid or c.iri in referenced]
    if not cases:
        return
    columns = {c.name: c for c in tables()["cases"].columns}
    used = sorted({name for case in cases for name in case.values}, key=list(columns).index)
    variables = {name: made_uuid("variable", name) for name in used}
    if used:
        parent = xml.el(root, "Variables")
        for name in used:
            kind = _TYPES.get(columns[name].datatype.rsplit("#", 1)[-1], ("Text", "TextValue"))[0]
            xml.el(parent, "Variable", guid=variables[name], name=name, typeOfVariable=kind)
    parent = xml.el(root, "Cases")
    for case in cases:
        element = xml.el(parent, "Case", guid=_guid(case), name=case.name)
        if case.note:
            xml.el(element, "Description", case.note)
        for name in used:
            if name in case.values:
                value = xml.el(element, "VariableValue")
                xml.el(value, "VariableRef", targetGUID=variables[name])
                xml.el(value, _TYPES.get(columns[name].datatype.rsplit("#", 1)[-1], ("Text", "TextValue"))[1],
                       case.values[name])
        for transcript in study.transcripts:
            if transcript.case == case.iri:
                xml.el(element, "SourceRef", targetGUID=_guid(transcript))
        for transcript in study.transcripts:
            for q in transcript.quotations:
                if q.case == case.iri and q.case != transcript.case:
                    xml.el(element, "SelectionRef", targetGUID=_guid(q))


def qdpx(study: Study, *, origin: str) -> bytes:
    """The .qdpx zip of a study: project.qde and its sources (UTF-8 text, no byte-order mark)."""
    qde, files = project(study, origin=origin)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde)
        for name, text in files.items():
            zf.writestr(name, text.encode("utf-8"))
    return buffer.getvalue()


def export(store, *, format: str, study_id: str | None) -> tuple[bytes, str]:
    """(file content, what it holds) of a .qdc (one study's codebook, or every scheme of the store)
    or a .qdpx (a study that has transcripts).

    :raises UsageError: for a qdpx without a study, a study without transcripts or codebook.
    """
    from clkg import __version__
    from clkg.errors import UsageError
    from clkg.text import plural

    from . import stored

    origin = f"clkg {__version__}"
    if format == "qdc":
        if study_id is None:
            schemes = [s for s in stored.schemes(store) if s.concepts]
            return codebook(schemes, origin=origin, nested=True), (
                f"{plural(len(schemes), 'concept scheme')}, {plural(sum(len(s.concepts) for s in schemes), 'code')}")
        found = stored.study(store, study_id)
        if found.scheme is None or not found.scheme.concepts:
            raise UsageError(f"study {study_id!r} has no codebook of its own (concepts.csv) to export")
        return codebook([found.scheme], origin=origin, nested=False), plural(len(found.scheme.concepts), "code")
    if study_id is None:
        raise UsageError("--format qdpx writes one study: name it with --study ID")
    found = stored.study(store, study_id)
    if not found.transcripts:
        raise UsageError(f"study {study_id!r} has no transcripts (transcripts.csv): a REFI-QDA project needs "
                         "its source texts; --format qdc writes its codebook alone")
    quotations = sum(len(t.quotations) for t in found.transcripts)
    summary = (f"{plural(len(found.scheme.concepts) if found.scheme else 0, 'code')}, "
               f"{plural(len(found.transcripts), 'source')}, {plural(quotations, 'coded selection')}")
    for what, count in found.left_out.items():
        if count:
            summary += f"; left out {count:,} {what}"
    return qdpx(found, origin=origin), summary
