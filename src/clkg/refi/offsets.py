"""Positions in a source text as the writing tool counted them, turned into code points.

The standard counts Unicode code points; NVivo counts UTF-16 code units (a character beyond
U+FFFF is two), leaves out a leading byte-order mark, and on Windows counts CRLF as two. Each
possible reading of a source's positions is scored against its selections (ends that fall
inside a word or a surrogate pair, or outside the text, count against a reading; a selection
name that is the start of the selected text counts for it), and the best one is used. The text
is never decoded with replacement characters nor its line ends translated: positions are
counted on the text exactly as the file holds it.
"""

import re
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate, product

_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")
_CR = re.compile("\r(?=\n)")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Reading:
    """One way a tool may have counted positions."""

    utf16: bool  # UTF-16 code units (else code points)
    bom: bool  # a leading byte-order mark counted as one position
    crlf: int  # positions a CRLF line end counts: 2 (as the file has it) or 1

    def __str__(self) -> str:
        parts = ["UTF-16 code units" if self.utf16 else "code points",
                 "byte-order mark counted" if self.bom else None,
                 "CRLF as one" if self.crlf == 1 else None]
        return ", ".join(p for p in parts if p)


SPEC = Reading(utf16=False, bom=False, crlf=2)


class Positions:
    """Maps a reading's positions to code points of ``text``.

    ``specials`` are the code point indexes of the characters beyond U+FFFF and of the CRs of
    CRLF line ends (see :func:`specials`), computed once per text for every reading.
    """

    def __init__(self, text: str, reading: Reading, *, found: tuple[list[int], list[int]] | None = None):
        astral, crs = found or specials(text)
        weighted = sorted(([(i, 1) for i in astral] if reading.utf16 else [])
                          + ([(i, -1) for i in crs] if reading.crlf == 1 else []))
        self.length = len(text)
        self.shift = 1 if reading.bom else 0
        self.starts = [i for i, _ in weighted]
        self.extras = [0, *accumulate(w for _, w in weighted)]
        self.bounds = [i + e for i, e in zip(self.starts, self.extras)]
        self.total = self.extras.pop()

    def code_point(self, position: int) -> int | None:
        """The code point index a position names, None inside a surrogate pair or outside the text."""
        position -= self.shift
        k = bisect_left(self.bounds, position)
        extra = self.extras[k] if k < len(self.extras) else self.total
        index = position - extra
        low = self.starts[k - 1] + 1 if k > 0 else 0
        return index if low <= index <= self.length and position >= 0 else None


def specials(text: str) -> tuple[list[int], list[int]]:
    """(indexes of the characters beyond U+FFFF, indexes of the CRs of CRLF line ends)."""
    return ([m.start() for m in _ASTRAL.finditer(text)] if not text.isascii() else [],
            [m.start() for m in _CR.finditer(text)])


def readings(found: tuple[list[int], list[int]], *, had_bom: bool) -> list[Reading]:
    """The readings worth trying for a text with these :func:`specials`, the standard's first."""
    astral, crs = found
    return [Reading(u, b, c) for u, b, c in product((False, True) if astral else (False,),
                                                    (False, True) if had_bom else (False,),
                                                    (2, 1) if crs else (2,))]


@dataclass
class Detected:
    """The reading chosen for one source, the spans in code points (None: not in the text), and why."""

    reading: Reading
    spans: list[tuple[int, int] | None]
    score: int
    runner_up: tuple[Reading, int] | None  # the best other reading that gives other spans


def detect(text: str, selections: list[tuple[int, int, str]], *, had_bom: bool) -> Detected:
    """Score each reading against ``selections`` ((start, end, name) as written) and keep the best."""
    results, found = [], specials(text)
    for reading in readings(found, had_bom=had_bom):
        positions = Positions(text, reading, found=found)
        spans = []
        for start, end, _ in selections:
            s, e = positions.code_point(start), positions.code_point(end)
            spans.append((s, e) if s is not None and e is not None and s <= e else None)
        results.append((reading, spans, sum(_score(text, span, name) for span, (_, _, name) in zip(spans, selections))))
    best = max(results, key=lambda r: r[2])  # the first best: the standard's reading wins ties
    others = [(r, score) for r, spans, score in results if spans != best[1]]
    return Detected(best[0], best[1], best[2], max(others, key=lambda o: o[1]) if others else None)


def _score(text: str, span: tuple[int, int] | None, name: str) -> int:
    if span is None:
        return -4
    start, end = span
    score = _boundary(text, start) + _boundary(text, end)
    score -= sum(1 for i in (start, end) if 0 < i < len(text) and text[i - 1] == "\r" and text[i] == "\n")
    wanted = _SPACE.sub(" ", name.rstrip("…").removesuffix("...")).strip()
    if len(wanted) >= 3 and _SPACE.sub(" ", text[start:start + 2 * len(wanted)]).strip().startswith(wanted):
        score += 4
    return score


def _boundary(text: str, i: int) -> int:
    """1 when position ``i`` is not inside a word."""
    return int(i <= 0 or i >= len(text) or not (text[i - 1].isalnum() and text[i].isalnum()))
