"""Synthetic REFI-QDA projects that reproduce what real NVivo, ATLAS.ti, MAXQDA and QualCoder
exports do (see the traits in each builder), written by the tests themselves.

Each builder returns a Project: the file to import and the selections it holds as (exact text,
code names), so that tests compare the import with what the project says, not with numbers
written into the test.
"""

import codecs
import io
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

PROJECT_NS = "urn:QDA-XML:project:1.0"


def guid(name: str, *, upper: bool = False) -> str:
    value = str(uuid.uuid5(uuid.NAMESPACE_URL, f"test:{name}"))
    return value.upper() if upper else value


@dataclass
class Project:
    path: Path
    selections: list[tuple[str, list[str]]] = field(default_factory=list)  # (exact text, code names)
    codes: dict[str, str] = field(default_factory=dict)  # code name (path with ::) -> guid


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def write_qdpx(path: Path, qde: str, files: dict[str, bytes], *, qde_name: str = "project.qde") -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(qde_name, qde.encode("utf-8"))
        for name, data in files.items():
            zf.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def a(**attributes) -> str:
    return " ".join(f"{k}={quoteattr(str(v))}" for k, v in attributes.items() if v is not None)


def codes_xml(tree: list, *, upper: bool, codes: dict, parent: str = "") -> str:
    """Nested <Code> elements from [(name, [children])]; records name path -> guid in ``codes``."""
    out = []
    for name, children in tree:
        path = f"{parent}::{name}" if parent else name
        codes[path] = guid(f"code {path}", upper=upper)
        inner = codes_xml(children, upper=upper, codes=codes, parent=path)
        out.append(f"<Code {a(guid=codes[path], name=name, isCodable='true', color='#00AA00')}>"
                   f"<Description>What {name} means.</Description>{inner}</Code>")
    return "".join(out)


INTERVIEW_WINDOWS = ("Interviewer: How did the cluster start? 😀\r\n"
                     "Anna: We met in 2009 🚀 and shared 👍 our know-how.\r\n"
                     "Interviewer: And trust?\r\n"
                     "Anna: Trust came slowly 😅, after the first joint project.\r\n")
INTERVIEW_MAC = ("Q: Who joined first? 🙂\n"
                 "Ben: The small firms 🏭 joined first, the big ones waited.\n"
                 "Q: Why?\n"
                 "Ben: They feared 🕵️ that rivals would copy them.\n")


def nvivo(tmp: Path, *, windows: bool) -> Project:
    """NVivo: positions in UTF-16 code units, a BOM not counted (Windows: the file has a BOM and
    CRLF, counted as two), one PlainTextSelection per (span, code), empty selection names,
    upper-case GUIDs, nested codes."""
    text = INTERVIEW_WINDOWS if windows else INTERVIEW_MAC
    picks = ([("We met in 2009", ["Origins::Founding"]), ("shared 👍 our know-how", ["Knowledge::Sharing"]),
              ("Trust came slowly", ["Trust", "Origins"]), ("after the first joint project", ["Trust"]),
              ("How did the cluster start?", ["Origins"])] if windows else
             [("The small firms 🏭 joined first", ["Membership::Early"]), ("the big ones waited", ["Membership"]),
              ("They feared 🕵️ that rivals would copy them", ["Trust", "Membership::Early"])])
    project = Project(tmp / ("nvivo-windows.qdpx" if windows else "nvivo-mac.qdpx"))
    tree = ([("Origins", [("Founding", [])]), ("Knowledge", [("Sharing", [])]), ("Trust", [])] if windows else
            [("Membership", [("Early", [])]), ("Trust", [])])
    codebook = codes_xml(tree, upper=True, codes=project.codes)
    selections = []
    for n, (phrase, names) in enumerate(picks):
        start = text.index(phrase)
        project.selections.append((phrase, names))
        for name in names:  # one selection per code, as NVivo writes them
            selections.append(
                f"<PlainTextSelection {a(guid=guid(f'sel {n} {name}', upper=True), name='', startPosition=utf16_units(text[:start]), endPosition=utf16_units(text[:start + len(phrase)]), creatingUser=guid('user nvivo', upper=True), creationDateTime='2023-05-04T10:00:00Z')}>"
                f"<Coding {a(guid=guid(f'coding {n} {name}', upper=True), creatingUser=guid('user nvivo', upper=True))}>"
                f"<CodeRef {a(targetGUID=project.codes[name])}/></Coding></PlainTextSelection>")
    source = guid("source nvivo", upper=True)
    qde = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{PROJECT_NS}" {a(name="NVivo study", origin="NVivo 14")}>'
           f"<Users><User {a(guid=guid('user nvivo', upper=True), name='Nora Coder')}/></Users>"
           f"<CodeBook><Codes>{codebook}</Codes></CodeBook><Sources>"
           f"<TextSource {a(guid=source, name='Interview Anna' if windows else 'Interview Ben', plainTextPath=f'internal://{source}.txt')}>"
           f"{''.join(selections)}</TextSource></Sources></Project>")
    data = (codecs.BOM_UTF8 + text.encode("utf-8")) if windows else text.encode("utf-8")
    folder = "Sources" if windows else "sources"
    write_qdpx(project.path, qde, {f"{folder}/{source}.txt": data}, qde_name="project.qde" if windows else "Project.qde")
    return project


INTERVIEW_ATLAS = ("I: What does the cluster give you?\n"
                   "Carla: Mostly contacts. We meet at the breakfasts, and sometimes a contact becomes a project.\n"
                   "I: Do you trust the other members?\n"
                   "Carla: I trust the small ones. The big ones I do not trust at all; they take and never give.\n")


def atlas(tmp: Path) -> Project:
    """ATLAS.ti: code points, LF; flat code names with '::' (the same label 'trust' in two
    branches, parents that are no code of their own); several codings per selection; a
    selection without codings; names that are the first characters of the text and '…', or a
    name of its own; GUIDs in braces and in lower case; a case with variables; notes; a code
    set; a PDF source; a missing and an empty source file; a member named after the project."""
    text = INTERVIEW_ATLAS
    project = Project(tmp / "atlas.qdpx")
    names = ["contacts", "positive::trust", "negative::trust", "negative", "breakfasts"]
    project.codes = {name: guid(f"atlas {name}") for name in names}
    codebook = "".join(f"<Code {a(guid='{' + project.codes[n] + '}', name=n, isCodable='true')}>"
                       + (f"<Description>About {n}.</Description>" if n != "breakfasts" else "")
                       + (f"<NoteRef {a(targetGUID=guid('note code'))}/>" if n == "contacts" else "")
                       + "</Code>" for n in names)
    picks = [("Mostly contacts. We meet at the breakfasts, and sometimes a contact becomes a project.",
              ["contacts", "breakfasts"], None),
             ("I trust the small ones.", ["positive::trust"], "small firms are trusted"),
             ("The big ones I do not trust at all; they take and never give.", ["negative::trust", "negative"], None),
             ("Do you trust the other members?", [], None)]
    selections = []
    for n, (phrase, codes, name) in enumerate(picks):
        start = text.index(phrase)
        project.selections.append((phrase, codes))
        shown = name or (phrase[:100] + "…" if len(phrase) > 100 else phrase[:30] + "…")
        codings = "".join(f"<Coding {a(guid=guid(f'atlas coding {n} {c}'), creatingUser=guid('user atlas'), creationDateTime='2019-03-27T19:04:19Z')}>"
                          f"<CodeRef {a(targetGUID=project.codes[c].upper())}/></Coding>" for c in codes)
        note = f"<NoteRef {a(targetGUID=guid('note selection'))}/>" if n == 1 else ""
        selections.append(f"<PlainTextSelection {a(guid=guid(f'atlas sel {n}'), name=shown, startPosition=start, endPosition=start + len(phrase), creatingUser=guid('user atlas'), creationDateTime='2019-03-27T19:04:19Z')}>"
                          f"{'<Description>Carla hesitates here.</Description>' if n == 2 else ''}{codings}{note}</PlainTextSelection>")
    source, missing, empty = guid("atlas source"), guid("atlas missing"), guid("atlas empty")
    qde = (f'<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<Project xmlns="{PROJECT_NS}" '
           f'{a(name="Breakfast clusters", origin="ATLAS.ti 23.0")}>'
           f"<Users><User {a(guid=guid('user atlas').upper(), name='Ali Atlas')}/></Users>"
           f"<CodeBook><Codes>{codebook}</Codes></CodeBook>"
           f"<Variables><Variable {a(guid=guid('var country'), name='Country', typeOfVariable='Text')}/>"
           f"<Variable {a(guid=guid('var gender'), name='gender', typeOfVariable='Text')}/></Variables>"
           f"<Cases><Case {a(guid=guid('atlas case'), name='Metal cluster')}><Description>The metal cluster.</Description>"
           f"<VariableValue><VariableRef {a(targetGUID=guid('var country'))}/><TextValue>Poland</TextValue></VariableValue>"
           f"<VariableValue><VariableRef {a(targetGUID=guid('var gender'))}/><TextValue>female</TextValue></VariableValue>"
           f"<SourceRef {a(targetGUID=source)}/></Case></Cases>"
           f"<Sources><TextSource {a(guid=source, name='Carla.docx', plainTextPath=f'internal://{source}.txt')}>"
           f"{''.join(selections)}</TextSource>"
           f"<TextSource {a(guid=missing, name='Lost.txt', plainTextPath=f'internal://{missing}.txt')}>"
           f"<PlainTextSelection {a(guid=guid('lost sel'), startPosition=0, endPosition=4)}/></TextSource>"
           f"<TextSource {a(guid=empty, name='Empty.txt', plainTextPath=f'internal://{empty}.txt')}/>"
           f"<PDFSource {a(guid=guid('pdf'), name='flyer.pdf', path='internal://flyer.pdf')}>"
           f"<PDFSelection {a(guid=guid('pdf sel'), page=0, firstX=1, firstY=1, secondX=2, secondY=2)}/></PDFSource></Sources>"
           f"<Notes><Note {a(guid=guid('note code'), name='Memo on contacts')}><PlainTextContent>Contacts are the main gain.</PlainTextContent></Note>"
           f"<Note {a(guid=guid('note selection'))}><PlainTextContent>Compare with the big firms.</PlainTextContent></Note>"
           f"<Note {a(guid=guid('note project'), name='Research plan')}><PlainTextContent>Interview three members.</PlainTextContent></Note></Notes>"
           f"<Sets><Set {a(guid=guid('set'), name='relations')}><MemberCode {a(targetGUID=project.codes['contacts'])}/>"
           f"<MemberCode {a(targetGUID=project.codes['positive::trust'])}/></Set></Sets></Project>")
    write_qdpx(project.path, qde, {f"sources/{source}.txt": text.encode("utf-8"), f"sources/{empty}.txt": b""},
               qde_name="Breakfast clusters.qde")
    return project


def qualcoder(tmp: Path) -> Project:
    """QualCoder style: bare file names as source paths, code points."""
    text = "Dora: The cluster office sends newsletters. Nobody reads them.\n"
    project = Project(tmp / "qualcoder.qdpx")
    project.codes = {"communication": guid("qc communication")}
    phrase = "Nobody reads them."
    start = text.index(phrase)
    project.selections = [(phrase, ["communication"])]
    source = guid("qc source")
    qde = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{PROJECT_NS}" {a(name="QualCoder project", origin="QualCoder 3.5")}>'
           f"<CodeBook><Codes><Code {a(guid=project.codes['communication'], name='communication', isCodable='true')}/></Codes></CodeBook>"
           f"<Sources><TextSource {a(guid=source, name='dora', plainTextPath='dora.txt')}>"
           f"<PlainTextSelection {a(guid=guid('qc sel'), startPosition=start, endPosition=start + len(phrase))}>"
           f"<Coding {a(guid=guid('qc coding'))}><CodeRef {a(targetGUID=project.codes['communication'])}/></Coding>"
           f"</PlainTextSelection></TextSource></Sources></Project>")
    write_qdpx(project.path, qde, {"sources/dora.txt": text.encode("utf-8")})
    return project


def maxqda_codebook(tmp: Path) -> Project:
    """MAXQDA: a .qdc in the namespace urn:QDA-XML:codebook:0:4 (not the XSD's), nested codes,
    three-digit colours, a set whose members are named by @guid."""
    project = Project(tmp / "maxqda.qdc")
    tree = [("Governance", [("Rules", []), ("Leadership", [])]), ("Learning", [])]
    codes = codes_xml(tree, upper=False, codes=project.codes).replace("#00AA00", "#0a0")
    xml = (f'<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:0:4" origin="MAXQDA 24">'
           f"<Codes>{codes}</Codes><Sets><Set {a(guid=guid('mx set'), name='core')}>"
           f"<MemberCode {a(guid=project.codes['Governance::Rules'])}/><MemberCode {a(guid=project.codes['Learning'])}/>"
           f"</Set></Sets></CodeBook>")
    project.path.write_text(xml, encoding="utf-8")
    return project
