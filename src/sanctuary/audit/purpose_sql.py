"""The purpose lexicon as portable SQL: one text that DuckDB runs and sqlglot renders for Spark.

``sanctuary.purpose.sql_category`` is the DuckDB form (``strip_accents``, ``'g'`` flags). Spark has
no ``strip_accents``, so the audit's form folds accents with ``translate`` over a table computed
from the Python assessor's own folding (every BMP character whose fold is an ASCII letter or digit),
and is written in the subset that ``sqlglot`` transpiles faithfully: ``regexp_matches`` (Spark
``RLIKE``), ``regexp_replace(.., 'g')`` (Spark's is global), ``regexp_extract_all``,
``array_to_string`` (Spark ``array_join``). The RE2 patterns themselves are the lexicon's
(``sql_patterns``): no look-around or back-references, so Java's regex engine reads them the same.

It runs over the DISTINCT reason texts of the audit, not every row: reasons repeat a great deal,
and the regex work is the expensive part.
"""

from __future__ import annotations

from functools import cache

from sanctuary.purpose import sql_patterns
from sanctuary.purpose.engine import _fold_char
from sanctuary.purpose.lexicon import lexicon

__all__ = ["purpose_select"]

# Lexicon groups whose signal is an immigration authority named in the text.
AGENCY_SIGNAL = "agency_term"


@cache
def _fold_table() -> tuple[str, str]:
    """(from, to) for ``translate``: non-ASCII characters the assessor folds to a letter/digit."""
    src, dst = [], []
    for code in range(0x80, 0x10000):
        c = chr(code)
        if 0xD800 <= code <= 0xDFFF or c in "'\\":
            continue
        folded = _fold_char(c)
        if folded != " ":
            src.append(c)
            dst.append(folded)
    return "".join(src), "".join(dst)


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def normalise_sql(column: str) -> str:
    """Portable SQL: the space-wrapped token string of ``column`` (as ``sql_normalise``).

    ``translate`` costs the length of its table (a thousand characters) on every row, so only
    the rare text holding a character of the table goes through it (``[...]``: those characters;
    none of them is special in a regex class, as they are all beyond ASCII)."""
    src, dst = _fold_table()
    unescaped = f"regexp_replace(coalesce({column}, ''), '%[0-9A-Fa-f]{{2}}', ' ', 'g')"
    accented = f"regexp_matches({unescaped}, {_lit('[' + src + ']')})"
    folded = (
        f"lower(CASE WHEN {accented} THEN translate({unescaped}, {_lit(src)}, {_lit(dst)}) "
        f"ELSE {unescaped} END)"
    )
    tokens = f"regexp_extract_all({folded}, '[a-z0-9]+', 0)"
    return f"(' ' || array_to_string({tokens}, '  ') || ' ')"


def _ref(group: str, norm: str) -> str:
    if group == "_empty":
        return f"({norm} = '  ')"
    if group == "_letters":
        return f"regexp_matches({norm}, '[a-z]')"
    return f"p_{group}"


def agency_groups() -> list[str]:
    return sorted(n for n, g in lexicon().groups.items() if g.signal == AGENCY_SIGNAL)


def purpose_select(source: str, column: str) -> str:
    """SQL over ``source`` (a relation with ``column``): ``column``, ``purpose_category``, one
    ``p_<group>`` flag per lexicon group, ``p_agency`` (an immigration authority named),
    ``p_empty`` (no token at all) and ``p_placeholder`` (a placeholder or UI string)."""
    lex = lexicon()
    patterns = sql_patterns()
    names = sorted(lex.groups)
    flags = []
    for name in names:
        text = "p_clean" if lex.groups[name].scope == "immigration" else "p_norm"
        flags.append(f"regexp_matches({text}, {_lit(patterns[name])}) AS p_{name}")
    whens = []
    for rule in lex.rules:
        terms = ["(" + " OR ".join(_ref(g, "p_norm") for g in sorted(c)) + ")" for c in rule.all]
        terms += [f"NOT {_ref(g, 'p_norm')}" for g in sorted(rule.none)]
        whens.append(f"WHEN {' AND '.join(terms) or 'TRUE'} THEN '{rule.category}'")
    case = "CASE " + " ".join(whens) + " ELSE 'unknown' END"
    agency = " OR ".join(f"p_{g}" for g in agency_groups()) or "FALSE"
    placeholder = " OR ".join(
        f"p_{n}" for n in names if lex.groups[n].signal in ("placeholder", "ui_filter")
    )
    flag_names = ", ".join(f"p_{n}" for n in names)
    return (
        f"SELECT {column}, {case} AS purpose_category, ({agency}) AS p_agency, "
        f"(p_norm = '  ') AS p_empty, ({placeholder or 'FALSE'}) AS p_placeholder, {flag_names} "
        f"FROM (SELECT *, {', '.join(flags)} FROM ("
        f"SELECT *, regexp_replace(p_norm, {_lit(patterns['_suppress'])}, ' ', 'g') AS p_clean "
        f"FROM (SELECT {column}, {normalise_sql(column)} AS p_norm FROM {source}) pn) pc) pf"
    )
