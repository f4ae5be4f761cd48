"""Which known labels a new or misspelt one is close to, by letters or acronym: for the
near-duplicate warnings and "did you mean" hints of validation (not the alignment matcher,
which is clkg.similarity)."""

import difflib
import re
import unicodedata

_STOP = {"and", "of", "the", "for", "in", "on", "a", "an", "to", "&"}


def normalised(text: str) -> str:
    """Lower case, accents and punctuation removed, white space folded."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def acronym(text: str) -> str:
    """Initials of the words that are not stop words: "information and communication
    technologies" -> "ict"."""
    return "".join(w[0] for w in normalised(text).split() if w not in _STOP)


def close_labels(label: str, candidates: dict[str, str], *, cutoff: float = 0.8, most: int = 3) -> list[str]:
    """Keys of ``candidates`` ({key: label}) whose label is close to ``label``: nearly the same
    letters, or one is the acronym of the other; best first."""
    mine = normalised(label)
    scored = []
    for key, other in candidates.items():
        theirs = normalised(other)
        if not mine or not theirs:
            continue
        if mine == theirs or (len(mine) > 1 and mine.replace(" ", "") == acronym(other)) or (
                len(theirs) > 1 and theirs.replace(" ", "") == acronym(label)):
            scored.append((1.0, key))
            continue
        ratio = difflib.SequenceMatcher(None, mine, theirs).ratio()
        if ratio >= cutoff:
            scored.append((ratio, key))
    return [key for _, key in sorted(scored, key=lambda s: (-s[0], s[1]))[:most]]
