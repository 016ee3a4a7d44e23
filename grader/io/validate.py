"""JSON-Schema validation of loaded documents, with errors that name the file, the path
inside it and its line. The schemas ship in :mod:`grader.course.schemas`.

jsonschema is the judge; :mod:`grader.io.schema_words` words what it finds. Checking every answer file with it cost ~0.7 ms, a sixth of the time
of grading one, nearly all of it in ``propertyNames`` (a validator object per answer id), so a
valid document is first recognised by fastjsonschema's compiled check of the same schema
(~0.01 ms). Only its "valid" is trusted, and only for a schema whose keywords mean the same in
draft 7, which fastjsonschema implements, as in our 2020-12 (:data:`SAME_IN_DRAFT_7`); it is
at most stricter than jsonschema (its ``pattern`` reads ``$`` as the very end, ``\\Z``), so a
document it refuses goes to jsonschema, which either finds the error to report or accepts it.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from importlib.resources import files

import fastjsonschema
import jsonschema

from grader.errors import GraderError
from grader.io.schema_words import worded

# Keywords with the same meaning in draft 7 and 2020-12 (annotations included); a schema using
# any other (prefixItems, $defs, $ref, unevaluated*, dependent*) is checked by jsonschema alone.
SAME_IN_DRAFT_7 = frozenset({
    "$schema", "$id", "title", "description", "type", "properties", "required", "additionalProperties",
    "propertyNames", "minProperties", "maxProperties", "pattern", "minLength", "maxLength", "enum", "const",
    "minimum", "maximum", "minItems", "maxItems"})
_VALUES = frozenset({"enum", "const", "required"})  # keywords whose value is data, not schemas


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    """``grader/course/schemas/<name>.schema.json``."""
    return json.loads(files("grader.course.schemas").joinpath(f"{name}.schema.json").read_text())


@lru_cache(maxsize=None)
def validator(name: str) -> jsonschema.Draft202012Validator:
    """The validator of ``grader/course/schemas/<name>.schema.json``."""
    return jsonschema.Draft202012Validator(load_schema(name))


def keywords(node, found: set | None = None) -> set[str]:
    """Every keyword a schema uses, at any depth (property names are not keywords)."""
    found = set() if found is None else found
    if isinstance(node, dict):
        for key, value in node.items():
            found.add(key)
            if key == "properties":
                for sub in value.values():
                    keywords(sub, found)
            elif key not in _VALUES:
                keywords(value, found)
    elif isinstance(node, list):
        for item in node:
            keywords(item, found)
    return found


@lru_cache(maxsize=None)
def quick_check(name: str) -> Callable[[object], bool] | None:
    """A fast "certainly valid" test of the named schema, or None where it would not be sound."""
    if not keywords(load_schema(name)) <= SAME_IN_DRAFT_7:
        return None
    check = fastjsonschema.compile(load_schema(name), use_default=False, use_formats=False)

    def is_certainly_valid(data) -> bool:
        try:
            check(data)
        except fastjsonschema.JsonSchemaException:
            return False
        return True
    return is_certainly_valid


def path_text(path) -> str:
    """``("answers", "ex1a.z1", 0)`` → ``answers.ex1a.z1[0]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def validate(doc, schema: str, *, error: type[GraderError]) -> None:
    """Raise ``error`` for the first schema violation of ``doc`` (a safe_load Document)."""
    quick = quick_check(schema)
    if quick is not None and quick(doc.data):
        return
    if validator(schema).is_valid(doc.data):  # without collecting every error
        return
    problems = sorted(validator(schema).iter_errors(doc.data),
                      key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if not problems:
        return
    best = jsonschema.exceptions.best_match(problems)
    path = tuple(best.absolute_path)
    line = None
    for cut in range(len(path), -1, -1):  # the nearest enclosing value that has a line
        line = doc.lines.get(path[:cut])
        if line:
            break
    message = worded(best)
    if len(message) > 300:
        message = message[:300] + "…"
    raise error(f"at {path_text(path)}: {message}", file=doc.source, line=line, category="schema")
