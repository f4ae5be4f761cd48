"""A REFI-QDA project as the tables of the case-data format, and an account of what went where.

Codes become the study's concepts (hierarchy from nesting or from ``::`` in names), text sources
its transcripts (one informant each: the person interviewed), coded selections its quotations
(one per distinct span, with every code applied to it), REFI cases its cases. What the format
has no column for is kept in the ``note`` of the record it belongs to, and counted; what it
cannot hold at all is counted as skipped, with the reason.
"""

import codecs
import re
import unicodedata
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from clkg.loaders.casedata import check_cell, tables
from clkg.prefixes import PREFIX

from clkg.errors import UsageError

from .archive import Archive, open_archive, source_member
from .offsets import SPEC, detect
from .reader import Code, Project, Source, read_project

#: The definition of a code that has no description (the format requires one); the export
#: leaves it out again.
NO_DESCRIPTION = "(no description in the QDA project)"
#: The definition of a heading made for codes named 'A::B' when the project has no code 'A'.
HEADING = "Heading of the codes named '{}::…' (the QDA project has no code of this name)."
KIND_ASSUMED = "kind: the QDA project does not say; ClusterInitiative assumed, correct it if needed"
WHOLE_PROJECT = ("The QDA project names no case: this case stands for the whole project. "
                 "Give it its real name, kind and details.")
_UUID_NAMESPACE = uuid.UUID("7d7ab1a4-6a35-5d0e-9f57-6f0c1f1c8a10")


def made_uuid(*parts: str) -> str:
    """A UUID made from names, the same every time (for records that had none)."""
    return str(uuid.uuid5(_UUID_NAMESPACE, "\x1f".join(parts)))


def slug(text: str) -> str:
    """Letters and digits of ``text`` (accents dropped), lower case, joined by '-'."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower()[:60].strip("-")


@dataclass
class Imported:
    """The tables (name -> rows of cells), the transcript files (path -> text) and the account."""

    study_id: str
    tables: dict[str, list[dict[str, str]]]
    files: dict[str, str]
    taken: Counter = field(default_factory=Counter)
    noted: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    readings: list[str] = field(default_factory=list)


class _Ids:
    """Unique ids within one table."""

    def __init__(self):
        self.used = set()

    def take(self, wanted: str, fallback: str) -> str:
        base = wanted or fallback
        found, n = base, 1
        while found in self.used:
            n += 1
            found = f"{base}-{n}"
        self.used.add(found)
        return found


def import_file(path, *, study_id: str) -> Imported:
    """Read a .qdpx project, or a .qde or .qdc file, as the dataset of study ``study_id``.

    :raises UsageError: for a study id that is not an id.
    :raises InputError: for a file that cannot be read, is over the caps or is not REFI-QDA XML.
    """
    if not re.fullmatch(r"[A-Za-z0-9_-]+", study_id):
        raise UsageError(f"{study_id!r} is not a study id: use letters, digits, - and _ only")
    archive = open_archive(path)
    label = f"{archive.label}/{archive.xml_name}" if archive.members else archive.label
    return import_project(read_project(archive.xml, label=label), archive, study_id=study_id)


def account(imported: Imported) -> list[str]:
    """What the import took, kept as notes, skipped (and why), how it read positions, and warnings."""
    lines = []
    for title, counts in (("took", imported.taken), ("kept as notes", imported.noted),
                          ("skipped", imported.skipped)):
        if any(counts.values()):
            lines.append(f"{title}:")
            lines += [f"  {count:>6,}  {what}" for what, count in counts.items() if count]
    if imported.readings:
        lines.append("positions:")
        lines += [f"  {line}" for line in imported.readings]
    lines += [f"warning: {w}" for w in imported.warnings]
    return lines


def import_project(project: Project, archive: Archive, *, study_id: str) -> Imported:
    """The case-data tables for ``project``, read from ``archive``, as study ``study_id``."""
    return _Importer(project, archive, study_id).run()


class _Importer:
    def __init__(self, project: Project, archive: Archive, study_id: str):
        self.p, self.archive, self.study_id = project, archive, study_id
        self.prefix = study_id if PREFIX.fullmatch(study_id) else f"s-{study_id}"
        name = project.name or archive.xml_name.rsplit(".", 1)[0]
        self.title = name
        self.label = (f"REFI-QDA project '{name}'" if project.kind == "project"
                      else f"REFI-QDA codebook {archive.xml_name}")
        self.out = Imported(study_id, defaultdict(list), {})
        self.used_notes: set[str] = set()
        self.concepts: dict[str, str] = {}  # code guid -> concept id

    def run(self) -> Imported:
        self._concepts()
        cases_of_sources, cases_of_selections = self._cases()
        self._transcripts(cases_of_sources, cases_of_selections)
        self._study()
        self.out.tables = dict(self.out.tables)
        for kind, count in self.p.other.items():
            self.out.skipped[f"{kind}: the case-data format holds text only"
                             if "source" in kind or "selection" in kind else
                             f"{kind}: no place in the case-data format"] += count
        return self.out

    # --------------------------------------------------------------- notes
    def _note_parts(self, guids: list[str]) -> list[str]:
        parts = []
        for g in guids:
            note = self.p.notes.get(g)
            if note is None:
                self.out.skipped["note references to no note of the project"] += 1
                continue
            self.used_notes.add(g)
            text = note.text if note.text is not None else self._note_file(note)
            if text:
                parts.append(f"{note.name}: {text}" if note.name else text)
                self.out.noted["notes (memos) kept in the note of what they are about"] += 1
        return parts

    def _note_file(self, note) -> str:
        text = self._file_text(note.path, f"note {note.name or note.guid}")
        return (text[0] or "").strip() if text else ""

    @staticmethod
    def _joined(parts) -> str:
        seen = []
        for part in (p.strip() for p in parts if p and p.strip()):
            if part not in seen:
                seen.append(part)
        return "\n".join(seen)

    # --------------------------------------------------------------- concepts
    def _concepts(self) -> None:
        entries: list[tuple[Code | None, tuple[str, ...]]] = []

        def walk(code: Code, parent: tuple[str, ...]):
            path = parent + tuple(s.strip() for s in code.name.split("::") if s.strip())
            entries.append((code, path or (code.name,)))
            for c in code.children:
                walk(c, path)
        for code in self.p.codes:
            walk(code, ())
        known = {path for _, path in entries}
        made = []
        for _, path in entries:
            for n in range(1, len(path)):
                if path[:n] not in known:
                    known.add(path[:n])
                    made.append((None, path[:n]))
        entries = made + entries
        counts = Counter(slug(path[-1]) for _, path in entries)
        ids, by_path = _Ids(), {}
        for code, path in entries:
            wanted = slug(path[-1]) if counts[slug(path[-1])] == 1 else slug("-".join(path))
            concept = ids.take(wanted, f"code-{code.guid[:8]}" if code else "heading")
            by_path.setdefault(path, concept)
            if code:
                self.concepts[code.guid] = concept
        groups = defaultdict(list)
        for code_set in self.p.sets:
            if code_set.codes:
                self.out.taken["code sets → concept groups (column groups of concepts.csv)"] += 1
                for g in code_set.codes:
                    groups[g].append(code_set.name.replace(";", ","))
        rows = self.out.tables["concepts"]
        for code, path in entries:
            parent = by_path.get(path[:-1]) if len(path) > 1 else None
            row = {"concept_id": by_path[path] if code is None else self.concepts[code.guid],
                   "label": path[-1], "broader": f"{self.prefix}:{parent}" if parent else "",
                   "source": f"{self.label}, code book"}
            if code is None:
                row.update(definition=HEADING.format("::".join(path)), codable="false",
                           uuid=made_uuid(self.study_id, "::".join(path)))
                self.out.taken["headings made for '::' names"] += 1
            else:
                row.update(definition=code.description or NO_DESCRIPTION, codable=str(code.codable).lower(),
                           uuid=code.guid, color=code.color or "", groups=";".join(groups.get(code.guid, [])),
                           note=self._joined(self._note_parts(code.notes)))
                self.out.taken["codes → concepts.csv"] += 1
            rows.append(row)
        unknown = sum(1 for s in self.p.sets for g in s.codes if g not in self.concepts)
        if unknown:
            self.out.skipped["set members that are no code of the project"] += unknown

    # --------------------------------------------------------------- cases
    def _cases(self) -> tuple[dict[str, str], dict[str, str]]:
        spec = tables()["cases"]
        columns = {c.name: c for c in spec.columns if not c.virtual and c.name not in
                   ("case_id", "name", "source", "note", "uuid")}
        ids, of_sources, of_selections = _Ids(), {}, {}
        rows = self.out.tables["cases"]
        for case in self.p.cases:
            case_id = ids.take(slug(case.name or ""), f"case-{case.guid[:8]}")
            row, parts = {"case_id": case_id, "name": case.name or f"Case {case.guid[:8]}", "uuid": case.guid,
                          "source": f"{self.label}, cases"}, [case.description]
            for variable, value in case.variables:
                name = self.p.variables.get(variable, variable)
                column = columns.get(slug(name).replace("-", "_"))
                if column is not None and value and check_cell(column, value) is None and column.name not in row:
                    row[column.name] = value
                    self.out.taken["case variables → columns of cases.csv"] += 1
                elif value:
                    parts.append(f"{name} = {value}")
                    self.out.noted["case variables kept in the note of the case"] += 1
            if case.codes:
                labels = [self.concepts.get(g, g) for g in case.codes]
                parts.append("codes: " + "; ".join(labels))
                self.out.noted["codes applied to whole cases, kept in the case's note"] += len(case.codes)
            if "kind" not in row:
                row["kind"] = "ClusterInitiative"
                parts.append(KIND_ASSUMED)
            row["note"] = self._joined(parts)
            rows.append(row)
            self.out.taken["cases → cases.csv"] += 1
            for g in case.sources:
                of_sources.setdefault(g, case_id)
            for g in case.selections:
                of_selections.setdefault(g, case_id)
        if not rows:
            rows.append({"case_id": slug(self.title) or "project", "name": self.title, "kind": "ClusterInitiative",
                         "source": self.label, "note": WHOLE_PROJECT})
            self.out.warnings.append(f"the project names no case: cases.csv has one case for the whole project "
                                     f"({rows[0]['case_id']}); give it its real name, kind and details")
        return of_sources, of_selections

    # --------------------------------------------------------------- transcripts and quotations
    def _file_text(self, path: str | None, what: str) -> tuple[str, bool] | None:
        """(text, whether it had a byte-order mark) of a file the project names, or None with a warning."""
        if not path:
            self.out.warnings.append(f"{what}: names no text file")
            return None
        names, why = source_member(path)
        if why:
            self.out.warnings.append(f"{what}: {why}")
            return None
        data = next((d for d in map(self.archive.read, names) if d is not None), None)
        if data is None:
            self.out.warnings.append(f"{what}: its file {path!r} is missing from {self.archive.label}")
            return None
        for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                              (codecs.BOM_UTF16_BE, "utf-16-be"), (b"", "utf-8")):
            if data.startswith(bom):
                try:
                    return data[len(bom):].decode(encoding), bool(bom)
                except UnicodeDecodeError as err:
                    self.out.warnings.append(f"{what}: its file {path!r} is not {encoding.upper()} text "
                                             f"(byte {err.start + len(bom)}): left out")
                    return None

    def _transcripts(self, cases_of_sources: dict[str, str], cases_of_selections: dict[str, str]) -> None:
        ids, quotations = _Ids(), []
        for source in self.p.sources:
            what = f"source {source.name or source.guid!r}"
            if source.content is not None:
                text, had_bom = source.content, False
            else:
                found = self._file_text(source.path, what)
                if found is None:
                    self.out.skipped["selections in sources whose text is missing"] += len(source.selections)
                    continue
                text, had_bom = found
            if not text:
                self.out.warnings.append(f"{what}: its text is empty")
                self.out.skipped["selections in sources whose text is missing"] += len(source.selections)
                continue
            stem = source.name.rsplit(".", 1)[0] if re.search(r"\.(txt|docx?|rtf|odt|pdf)$", source.name, re.I) else source.name
            transcript_id = ids.take(slug(stem), f"source-{source.guid[:8]}")
            case_id = cases_of_sources.get(source.guid, "")
            self._transcript_rows(source, transcript_id, text, case_id)
            quotations += self._spans(source, transcript_id, text, had_bom, case_id, cases_of_selections)
        self.out.tables["quotations"] += quotations
        coders = {row["coder"] for row in quotations}
        self.out.taken["users → coder names (column coder of quotations.csv)"] += sum(
            1 for name in self.p.users.values() if name in coders)

    def _transcript_rows(self, source: Source, transcript_id: str, text: str, case_id: str) -> None:
        parts = [source.description, *self._note_parts(source.notes)]
        for variable, value in source.variables:
            if value:
                parts.append(f"{self.p.variables.get(variable, variable)} = {value}")
                self.out.noted["source variables kept in the note of the transcript"] += 1
        sets = [s.name for s in self.p.sets if source.guid in s.sources]
        if sets:
            parts.append("sets: " + "; ".join(sets))
            self.out.noted["source sets kept in the note of the transcript"] += len(sets)
        file = f"transcripts/{transcript_id}.txt"
        self.out.files[file] = text
        self.out.tables["transcripts"].append({
            "transcript_id": transcript_id, "name": source.name, "file": file, "case_id": case_id,
            "uuid": source.guid, "source": self.label, "note": self._joined(parts)})
        self.out.tables["informants"].append({
            "informant_id": transcript_id, "case_id": case_id, "code": source.name, "source": self.label,
            "note": f"The person interviewed in transcript '{source.name}': the QDA project does not say who speaks."})
        self.out.taken["text sources → transcripts.csv (and one informant each)"] += 1

    def _spans(self, source: Source, transcript_id: str, text: str, had_bom: bool, case_id: str,
               cases_of_selections: dict[str, str]) -> list[dict]:
        """One quotation row per distinct span of the source's selections, in text order."""
        selections = source.selections
        if not selections:
            return []
        found = detect(text, [(s.start, s.end, s.name) for s in selections], had_bom=had_bom)
        if found.runner_up is None:
            how = f"{found.reading} (every reading gives the same positions)"
        else:
            how = f"{found.reading} (score {found.score}; {found.runner_up[0]}: {found.runner_up[1]})"
        if found.reading != SPEC or found.runner_up is not None:
            self.out.readings.append(f"{transcript_id}: positions read as {how}")
        spans: dict[tuple[int, int], list] = {}
        for selection, span in zip(selections, found.spans):
            if span is None:
                self.out.skipped["selections whose positions lie outside their source's text"] += 1
                continue
            start, end = span
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start == end:
                self.out.skipped["selections of no text (empty or white space only)"] += 1
                continue
            if (start, end) != span:
                self.out.noted["selections trimmed of white space at their ends"] += 1
            spans.setdefault((start, end), []).append(selection)
        rows = [self._quotation(f"{transcript_id}-q{k}", transcript_id, text, start, end, group,
                                next((cases_of_selections[s.guid] for s in group if s.guid in cases_of_selections),
                                     case_id), source.name)
                for k, ((start, end), group) in enumerate(sorted(spans.items()), start=1)]
        self.out.taken["coded selections → quotations.csv"] += sum(len(g) for g in spans.values())
        self.out.taken["quotations (one per distinct span)"] += len(spans)
        return rows

    def _quotation(self, quotation_id, transcript_id, text, start, end, group, case_id, source_name) -> dict:
        concepts, parts = [], []
        first = group[0]
        for selection in group:
            parts += [selection.description, *self._note_parts(selection.notes)]
            name = re.sub(r"\s+", " ", selection.name.rstrip("…").removesuffix("...")).strip()
            if name and not re.sub(r"\s+", " ", text[start:end]).startswith(name):
                parts.append(f"name: {selection.name}")
                self.out.noted["selection names that are not their text, kept in the note"] += 1
            for coding in selection.codings:
                parts += self._note_parts(coding.notes)
                concept = self.concepts.get(coding.code)
                if concept is None:
                    self.out.skipped["codings of a code the project does not have"] += 1
                elif f"{self.prefix}:{concept}" not in concepts:
                    concepts.append(f"{self.prefix}:{concept}")
        user = first.user or next((c.user for c in first.codings if c.user), None)
        created = first.created or next((c.created for c in first.codings if c.created), None)
        coded = next(c for c in tables()["quotations"].columns if c.name == "coded")
        if created and check_cell(coded, created) is not None:
            self.out.skipped["coding dates that are not ISO 8601 date and time"] += 1
            created = None
        others = {c.user for s in group for c in s.codings if c.user} | {s.user for s in group if s.user}
        if len(others - {user}) > 0:
            self.out.skipped["other coders of one span (the quotation keeps who made its first selection)"] += 1
        return {"quotation_id": quotation_id, "text": text[start:end], "speaker": transcript_id, "case_id": case_id,
                "illustrates": ";".join(sorted(concepts)), "transcript": transcript_id, "start": str(start), "end": str(end),
                "coder": (self.p.users.get(user) or user or "") if user else "", "coded": created or "",
                "uuid": first.guid, "source": f"{self.label}, source '{source_name}'", "note": self._joined(parts)}

    # --------------------------------------------------------------- study
    def _study(self) -> None:
        parts = [self.p.description, *self._note_parts(self.p.project_notes)]
        loose = [g for g in self.p.notes if g not in self.used_notes]
        parts += self._note_parts(loose)
        for code_set in self.p.sets:
            if code_set.description:
                parts.append(f"set {code_set.name}: {code_set.description}")
                self.out.noted["set descriptions kept in the study's note"] += 1
        has_concepts = bool(self.out.tables.get("concepts"))
        self.out.tables["study"].append({
            "study_id": self.study_id, "title": self.title, "prefix": self.prefix,
            "frameworks": f"{self.prefix}:scheme" if has_concepts else "", "source": self.label,
            "note": self._joined(parts)})
