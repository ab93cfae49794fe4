"""The lexicon as RE2 patterns, for bulk audits in DuckDB (or any engine with RE2 regexes).

RE2 has no look-around and no back-references, so word boundaries are made explicit: the reason
is normalised to its tokens, each wrapped in single spaces and joined by two (`` ice  ero ``), and
every phrase pattern is `` tok1  tok2 `` (one space either side of each token). Suppressor phrases
(false friends, negations) are removed first with one global ``regexp_replace``; the immigration
groups are then matched on what is left, the other groups on the whole text; the ordered rules of
the lexicon give the category. ``tests/purpose/test_purpose_sql.py`` checks that this agrees with
the Python assessor on the labelled set and on every real reason string.
"""

from __future__ import annotations

from functools import cache

from sanctuary.purpose.lexicon import NUM, Lexicon, Phrase, lexicon

__all__ = ["sql_category", "sql_normalise", "sql_patterns"]

SUPPRESS = "_suppress"
_NUM_RE = "[a-z0-9]*[0-9]{3}[a-z0-9]*"
_ANY = "[a-z0-9]"


def _edit1_regex(token: str) -> list[str]:
    """RE2 alternatives matching exactly the spellings one Damerau edit from ``token``."""
    alts = [token]
    for i in range(len(token) + 1):
        left, right = token[:i], token[i:]
        alts.append(left + _ANY + right)  # insertion
        if right:
            alts.append(left + right[1:])  # deletion
            alts.append(left + _ANY + right[1:])  # substitution
        if len(right) > 1:
            alts.append(left + right[1] + right[0] + right[2:])  # transposition
    return alts


def _token_regex(token: str, lex: Lexicon) -> list[str]:
    if token == NUM:
        return [_NUM_RE]
    alts = [token]
    if token in lex.leet_tokens:
        alts.append("".join(f"[{c}{lex.leet[c]}]" if c in lex.leet else c for c in token))
    if token in lex.fuzzy_tokens:
        alts.extend(_edit1_regex(token))
    if token in lex.acronyms:
        alts.append("  ".join(token))  # spelled letter by letter: "I.C.E." -> " i  c  e "
    return alts


def _phrase_regex(phrase: Phrase, lex: Lexicon) -> str:
    positions = []
    for pos in phrase.positions:
        alts = sorted(
            {a for token in pos for a in _token_regex(token, lex)}, key=lambda a: (-len(a), a)
        )
        positions.append(alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")")
    body = " " + "  ".join(positions) + " "
    return ("^" if phrase.at_start else "") + body + ("$" if phrase.at_end else "")


def _group_regex(phrases: list[Phrase], lex: Lexicon) -> str:
    # Longest phrase first: RE2 alternation is leftmost-first, like the Python greedy resolution.
    ordered = sorted(phrases, key=lambda p: -len(p.positions))
    return "(?:" + "|".join(_phrase_regex(p, lex) for p in ordered) + ")"


@cache
def sql_patterns() -> dict[str, str]:
    """Group name -> RE2 pattern over the normalised text (``sql_normalise``).

    ``_suppress`` is the pattern of all suppressor phrases (false friends and negations), to be
    removed with ``regexp_replace(norm, pattern, ' ', 'g')`` before the immigration groups match.
    """
    lex = lexicon()
    by_group: dict[str, list[Phrase]] = {}
    for phrase in lex.phrases:
        by_group.setdefault(phrase.group, []).append(phrase)
    out = {name: _group_regex(phrases, lex) for name, phrases in by_group.items()}
    suppressors = [p for p in lex.phrases if lex.groups[p.group].scope == "suppress"]
    out[SUPPRESS] = _group_regex(suppressors, lex)
    return out


def sql_normalise(column: str) -> str:
    """DuckDB expression: the normalised, space-wrapped token string of ``column``."""
    return (
        "(' ' || array_to_string(regexp_extract_all(lower(strip_accents(regexp_replace("
        f"coalesce({column}, ''), '%[0-9A-Fa-f]{{2}}', ' ', 'g'))), '[a-z0-9]+'), '  ') || ' ')"
    )


def _flag(name: str, norm: str, clean: str, lex: Lexicon) -> str:
    if name == "_empty":
        return f"({norm} = '  ')"
    if name == "_letters":
        return f"regexp_matches({norm}, '[a-z]')"
    text = clean if lex.groups[name].scope == "immigration" else norm
    return f"regexp_matches({text}, '{sql_patterns()[name]}')"


def sql_category(source: str, column: str) -> str:
    """A DuckDB query adding ``purpose_category`` to every row of ``source`` (a table or subquery).

    ``SELECT * FROM (<this>)`` gives the source columns plus ``purpose_norm``, one boolean column
    ``purpose_<group>`` per lexicon group, and ``purpose_category``.
    """
    lex = lexicon()
    norm, clean = "purpose_norm", "purpose_clean"
    names = sorted(lex.groups)
    flags = ",\n  ".join(f"{_flag(n, norm, clean, lex)} AS purpose_{n}" for n in names)
    whens = []
    for rule in lex.rules:
        terms = [
            "(" + " OR ".join(_ref(g, norm) for g in sorted(clause)) + ")" for clause in rule.all
        ]
        terms += [f"NOT {_ref(g, norm)}" for g in sorted(rule.none)]
        whens.append(f"WHEN {' AND '.join(terms) or 'TRUE'} THEN '{rule.category}'")
    case = "CASE " + " ".join(whens) + " ELSE 'unknown' END"
    suppress = sql_patterns()[SUPPRESS]
    return (
        f"WITH purpose_n AS (SELECT *, {sql_normalise(column)} AS {norm} FROM {source}),\n"
        f"purpose_c AS (SELECT *, regexp_replace({norm}, '{suppress}', ' ', 'g') AS {clean}"
        " FROM purpose_n),\n"
        f"purpose_f AS (SELECT *,\n  {flags}\nFROM purpose_c)\n"
        f"SELECT * EXCLUDE ({clean}), {case} AS purpose_category FROM purpose_f"
    )


def _ref(group: str, norm: str) -> str:
    if group == "_empty":
        return f"({norm} = '  ')"
    if group == "_letters":
        return f"regexp_matches({norm}, '[a-z]')"
    return f"purpose_{group}"
