"""Alignment suggestions as an SSSOM TSV file, for a curator to accept or delete row by row.

The file has the layout :func:`clkg.alignments.read_mapping_set` reads (a ``#``-commented YAML
header, then a tab-separated table), every row with the columns that reader requires (the
justification, ``author_id`` and a ``comment``), so that a row a curator accepts can be moved
into a dataset's ``alignments.sssom.tsv`` as it is.
"""

from collections.abc import Iterable, Mapping
from pathlib import Path

from clkg.alignments import CURIE, SKOS
from clkg.errors import UsageError
from clkg.namespaces import CLKG
from clkg.similarity import MEASURES
from clkg.suggest import CLOSE_MATCH, Suggestion
from clkg.text import shown

SEMAPV = "https://w3id.org/semapv/vocab/"
#: Prefixes every suggestion file uses (predicates, justifications, the author).
BUILT_IN = {"clkg": CLKG, "semapv": SEMAPV, "skos": SKOS}
AUTHOR = "clkg:suggest-alignments"
TOOL = "clkg suggest-alignments"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
COLUMNS = ("subject_id", "subject_label", "predicate_id", "object_id", "object_label", "object_source",
           "mapping_justification", "author_id", "confidence", "similarity_score", "similarity_measure",
           "mapping_tool", "mapping_tool_version", "curation_rule_text", "comment")


def write_sssom(suggestions: Iterable[Suggestion], path: Path, *, subject_source: str, mapping_set_id: str,
                curie_map: Mapping[str, str], license: str = LICENSE) -> None:
    """Write suggestions as an SSSOM TSV mapping set, each row marked as an unreviewed suggestion.

    :param subject_source: the IRI (or a CURIE) of the scheme the subjects come from.
    :param curie_map: prefix -> namespace for the concepts' IRIs; the prefixes in :data:`BUILT_IN`
        are added, and the header lists only the prefixes the file uses.
    :raises UsageError: when an IRI has no prefix in ``curie_map`` to shorten it with.
    """
    import yaml

    from clkg import __version__

    prefixes = {**curie_map, **BUILT_IN}
    used: set[str] = {"semapv", "clkg", "skos"}
    unknown: list[str] = []

    def curie(iri: str) -> str:
        known = CURIE.fullmatch(iri)
        if known and known[1] in prefixes:
            used.add(known[1])
            return iri
        for prefix, namespace in sorted(prefixes.items(), key=lambda item: (-len(item[1]), item[0])):
            local = iri[len(namespace):]
            if iri.startswith(namespace) and CURIE.fullmatch(f"{prefix}:{local}"):
                used.add(prefix)
                return f"{prefix}:{local}"
        unknown.append(iri)
        return iri

    rows = [_row(s, curie, __version__) for s in suggestions]
    source = curie(subject_source)
    if unknown:
        raise UsageError(f"no prefix of the CURIE map shortens {shown(unknown[0])}"
                         f"{f' (and {len(set(unknown)) - 1} more IRIs)' if len(set(unknown)) > 1 else ''}: "
                         "add its namespace to the prefixes")
    metadata = {
        "curie_map": {prefix: prefixes[prefix] for prefix in sorted(used)},
        "mapping_set_id": mapping_set_id,
        "mapping_set_title": f"Unreviewed alignment suggestions for the concepts of {source}",
        "mapping_set_description": (
            f"Unreviewed suggestions made by {TOOL} (clkg {__version__}): candidate mappings from the "
            f"concepts of {source} to concepts of other schemes, found by similarity of their labels and "
            "definitions, not by a person. A curator checks each row against both concepts, keeps the mappings that hold (sharpening the predicate where needed, and "
            "replacing the comment with the evidence for the mapping and author_id with their own "
            "identifier), and deletes the rest."),
        "license": license,
        "subject_source": source,
    }
    header = yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True, width=100)
    lines = [f"#{line}" for line in header.splitlines()] + ["\t".join(COLUMNS)]
    lines += ["\t".join(" ".join(str(row[c]).split()) for c in COLUMNS) for row in rows]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _row(s: Suggestion, curie, version: str) -> dict[str, str]:
    best = "the subject's best match" if s.rank == 1 else f"the subject's match number {s.rank}"
    shared = f"shared words: {', '.join(s.shared_words)}" if s.shared_words else "no shared words"
    return {
        "subject_id": curie(s.subject.iri), "subject_label": s.subject.label,
        "predicate_id": curie(s.predicate),
        "object_id": curie(s.object.iri), "object_label": s.object.label,
        "object_source": curie(s.object.scheme) if s.object.scheme else "",
        "mapping_justification": s.justification, "author_id": AUTHOR,
        "confidence": f"{s.score:.3f}", "similarity_score": f"{s.score:.3f}",
        "similarity_measure": MEASURES[s.method],
        "mapping_tool": TOOL, "mapping_tool_version": version,
        "curation_rule_text": (f"skos:closeMatch when the similarity is at least {CLOSE_MATCH[s.method]} and "
                               "each concept is the other's best match, else skos:relatedMatch"),
        "comment": f"unreviewed suggestion ({s.method} matching): similarity {s.score:.2f}, {best}; {shared}",
    }
