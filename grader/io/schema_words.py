"""A schema violation said in our words, for the person who wrote the file (a student's answer
file, an instructor's assignment or rubric): what was expected at that place, what is there, and
the schema's own description of the place when it has one. Only the common failures are worded
here (a wrong kind of value, a missing key, an unknown key, a value outside a list); any other
keeps jsonschema's message. Values are shown as ``repr``, cut short: a file's text is quoted,
never trusted."""
from __future__ import annotations

KINDS = {"object": "a mapping (key: value)", "array": "a list", "string": "text", "number": "a number",
         "integer": "a whole number", "boolean": "true or false", "null": "nothing (null)"}
MAX_SHOWN = 60  # characters of a value quoted in a message


def kind_of(value) -> str:
    """The schema kind of a loaded value, in words: ``kind_of([1]) == 'a list'``."""
    if isinstance(value, bool):
        return KINDS["boolean"]
    for python, kind in ((dict, "object"), (list, "array"), (str, "string"), (int, "integer"), (float, "number")):
        if isinstance(value, python):
            return KINDS[kind]
    return KINDS["null"] if value is None else type(value).__name__


def shown(value) -> str:
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"


def worded(error) -> str:
    """The message for one ``jsonschema.ValidationError``.

    >>> import jsonschema
    >>> schema = {"type": "object", "properties": {"examples": {"type": "array",
    ...           "description": "one item per example: - {x: [1, 0], t: [1]}"}}, "additionalProperties": False}
    >>> e = next(jsonschema.Draft202012Validator(schema).iter_errors({"examples": {"x": [1]}}))
    >>> worded(e)
    "expected a list here, got a mapping (key: value) {'x': [1]} (one item per example: - {x: [1, 0], t: [1]})"
    >>> worded(next(jsonschema.Draft202012Validator(schema).iter_errors({"exampels": []})))  # the top level
    "unknown key 'exampels' (the keys here: examples)"
    """
    said = _said(error)
    # the place's own description; the whole file's (at the top level) says nothing about one key
    about = error.schema.get("description") if isinstance(error.schema, dict) and error.absolute_path else None
    return f"{said} ({about})" if about else said


def _said(error) -> str:
    value, rule = error.instance, error.validator_value
    if error.validator == "type":
        wanted = " or ".join(KINDS.get(k, k) for k in ([rule] if isinstance(rule, str) else rule))
        return f"expected {wanted} here, got {kind_of(value)} {shown(value)}"
    if error.validator == "required" and isinstance(value, dict):
        missing = [k for k in rule if k not in value]
        return f"missing {', '.join(map(shown, missing))}" if missing else error.message
    if error.validator == "additionalProperties" and isinstance(value, dict) and rule is False:
        known = sorted(error.schema.get("properties", {}))
        extra = [k for k in value if k not in known]
        if extra and not error.schema.get("patternProperties"):
            allowed = f" (the keys here: {', '.join(known)})" if known else ""
            return f"unknown key {', '.join(map(shown, extra))}{allowed}"
    if error.validator == "enum":
        return f"{shown(value)} is not one of: {', '.join(map(str, rule))}"
    return error.message
