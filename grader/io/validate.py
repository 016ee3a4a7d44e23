"""JSON-Schema validation of loaded documents, with errors that name the file, the path
inside it and its line. The schemas ship in :mod:`grader.schemas`."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files

import jsonschema

from grader.errors import GraderError


@lru_cache(maxsize=None)
def validator(name: str) -> jsonschema.Draft202012Validator:
    """The validator of ``grader/schemas/<name>.schema.json``."""
    schema = json.loads(files("grader.schemas").joinpath(f"{name}.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)


def path_text(path) -> str:
    """``("answers", "ex1a.z1", 0)`` → ``answers.ex1a.z1[0]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def validate(doc, schema: str, *, error: type[GraderError]) -> None:
    """Raise ``error`` for the first schema violation of ``doc`` (a safe_load Document)."""
    if validator(schema).is_valid(doc.data):  # the usual case, without collecting every error
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
    message = best.message
    if len(message) > 300:
        message = message[:300] + "…"
    raise error(f"at {path_text(path)}: {message}", file=doc.source, line=line, category="schema")
