"""Transcripts kept with a dataset (table transcripts) and the quotations located in them.

A transcript's file is read as bytes and decoded as UTF-8 without replacement and without
translating line ends, so that positions count exactly the characters (Unicode code points) of
the file after a byte-order mark. A quotation with ``transcript``, ``start`` and ``end`` must be
exactly the transcript's text between those positions; it then becomes a W3C Web Annotation
specific resource of the transcript with a TextPositionSelector and a TextQuoteSelector
(``oa:exact``, and ``oa:prefix``/``oa:suffix``: up to :data:`CONTEXT` characters around it).
"""

from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from clkg.errors import InputError, Problem

from .casedata import RDF_TYPE, tables
from .limits import Limits, read_file

OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
#: Characters of context a TextQuoteSelector keeps before and after the quotation.
CONTEXT = 32
_POSITIONED = ("transcript", "start", "end")


def transcript_quads(transcripts, quotations, labels, *, folder: Path | None, mapping, limits=None):
    """Quads for the transcripts' texts and the quotations' selectors, and the problems found.

    ``transcripts`` and ``quotations`` are checked rows ``(row number, {column: cell})``;
    ``labels`` maps a table name to its RawTable (for messages).
    """
    specs = tables()
    g = mapping.graph
    quads, problems, texts = [], [], {}
    for number, row in transcripts:
        label = labels["transcripts"].label
        text = _transcript_text(row["file"], folder, label, number, problems, limits or Limits.from_env())
        if text is None:
            continue
        subject = NamedNode(mapping.iri(specs["transcripts"].about, row))
        texts[row["transcript_id"]] = text
        quads.append(Quad(subject, NamedNode(PROV + "value"), Literal(text), g))
    columns = {c.name: c for c in specs["quotations"].columns}
    for number, row in quotations:
        label = labels["quotations"].label
        if row.get("coder"):
            agent = NamedNode(mapping.iri(columns["coder"].value, row))
            quads += [Quad(agent, RDF_TYPE, NamedNode(PROV + "Agent"), g),
                      Quad(agent, RDFS_LABEL, Literal(row["coder"]), g)]
        given = [c for c in _POSITIONED if row.get(c)]
        if not given:
            continue
        if len(given) < len(_POSITIONED):
            missing = next(c for c in _POSITIONED if not row.get(c))
            problems.append(Problem(label, f"a quotation located in a transcript needs {', '.join(_POSITIONED)}: "
                                    f"{missing} is empty", number, missing))
            continue
        text = texts.get(row["transcript"])
        if text is None:
            continue  # an unknown transcript id, or an unreadable file: reported already
        start, end = int(row["start"]), int(row["end"])
        if not start <= end <= len(text):
            problems.append(Problem(label, f"start {start} and end {end} do not lie within transcript "
                                    f"{row['transcript']!r} (0 to {len(text)} characters), start first",
                                    number, "end" if start <= end else "start"))
            continue
        if text[start:end] != row["text"]:
            from clkg.text import shown

            problems.append(Problem(label, f"transcript {row['transcript']!r} holds '{shown(text[start:end], limit=80)}' "
                                    f"from {start} to {end}, not the quotation's text '{shown(row['text'], limit=80)}'",
                                    number, "text"))
            continue
        quotation = NamedNode(mapping.iri(specs["quotations"].about, row))
        position = NamedNode(mapping.iri(columns["start"].about, row))
        quote = NamedNode(quotation.value + "#quote")
        quads += [Quad(quotation, RDF_TYPE, NamedNode(OA + "SpecificResource"), g),
                  Quad(quotation, NamedNode(OA + "hasSelector"), position, g),
                  Quad(quotation, NamedNode(OA + "hasSelector"), quote, g),
                  Quad(position, RDF_TYPE, NamedNode(OA + "TextPositionSelector"), g),
                  Quad(quote, RDF_TYPE, NamedNode(OA + "TextQuoteSelector"), g),
                  Quad(quote, NamedNode(OA + "exact"), Literal(row["text"]), g)]
        for prop, context in (("prefix", text[max(0, start - CONTEXT):start]), ("suffix", text[end:end + CONTEXT])):
            if context:
                quads.append(Quad(quote, NamedNode(OA + prop), Literal(context), g))
    return quads, problems


def _transcript_text(file: str, folder: Path | None, label: str, number: int, problems, limits) -> str | None:
    """The text of one transcript file (a regular file within the limits), or None with a problem added."""
    if folder is None:
        problems.append(Problem(label, "a transcript needs its file beside the dataset, and this dataset "
                                "is not read from a folder or workbook", number, "file"))
        return None
    path = (folder / file).resolve()
    if not path.is_relative_to(folder.resolve()):
        problems.append(Problem(label, f"{file!r} lies outside the dataset folder: keep transcripts inside it",
                                number, "file"))
        return None
    try:
        return read_file(path, limits).decode("utf-8-sig")
    except InputError as err:
        problems += [Problem(label, f"{file!r}: {p.message}", number, "file") for p in err.problems]
    except UnicodeDecodeError as err:
        problems.append(Problem(label, f"{file!r} is not UTF-8 text (byte 0x{err.object[err.start]:02x} at "
                                f"byte {err.start}): save it as UTF-8", number, "file"))
    return None
