"""Words that agree with their numbers: every '1 cases' comes from forgetting one of these."""

from __future__ import annotations


def plural(word: str, count: int, many: str | None = None) -> str:
    """`word` for one, else its plural (`many` for an irregular one, else word + 's')."""
    return word if count == 1 else many or f"{word}s"


def counted(count: int, word: str, many: str | None = None) -> str:
    """'1 case', '3 cases'."""
    return f"{count} {plural(word, count, many)}"
