"""Suggested alignments: candidate SKOS mappings from new concepts to the concepts already known.

:func:`suggest` scores every (source, target) pair of concepts of different schemes (see
:mod:`clkg.similarity` for the two methods) and keeps each source's ``top`` best targets that reach
``min_score``. The engine does not care where concepts come from: :func:`concept_texts` reads them
from a store, and anything else can build :class:`ConceptText` values.

The predicate of a suggestion follows one rule. ``skos:closeMatch`` says that two concepts can be
used interchangeably in some applications, a claim a score alone rarely earns, so it is proposed
only when the score reaches the method's :data:`CLOSE_MATCH` threshold *and* the two concepts are
each other's best match (the target scores higher with this source than with any other source,
and the other way round). Every other suggestion is ``skos:relatedMatch``, which claims only an
association; the curator sharpens it to a broad, narrow, close or exact match where it is one.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from clkg.errors import UsageError
from clkg.similarity import MEASURES, label_text, scores, stop_stems, words

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
CLOSE = SKOS + "closeMatch"
RELATED = SKOS + "relatedMatch"
METHODS = tuple(MEASURES)
#: SSSOM mapping justifications (semapv CURIEs), by method.
JUSTIFICATIONS = {"lexical": "semapv:LexicalMatching", "embedding": "semapv:SemanticSimilarityThresholdMatching"}
#: The lowest score proposed as skos:closeMatch (with mutual best match), by method.
CLOSE_MATCH = {"lexical": 0.5, "embedding": 0.7}
#: The lowest score suggested at all unless asked otherwise, by method: below it, pairs share
#: little more than common words (lexical) or the domain's general vocabulary (embedding).
MIN_SCORE = {"lexical": 0.05, "embedding": 0.25}
SHARED_WORDS = 8

CONCEPTS_QUERY = f"""SELECT DISTINCT ?concept ?property ?value WHERE {{
  ?concept a <{SKOS}Concept> .
  OPTIONAL {{ VALUES ?property {{ <{SKOS}prefLabel> <{RDFS}label> <{SKOS}altLabel> <{SKOS}definition>
                                 <{SKOS}inScheme> }}
             ?concept ?property ?value }}
}}"""


@dataclass(frozen=True)
class ConceptText:
    """What the matcher reads of a concept: its IRI, labels, definition and concept scheme."""

    iri: str
    label: str
    definition: str = ""
    alt_labels: tuple[str, ...] = ()
    scheme: str = ""


@dataclass(frozen=True)
class Suggestion:
    """One proposed mapping ``subject predicate object``, unreviewed.

    ``predicate`` is the IRI of skos:closeMatch or skos:relatedMatch, ``score`` the similarity
    (0 to 1), ``justification`` a semapv CURIE, ``rank`` the object's place among the subject's
    suggestions (1 = best) and ``shared_words`` the words both concepts use, rarest first.
    """

    subject: ConceptText
    object: ConceptText
    predicate: str
    score: float
    justification: str
    method: str
    rank: int
    shared_words: tuple[str, ...] = ()


def concept_texts(store) -> list[ConceptText]:
    """Every skos:Concept of a store, by IRI, read with one query.

    The label is the skos:prefLabel (else an rdfs:label), in English where there is one, else
    without a language tag; the other labels become alternative labels. A concept in several
    schemes is given the first scheme IRI in sorted order.
    """
    _, rows = store.select(CONCEPTS_QUERY)
    return _texts(rows)


def dataset_concept_texts(dataset) -> list[ConceptText]:
    """The concepts of a :class:`clkg.loaders.Dataset`'s own codebook, read as :func:`concept_texts`
    reads a store. The values it adds to open vocabularies (a new sector) are left out: they are
    compared with the other values of their vocabulary by validation (near-duplicate warnings)."""
    from pyoxigraph import Store

    from clkg.namespaces import dataset_base

    memory = Store()
    memory.extend(dataset.quads)
    rows = [tuple(row) for row in memory.query(CONCEPTS_QUERY, use_default_graph_as_union=True)]
    own = dataset_base(dataset.study_id)
    return [text for text in _texts(rows) if text.iri.startswith(own) and text.scheme.startswith(own)]


def _texts(rows) -> list[ConceptText]:
    """ConceptText values from the (concept, property, value) rows of :data:`CONCEPTS_QUERY`."""
    values: dict[str, dict[str, list]] = {}
    for concept, prop, value in rows:
        fields = values.setdefault(concept.value, {})
        if prop is not None:
            fields.setdefault(prop.value.rpartition("#")[2].rpartition("/")[2], []).append(value)
    texts = []
    for iri, fields in sorted(values.items()):
        labels = _by_language(fields.get("prefLabel", [])) + _by_language(fields.get("label", []))
        label = labels[0] if labels else ""
        others = [text for text in dict.fromkeys(labels[1:] + _by_language(fields.get("altLabel", [])))
                  if text != label]
        definitions = _by_language(fields.get("definition", []))
        schemes = sorted(term.value for term in fields.get("inScheme", []))
        texts.append(ConceptText(iri, label, definitions[0] if definitions else "", tuple(others),
                                 schemes[0] if schemes else ""))
    return texts


def _by_language(literals: list) -> list[str]:
    """Literal values, English first, then untagged, then other languages; each group sorted."""
    def rank(term) -> tuple[int, str]:
        language = (getattr(term, "language", None) or "").lower()
        return (0 if language == "en" or language.startswith("en-") else 1 if not language else 2), term.value
    return [term.value for term in sorted(literals, key=rank)]


def suggest(sources: Sequence[ConceptText], targets: Sequence[ConceptText], *, top: int = 5,
            method: str = "lexical", min_score: float | None = None) -> list[Suggestion]:
    """Up to ``top`` targets for each source, best first, never one of the source's own scheme.

    :param min_score: the lowest score suggested (default: :data:`MIN_SCORE` of the method).
    :raises UsageError: for ``top`` < 1, a ``min_score`` outside 0..1, an unknown method, or
        ``embedding`` without the extra ``clkg[embeddings]``.
    """
    import numpy as np

    if method not in METHODS:
        raise UsageError(f"unknown matching method {method!r}: use one of {', '.join(METHODS)}")
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise UsageError(f"--top must be a whole number of at least 1, not {top!r}")
    floor = MIN_SCORE[method] if min_score is None else min_score
    if not 0.0 <= floor <= 1.0:
        raise UsageError(f"the minimum score must be from 0 to 1, not {floor!r}")
    sources, targets = list(sources), list(targets)
    if not sources or not targets:
        return []
    matrix = scores(sources, targets, method=method)
    allowed = np.array([[t.iri != s.iri and not (s.scheme and s.scheme == t.scheme) for t in targets]
                        for s in sources])
    matrix = np.where(allowed, matrix, -1.0)
    best_source = matrix.argmax(axis=0)
    stems = [_stems(c) for c in sources + targets]
    frequency = Counter(stem for found in stems for stem in found)
    suggestions = []
    for i, source in enumerate(sources):
        order = [j for j in np.argsort(-matrix[i], kind="stable") if allowed[i, j] and matrix[i, j] >= floor]
        for rank, j in enumerate(order[:top], start=1):
            score = float(matrix[i, j])
            close = rank == 1 and best_source[j] == i and score >= CLOSE_MATCH[method]
            suggestions.append(Suggestion(source, targets[j], CLOSE if close else RELATED, round(score, 4),
                                          JUSTIFICATIONS[method], method, rank,
                                          _shared_words(stems[i], stems[len(sources) + j], frequency)))
    return suggestions


def _stems(concept: ConceptText) -> dict[str, str]:
    """Stem -> the word as the concept first writes it, for its labels and definition."""
    found: dict[str, str] = {}
    for stem, word in words(f"{label_text(concept)} {concept.definition}"):
        found.setdefault(stem, word)
    return found


def _shared_words(mine: dict[str, str], theirs: dict[str, str], frequency: Counter) -> tuple[str, ...]:
    """The subject's words (``mine``: see :func:`_stems`) whose stems the object uses too, rarest
    first; stop words and one-letter words left out."""
    shared = sorted({stem for stem in mine.keys() & theirs.keys() if len(stem) > 1} - stop_stems(),
                    key=lambda stem: (frequency[stem], stem))
    return tuple(mine[stem] for stem in shared[:SHARED_WORDS])
