"""Text shown to a person: user-supplied values made safe and short for a terminal."""

LIMIT = 200
#: The longest whole message shown (messages quote values; each value is cut to LIMIT first).
MESSAGE_LIMIT = 1000


def shown(text: str, *, limit: int = LIMIT) -> str:
    """``text`` with control characters escaped (no ANSI escape reaches the terminal) and cut
    to ``limit`` characters, saying how long it was."""
    text = str(text)
    if len(text) <= limit and text.isprintable():  # most names and values, at C speed
        return text
    cleaned = "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)
    if len(cleaned) > limit:
        return f"{cleaned[:limit]}… ({len(cleaned):,} characters)"
    return cleaned


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 violation``, ``2 violations``, ``1 row``; ``words`` for an irregular plural."""
    return f"{count:,} {word if count == 1 else words or word + 's'}"
