r"""A δ written with a shape that is not its pre-activation's (seed 004's 2×2 hidden deltas):
the catalogue's ``delta-shape``, judged on the numbers themselves as ``transposed-answer`` is.
Its columns the examples of another part's batch (the batch where one example is asked, or
the reverse) is ``whole-batch-vs-single`` too; a δ in the transposed layout is neither."""
from __future__ import annotations

from grader.course.assignment import Assignment, Question
from grader.course.graph_places import ELEMENTWISE

DELTA_SHAPE, WHOLE_BATCH = "delta-shape", "whole-batch-vs-single"  # the catalogue's ids
_ACTIVATIONS = frozenset(ELEMENTWISE) | {"softmax"}


def delta_shape_flags(shape: tuple, expected: tuple, question: Question, assignment: Assignment) -> tuple[str, ...]:
    """The flags for numbers of ``shape`` where ``question`` asks a δ (the gradient of an
    activation's input) of ``expected`` shape (units × examples).

    >>> from pathlib import Path
    >>> from grader.keys.catalog import Catalog
    >>> a = Catalog(root=Path(__file__).resolve().parents[2]).assignment("mlp-numeric")
    >>> q = a.question("ex3a.delta2")
    >>> [delta_shape_flags(s, (3, 1), q, a) for s in ((2, 2), (3, 2), (1, 3), (2, 1))]
    [('delta-shape', 'whole-batch-vs-single'), ('whole-batch-vs-single',), (), ('delta-shape',)]
    """
    shape, expected = tuple(shape), tuple(expected)
    if question.verb != "grad" or shape in (expected, expected[::-1]) or len(shape) != 2 or len(expected) != 2:
        return ()
    scenario = assignment.scenarios[question.scenario]
    graph = assignment.graphs[scenario.network]
    if not any(n.op in _ACTIVATIONS and question.node in n.args for n in graph.nodes):
        return ()
    batches = {len(s.examples) for s in assignment.scenarios.values() if s.network == scenario.network and s.examples}
    other = shape[1] != expected[1] and shape[1] in batches
    return ((DELTA_SHAPE,) if shape[0] != expected[0] else ()) + ((WHOLE_BATCH,) if other else ())
