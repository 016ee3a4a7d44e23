"""Per-student random variants: an assignment's numbers drawn for one student.

Wherever an assignment file gives a number (a parameter's entries, an ``init`` fill, an
example's inputs or targets, the learning rate, an ``mlp`` layer width) it may give a *draw*
instead::

    {uniform: [-1, 1], decimals: 1}        # a multiple of 0.1 in [-1, 1], each entry drawn
    {uniform: [-1, 1], decimals: 1, nonzero: true}
    {choice: [0.5, 1, 2]}                  # one of these
    {integers: [2, 4]}                     # an integer in [2, 4] (layer widths too)
    {one_hot: true}                        # a target: one entry 1, the others 0

Draws are exact: ``uniform`` picks an integer k and uses k / 10^decimals, so a student works
with the very numbers the key uses. The generator is :class:`random.Random` seeded with the
SHA-256 of (assignment id, student id, course salt, attempt): the same student gets the same
numbers on every run and machine, and nothing depends on global randomness.

Realising a draw yields a plain assignment (the data dict with numbers in place of the draws)
that loads, keys and grades like any fixed one; :mod:`grader.keys.screening` decides whether
a draw is good enough to hand out.
"""
from __future__ import annotations

import copy
import fnmatch
import hashlib
import random
from fractions import Fraction
from functools import lru_cache

from grader.engine.graph import build_graph, expand_mlp
from grader.errors import ConfigError

DRAW_KINDS = ("uniform", "choice", "integers", "one_hot")


def is_draw(node) -> bool:
    """``{uniform: …}``, ``{choice: …}``, ``{integers: …}`` or ``{one_hot: …}``."""
    return isinstance(node, dict) and any(k in node for k in DRAW_KINDS)


def has_draws(data) -> bool:
    """Whether an assignment's data declares any random number."""
    if is_draw(data):
        return True
    if isinstance(data, dict):
        return any(has_draws(v) for v in data.values())
    if isinstance(data, list):
        return any(has_draws(v) for v in data)
    return False


def student_rng(assignment_id: str, student_id: str, salt: str, attempt: int = 0) -> random.Random:
    """The generator for one student's draw (attempt n is the n-th redraw).

    >>> student_rng("a", "s1", "k").random() == student_rng("a", "s1", "k").random()
    True
    """
    text = "\x1f".join([assignment_id, student_id, salt, str(attempt)])
    return random.Random(int.from_bytes(hashlib.sha256(text.encode()).digest(), "big"))


def draw_number(spec: dict, rng: random.Random) -> str:
    """One number of a draw, as the exact decimal text an assignment file would hold."""
    if "choice" in spec:
        return str(rng.choice(spec["choice"]))
    if "integers" in spec:
        low, high = (int(v) for v in spec["integers"])
        return str(rng.randint(low, high))
    if "one_hot" in spec:
        raise ConfigError("one_hot draws a whole target vector, not one number")
    decimals = int(spec.get("decimals", "1"))
    low_k, high_k = _uniform_range(tuple(spec["uniform"]), decimals)
    nonzero = str(spec.get("nonzero", "false")) == "true"
    while True:
        k = rng.randint(low_k, high_k)
        if k or not nonzero or low_k == high_k == 0:
            break
    return _multiple_text(k, decimals)


@lru_cache(maxsize=256)
def _uniform_range(bounds: tuple, decimals: int) -> tuple[int, int]:
    """The integers k with k / 10^decimals in [low, high] (the same bounds every draw: cached)."""
    scale = 10 ** decimals
    low, high = (Fraction(v) * scale for v in bounds)
    low_k, high_k = int(-(-low.numerator // low.denominator)), int(high.numerator // high.denominator)
    if low_k > high_k:
        raise ConfigError(f"uniform range {list(bounds)} holds no multiple of 1/{scale}")
    return low_k, high_k


def _multiple_text(k: int, decimals: int) -> str:
    """k / 10^decimals as exact decimal text (-0.5 → ``-0.5``, decimals 0 → an integer)."""
    whole, frac = divmod(abs(k), 10 ** decimals)
    return ("-" if k < 0 else "") + f"{whole}" + (f".{frac:0{decimals}d}" if decimals else "")


def draw_vector(spec: dict, rows: int, rng: random.Random) -> list[str]:
    if "one_hot" in spec:
        hot = rng.randrange(rows)
        return ["1" if i == hot else "0" for i in range(rows)]
    return [draw_number(spec, rng) for _ in range(rows)]


def draw_matrix(spec: dict, shape: tuple[int, int], rng: random.Random) -> list[list[str]]:
    rows, cols = shape
    return [[draw_number(spec, rng) for _ in range(cols)] for _ in range(rows)]


def realise(data: dict, rng: random.Random, source: str = "") -> dict:
    """A copy of an assignment's data with every draw replaced by numbers drawn from ``rng``.

    Order is fixed (networks, then scenarios in file order, parameters in graph order), so one
    seed always gives one assignment."""
    out = _tree_copy(data)
    for name, spec in out["networks"].items():
        if "mlp" in spec:
            spec["mlp"]["sizes"] = [draw_number(s, rng) if is_draw(s) else s for s in spec["mlp"]["sizes"]]
    graphs = {name: _graph(spec, f"{source} (network {name})") for name, spec in out["networks"].items()}
    for name, s in out["scenarios"].items():
        if s.get("network") not in graphs or "random" in s:
            continue  # symbolic scenarios have no numbers; a bad network is load_assignment's to report
        _realise_scenario(s, graphs[s["network"]], rng, f"{source}: scenarios.{name}")
    for key in ("conventions",):
        if has_draws(out.get(key)):
            raise ConfigError(f"{key} cannot be random", file=source)
    return out


def _tree_copy(node):
    """``copy.deepcopy`` of a loaded file's tree (dicts, lists, scalars; a loaded file has no
    aliases, so nothing is shared), several times faster."""
    if isinstance(node, dict):
        return {k: _tree_copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_tree_copy(v) for v in node]
    if node is None or isinstance(node, (str, int, float)):
        return node
    return copy.deepcopy(node)


_GRAPHS: dict = {}  # repr of a network's spec -> its graph (realise only reads shapes and params)


def _graph(spec: dict, source: str):
    """The graph of a network spec, parsed once per distinct spec."""
    text = repr(spec)
    if text not in _GRAPHS:
        if len(_GRAPHS) >= 256:
            _GRAPHS.clear()
        _GRAPHS[text] = build_graph(expand_mlp(spec["mlp"]) if "mlp" in spec else spec, source=source)
    return _GRAPHS[text]


def _realise_scenario(s: dict, graph, rng: random.Random, where: str) -> None:
    sizes = {k: int(v) for k, v in (s.get("sizes") or {}).items()}

    def shape_of(name: str) -> tuple[int, int]:
        return tuple(int(d) if not isinstance(d, str) else sizes[d] for d in graph.shapes[name])

    params = s.setdefault("params", {})
    for p in list(params):
        if is_draw(params[p]):
            params[p] = draw_matrix(params[p], shape_of(p), rng)
    init = s.get("init") or {}
    if any(is_draw(v) for v in init.values()):
        for p in graph.params:
            if p in params:
                continue
            fills = [v for g, v in init.items() if fnmatch.fnmatchcase(p, g)]
            if fills and is_draw(fills[-1]):
                params[p] = draw_matrix(fills[-1], shape_of(p), rng)
        s["init"] = {g: v for g, v in init.items() if not is_draw(v)}
    if not params:
        del s["params"]
    for example in s.get("examples") or []:
        for k, v in example.items():
            if is_draw(v):
                if k not in graph.shapes:
                    raise ConfigError(f"'{k}' is not an input or target of the network", file=where)
                example[k] = draw_vector(v, shape_of(k)[0], rng)
    if is_draw(s.get("learning_rate")):
        s["learning_rate"] = draw_number(s["learning_rate"], rng)
    if has_draws(s):
        raise ConfigError("a draw is allowed only for parameters, init fills, example values and the learning rate",
                          file=where)
