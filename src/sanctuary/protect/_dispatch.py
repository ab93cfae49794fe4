"""First-letter dispatch for the phrase alternation.

Python's `re` tries every alternative of an alternation at every word start. With ~150 status and
keyword phrases that is most of the scanning time. This module rewrites the phrase patterns into
buckets keyed by the first letter an alternative starts with: the letter is matched literally
(`u` or `U`), then the rest of each alternative in that bucket. Literal first characters are cheap
for the regex engine, so a word start costs a few character comparisons instead of trying every
phrase. The rewrite is purely syntactic and conservative: an alternative whose first letter
cannot be read off the text (it starts with a class, an escape, a quantified group...) goes to an
unguarded bucket, so the language matched is unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

# (letters the alternative may start with, or None; the regex after that letter)
Alternative = tuple[str | None, str]


def _structure(regex: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, character, group depth after it) for each character of `regex` that is neither
    escaped nor inside a character class: the only ones that shape groups and alternations."""
    depth, i, in_class = 0, start, False
    while i < len(regex):
        ch = regex[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if regex[i + 1 : i + 2] == "]":
                i += 1
        else:
            depth += (ch == "(") - (ch == ")")
            yield i, ch, depth
        i += 1


def _closing(regex: str, open_at: int) -> int:
    """Index of the parenthesis closing the one at `open_at` (escapes and classes skipped)."""
    for i, ch, depth in _structure(regex, open_at):
        if ch == ")" and depth == 0:
            return i
    raise ValueError("unbalanced parentheses")


def split_top(regex: str) -> list[str]:
    """Split a regex at its top-level `|`."""
    parts, start = [], 0
    for i, ch, depth in _structure(regex):
        if ch == "|" and depth == 0:
            parts.append(regex[start:i])
            start = i + 1
    parts.append(regex[start:])
    return parts


def _expand(alt: str, ci: bool, depth: int = 0) -> list[Alternative]:
    """Alternatives of `alt` as (first letters, rest of the regex after that letter)."""
    if alt[:1].isalpha() and alt[1:2] not in ("?", "*", "+", "{"):
        letters = alt[0].lower() + alt[0].upper() if ci else alt[0]
        return [(letters, alt[1:])]
    opener = next((o for o in ("(?i:", "(?:") if alt.startswith(o)), None)
    if opener is None or depth > 2:
        return [(None, alt)]
    close = _closing(alt, 0)
    rest = alt[close + 1 :]
    if rest[:1] in ("?", "*", "+", "{"):
        return [(None, alt)]
    out: list[Alternative] = []
    for inner in split_top(alt[len(opener) : close]):
        for key, expanded in _expand(inner, ci or opener == "(?i:", depth + 1):
            if key is None:
                return [(None, alt)]
            out.append((key, f"{opener}{expanded}){rest}"))
    return out


def expand(regex: str) -> list[Alternative]:
    """The alternatives of `regex`, each with the letters it may start with and the rest."""
    return [item for alt in split_top(regex) for item in _expand(alt, False)]


def bucket(patterns: list[str]) -> list[tuple[str | None, list[tuple[int, str]]]]:
    """Group every pattern's alternatives by first letter: [(letter or None, [(index, rest)])].

    With letter `c`, the regex for an entry is `c` followed by `rest`; with None it is `rest`.
    """
    groups: dict[str | None, list[tuple[int, str]]] = defaultdict(list)
    for index, regex in enumerate(patterns):
        for letters, rest in expand(regex):
            for letter in letters or [None]:
                groups[letter].append((index, rest))
    keys = sorted(k for k in groups if k is not None) + ([None] if None in groups else [])
    return [(k, groups[k]) for k in keys]
