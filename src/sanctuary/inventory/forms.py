"""Forms as files: HTML forms, JSON Schemas and plain-text questionnaires.

Only the form is read (field names, labels, questions), never anyone's answers. Each hit is a
`collection.Flag` located by file and line (HTML, text) or JSON pointer (JSON Schema).
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from sanctuary.inventory.collection import Flag, name_collects, question_collects
from sanctuary.inventory.sources import SourceError

FORM_SUFFIXES = (".html", ".htm", ".json", ".txt", ".md")
FIELD_TAGS = ("input", "select", "textarea")
TEXT_ATTRS = ("placeholder", "aria-label", "title")


class _FormParser(HTMLParser):
    def __init__(self, where: str) -> None:
        super().__init__(convert_charrefs=True)
        self.where = where
        self.flags: list[Flag] = []
        self.fields = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        line = f"{self.where}:{self.getpos()[0]}"
        if tag in FIELD_TAGS:
            self.fields += 1
            name = values.get("name") or values.get("id") or ""
            category = name_collects(name) if name else None
            if category:
                self.flags.append(Flag(f"{line} field `{name}`", category, "field name"))
        for attr in TEXT_ATTRS:
            category = question_collects(values.get(attr, ""))
            if category:
                self.flags.append(Flag(f"{line} `{tag}` {attr}", category, "form question"))

    def handle_data(self, data: str) -> None:
        category = question_collects(data)
        if category:
            self.flags.append(Flag(f"{self.where}:{self.getpos()[0]}", category, "form question"))


def scan_form(path: Path) -> dict[str, Any]:
    """Flags for one form file; raises SourceError when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as err:
        raise SourceError(f"cannot read the form: {err.strerror}", location=str(path)) from None
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        parser = _FormParser(str(path))
        parser.feed(text)
        parser.close()
        return {"form": str(path), "kind": "html", "fields": parser.fields, "flags": parser.flags}
    if suffix == ".json":
        try:
            schema = json.loads(text)
        except ValueError as err:
            raise SourceError(f"not JSON: {err}", location=str(path)) from None
        flags: list[Flag] = []
        fields = _walk_schema(schema, "", str(path), flags)
        return {"form": str(path), "kind": "json_schema", "fields": fields, "flags": flags}
    flags = [
        Flag(f"{path}:{n}", category, "form question")
        for n, line in enumerate(text.splitlines(), 1)
        if (category := question_collects(line))
    ]
    return {"form": str(path), "kind": "text", "fields": len(text.splitlines()), "flags": flags}


def _walk_schema(node: Any, pointer: str, where: str, flags: list[Flag]) -> int:
    """Property names, titles and descriptions of a JSON Schema, recursively; returns fields."""
    if isinstance(node, list):
        return sum(_walk_schema(v, f"{pointer}/{i}", where, flags) for i, v in enumerate(node))
    if not isinstance(node, dict):
        return 0
    fields = 0
    for key in ("title", "description"):
        if isinstance(node.get(key), str) and (category := question_collects(node[key])):
            flags.append(Flag(f"{where}#{pointer or '/'} {key}", category, "form question"))
    properties = node.get("properties")
    if isinstance(properties, dict):
        for name in properties:
            fields += 1
            if category := name_collects(str(name)):
                flags.append(Flag(f"{where}#{pointer}/properties/{name}", category, "field name"))
    for key, value in node.items():
        if isinstance(value, dict | list):
            fields += _walk_schema(value, f"{pointer}/{key}", where, flags)
    return fields
