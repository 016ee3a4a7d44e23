"""Is a student's expression the answer? Decided on random instances, never by eval.

For a question on a symbolic scenario, :class:`ExpressionKey` holds the question's symbol table
and, per instance, the symbol values and the engine's value of the quantity asked for. An
answer is parsed once (:func:`grader.parse.expression.parser.parse_expression`), then evaluated on
every instance (:func:`grader.judge.symbolic.evaluate.evaluate`): equivalent when it matches on all;
"equivalent up to transpose" when its transpose does (a layout convention, scored per rubric);
a shape mismatch says both shapes. Shapes (``C x d_{L-1}``) and size polynomials (``d^2 + d``)
are compared on several assignments of the sizes.

What depends only on the key is worked out once per key, not per answer: each instance's
tolerance (:class:`~grader.judge.symbolic.closeness.Target`), the misconception variants' ones, the
key's shape or count on each size trial, and the key read entry-wise for the free indices of
an answer such as ``ŷ_j − y_j``. These functions remember nothing per answer text; the grading
stage keeps, in :attr:`ExpressionKey.seen`, the answers it has already judged (a class writes the
same few expressions hundreds of times; see :mod:`grader.judge.answers`).
"""
from __future__ import annotations

import itertools
from functools import partial
from dataclasses import dataclass, field, replace

import numpy as np

from grader.course.assignment import Assignment, Question
from grader.judge.compare import flagged
from grader.errors import AnswerError
from grader.results import CORRECT, SHAPE, TRANSPOSED, UNREADABLE, WRONG, Verdict
from grader.engine.autodiff import FLOAT
from grader.keys.answer_key import quantity
from grader.keys.instances import scenario_instances
from grader.parse.expression import tree as A
from grader.parse.expression.normalize import spelling_of
from grader.parse.expression.table import DEFAULT_FUNCTIONS, SymbolTable
from grader.parse.expression.parser import Parsed
from grader.judge.symbolic.closeness import Target
from grader.judge.symbolic.precise import HIGH, PreciseInstance, entry_matches, matches
from grader.engine.ops import generic_activation
from grader.judge.symbolic.evaluate import (MAX_WORK, DomainError, Env, ProductModes, ShapeError, UnboundIndex, evaluate,
                                            evaluation_work, with_indices)
from grader.keys.misconception_runs import instance_variant_keys
from grader.judge.symbolic.gradients import derivative_symbols, gradient_symbols, instance_values
from grader.judge.symbolic.numerator import has_jacobian, numerator_layout
from grader.judge.symbolic.left_side import with_lhs_note as _with_lhs_note
from grader.judge.symbolic.readings import with_other_reading
from grader.judge.symbolic.size_names import fixed_index_text, shape_differs, shape_error_text, shape_mismatch
from grader.judge.symbolic.suggest import with_suggestion
from grader.judge.symbolic.entry_keys import entries_at as _entries, expected_at as _expected_at, fit_examples

SIZE_TRIALS = ((2, 3, 5, 7, 11), (3, 5, 7, 11, 13), (6, 4, 9, 2, 5))


def symbol_table(assignment: Assignment, question: Question) -> SymbolTable:
    """What this question's answers may use: the scenario's symbols, the sizes, the free
    indices, and the functions (the assignment's spellings win over the defaults)."""
    claimed = {spelling_of(s) for spellings in assignment.functions.values() for s in spellings}
    functions = {fn: tuple(s for s in spellings if spelling_of(s) not in claimed)
                 for fn, spellings in DEFAULT_FUNCTIONS.items()}
    for fn, spellings in assignment.functions.items():
        functions[fn] = tuple(functions.get(fn, ())) + tuple(spellings)
    bindings = assignment.symbols.get(question.scenario, {})
    return SymbolTable.build(symbols={name: b.spellings for name, b in bindings.items()},
                             functions={k: v for k, v in functions.items() if v},
                             indices=assignment.indices,
                             sizes={name: spellings for name, (_, spellings) in assignment.sizes.items()},
                             **derivative_symbols(bindings, assignment, question.scenario))


@dataclass(frozen=True)
class Case:
    """One instance: the answer's environment and the key's value there."""

    env: Env
    key: np.ndarray
    entries: tuple = ()  # index assignments to check, for index-notation questions
    target: Target | None = field(default=None, compare=False, repr=False)  # key, tolerance
    precise: object = field(default=None, compare=False, repr=False)  # () → (env, key) at 100 digits

    def __post_init__(self):
        if self.target is None:
            object.__setattr__(self, "target", Target(self.key))


def _key_value(assignment: Assignment, question: Question, inst, rules=None) -> np.ndarray:
    """The key's value of ``question`` on one instance: the key's own lookup, on the float engine."""
    graph = assignment.graphs[assignment.scenarios[question.scenario].network]
    return quantity(inst.evaluation, question, graph, backend=FLOAT, rules=rules or assignment.rules)


@dataclass(frozen=True)
class ExpressionKey:
    question: Question
    table: SymbolTable
    cases: tuple[Case, ...]
    symbolic: object = None  # sympy shape tuple or polynomial, for shape and count questions
    size_names: tuple[str, ...] = ()
    variants: tuple = ()  # (misconception id, its value on each case), where it differs from the key
    # worked out once per key, not per answer: variant values with their tolerances, the size
    # trials' expected shape or count, and the key as a whole-matrix question read entry-wise
    variant_targets: tuple = field(default=(), compare=False, repr=False)
    size_wants: tuple | None = field(default=None, compare=False, repr=False)
    entry_wise: dict = field(default_factory=dict, compare=False, repr=False)
    # answer text → (Parsed, Verdict) of the answers judged so far (filled by grader.judge.answers)
    seen: dict = field(default_factory=dict, compare=False, repr=False)
    # symbol → the quantity it stands for (a left-hand side naming another one is reported)
    quantities: dict = field(default_factory=dict, compare=False, repr=False)
    # the first spelling of each symbol, as the assignment writes it (for "did you mean")
    spellings: tuple = field(default=(), compare=False, repr=False)
    # size name → its first spelling (a shape in a message: C×d_{L-1}, not the drawn 5×3)
    size_spellings: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        if self.variants and not self.variant_targets:
            object.__setattr__(self, "variant_targets", tuple(
                (mid, tuple(Target(v) for v in values)) for mid, values in self.variants))
        if self.symbolic is not None and self.size_wants is None:
            object.__setattr__(self, "size_wants", _size_wants(self.question.verb, self.symbolic, self.size_names))

    def for_indices(self, free: tuple[str, ...]) -> "ExpressionKey":
        """This key for an answer that leaves ``free`` indices free on a whole-matrix question
        (``ŷ_j − y_j`` for the vector ``ŷ − y``): built once per tuple of indices."""
        derived = self.entry_wise.get(free)
        if derived is None:
            q = replace(self.question, indices=free)
            derived = replace(self, question=q, entry_wise={}, seen={}, cases=tuple(
                replace(c, entries=_entries(q, c.key, c.env)) for c in self.cases))
            self.entry_wise[free] = derived
        return derived


_CACHE: dict = {}


def expression_key(assignment: Assignment, question: Question, symbolic=None) -> ExpressionKey:
    """Everything needed to check answers to one expression question (built once per run)."""
    cache_key = (assignment.path, assignment.id, assignment.variant, question.id)
    if cache_key not in _CACHE:
        _CACHE[cache_key] = _build_expression_key(assignment, question, symbolic)
    return _CACHE[cache_key]


def _build_expression_key(assignment: Assignment, question: Question, symbolic) -> ExpressionKey:
    table = symbol_table(assignment, question)
    bindings = assignment.symbols.get(question.scenario, {})
    spellings = tuple(b.spellings[0] for b in bindings.values() if b.spellings)
    if question.verb in ("shape", "count"):
        return ExpressionKey(question, table, (), symbolic, tuple(assignment.sizes), spellings=spellings)
    cases = []
    graph = assignment.graphs[assignment.scenarios[question.scenario].network]
    instances = scenario_instances(assignment, question.scenario)
    uses_act = any(n.op == "act" for n in graph.nodes)
    for inst in instances:
        rules = assignment.rules.with_op(generic_activation(inst.act)) if uses_act else assignment.rules

        def make_env(ev, backend=FLOAT, inst=inst, rules=rules):
            symbols = instance_values(bindings, ev, graph, backend=backend, rules=rules)
            if question.entries.startswith("negative"):
                symbols["__entries__"] = ev.values[question.entries.split()[1]]
            return Env(symbols, inst.sizes, {}, inst.act, float(assignment.rules.relu_grad_at_zero),
                       ev.grads.get(graph.output), ev.values.get(graph.output), batch=ev.batch, backend=backend)
        env = make_env(inst.evaluation)
        key = _key_value(assignment, question, inst)
        precise = PreciseInstance(graph, inst, rules, make_env, lambda ev, r: quantity(
            ev, question, graph, backend=HIGH, rules=r))
        cases.append(Case(env, key, _entries(question, key, env) if question.indices else (), precise=precise))
    variants = () if question.indices else tuple(instance_variant_keys(assignment, question, instances, _key_value).items())
    quantities = {name: b.quantity for name, b in bindings.items()}
    quantities.update({grad: grad for grad in gradient_symbols(bindings).values() if grad not in bindings})
    return ExpressionKey(question, table, tuple(cases), None, tuple(assignment.sizes), variants,
                         quantities=quantities, spellings=spellings,
                         size_spellings={n: sp[0] for n, (_, sp) in assignment.sizes.items() if sp})


def free_indices(node) -> tuple[str, ...]:
    """Indices an answer leaves free (not bound by a sum), alphabetically: the row index comes
    first as in w_ij (i, j; k, k'), whatever order the answer writes them in."""
    nodes = list(A.walk(node))
    bound = {n.index for n in nodes if isinstance(n, A.Sum)}
    out: list[str] = []
    for n in nodes:
        names = n.index if isinstance(n, A.Sym) else (n.i, n.j) if isinstance(n, A.Kronecker) else \
            n.indices if isinstance(n, A.Entry) else ()
        out += [i for i in names if i not in bound and i not in out]
    return tuple(sorted(out))


def compare_expression(parsed: Parsed, key: ExpressionKey) -> Verdict:
    """The verdict on a parsed expression answer (see :func:`_compare_expression`). A student's
    1/0 or exp(exp(…)) is an inf or NaN in the comparison, not a warning on the terminal."""
    with np.errstate(all="ignore"):
        ProductModes.seen, ProductModes.forced = set(), frozenset()
        verdict = _with_lhs_note(parsed, key, _compare_expression(parsed, key))
        if ProductModes.seen:  # a product was element-wise on some instance: on all of them
            ProductModes.forced = frozenset(ProductModes.seen)
            try:
                verdict = _with_lhs_note(parsed, key, _compare_expression(parsed, key))
            finally:
                ProductModes.seen, ProductModes.forced = set(), frozenset()
        if verdict.outcome in (SHAPE, WRONG) and has_jacobian(parsed.expr):  # a chain rule in numerator layout
            def is_gradient(name):
                return name.startswith("grad ") or key.quantities.get(name, "").startswith("grad ")
            rows = replace(parsed, expr=numerator_layout(parsed.expr, is_gradient))
            retry = _compare_expression(rows, key)  # taken when right, or when it has values and the first none
            verdict = retry if retry.outcome == CORRECT or verdict.outcome == SHAPE != retry.outcome else verdict
        return with_other_reading(parsed, key, verdict, compare_expression)


def _compare_expression(parsed: Parsed, key: ExpressionKey) -> Verdict:
    """Equivalent, equivalent up to transpose, not equivalent, or a shape mismatch."""
    q = key.question
    if q.verb == "shape":
        return _compare_shape(parsed.expr, key)
    if q.verb == "count":
        return _compare_polynomial(parsed.expr, key)
    if key.cases:
        work, at = evaluation_work(parsed.expr, key.cases[0].env)
        if work > MAX_WORK:
            error = AnswerError(f"checking this answer would take {work:,}+ evaluations (limit {MAX_WORK:,}): "
                                f"its sums run over too many terms", column=at + 1, text=parsed.text, category="limit")
            return Verdict(UNREADABLE, error.describe(caret=False), error=error)
    free = free_indices(parsed.expr)
    if not q.indices and 0 < len(free) <= 2:
        # ŷ_j − y_j for the vector ŷ − y: an entry-wise answer to a whole-matrix question
        key = key.for_indices(free)
        q = key.question
    direct = transposed = True  # the answer matches on every instance as written / transposed
    values = []  # the answer's value on each case, for misconception flags
    diagonal = q.entries == "diagonal"
    for case in key.cases:
        try:
            if q.indices:
                for at in case.entries:
                    if diagonal:  # k = k': every index the answer uses takes k's value
                        at = {i: at[q.indices[0]] for i in set(free) | set(q.indices)}
                    got = evaluate(parsed.expr, with_indices(case.env, at))
                    expected = _expected_at(q, case.key, at)
                    got = fit_examples(got, expected, case.env.batch)  # every example of a batch, side by side
                    if got.shape != expected.shape:
                        return Verdict(SHAPE, fixed_index_text(parsed.expr, key, got, expected, case))
                    if not entry_matches(parsed.expr, case, at, got, expected, partial(_expected_at, q)):
                        return Verdict(WRONG, "not equivalent to the answer")
                continue
            got = evaluate(parsed.expr, case.env)
        except DomainError as e:
            return Verdict(WRONG, f"{e} (column {e.pos + 1})")
        except UnboundIndex as e:  # \sum_{p=1}^D (y_i - z_i): D copies, or a sum of entries? a TA asks
            error = AnswerError(f"{e}: its terms do not depend on {str(e).rsplit(' ', 1)[-1]}, so it is read neither "
                                "as that many copies nor as a sum over entries", column=e.pos + 1, text=parsed.text)
            return Verdict(UNREADABLE, error.describe(caret=False), error=error)
        except ShapeError as e:
            return Verdict(SHAPE, shape_error_text(parsed.expr, key, e, case))
        except KeyError as e:
            return Verdict(WRONG, f"index {e.args[0]} is free in your answer but not in the question")
        values.append(got)
        # As written, then transposed; the transposed check waits until the answer fails as
        # written (most answers never do), then catches up on the cases already seen.
        if direct and not matches(parsed.expr, case, got):
            direct = False
            transposed = all(matches(parsed.expr, c, v.T, True) for c, v in zip(key.cases, values))
        elif not direct and transposed:
            transposed = matches(parsed.expr, case, got.T, True)
        if not (direct or transposed):
            if shape_differs(parsed.expr, key, values):  # on this instance or a later one
                verdict = Verdict(SHAPE, shape_mismatch(parsed.expr, key, values))
            else:
                verdict = Verdict(WRONG, "not equivalent to the answer (checked on random instances of the network)")
            shape_error = _later_shape_error(parsed, key, values)
            if shape_error is not None:  # sizes that fit on this instance only: a shape error
                return Verdict(SHAPE, shape_error_text(parsed.expr, key, shape_error, key.cases[len(values)]))
            return flagged(verdict, _variant_flags(parsed, key, values))
    if direct or q.indices:
        return Verdict(CORRECT)
    return flagged(Verdict(TRANSPOSED, "equivalent up to transpose: the layout convention differs from the key's"),
                   ("transposed-answer",))


def _later_shape_error(parsed: Parsed, key: ExpressionKey, values: list) -> ShapeError | None:
    """The shape error the answer meets on a case not yet evaluated, if any (its values on the
    others are appended to ``values``): shapes that fit only because one draw made two sizes
    equal (n_2 = k = 2) are not shapes that fit."""
    for case in key.cases[len(values):]:
        try:
            values.append(evaluate(parsed.expr, case.env))
        except DomainError:
            return None
        except ShapeError as e:
            return e
        except KeyError:
            return None
    return None


def _variant_flags(parsed: Parsed, key: ExpressionKey, values: list) -> tuple[str, ...]:
    """Misconceptions whose variant the answer equals on every instance."""
    for case in key.cases[len(values):]:  # the answer's value on the cases not yet evaluated
        try:
            values.append(evaluate(parsed.expr, case.env))
        except (ShapeError, KeyError):
            return ()
    return tuple(mid for mid, targets in key.variant_targets
                 if all(t.close(got) for got, t in zip(values, targets)))


def _size_values(names: tuple[str, ...]):
    for trial in SIZE_TRIALS:
        yield dict(zip(names, itertools.cycle(trial)))


def _eval_size(node, sizes: dict) -> float:
    env = Env({}, sizes)
    return float(evaluate(node, env)[0, 0])


def _shape_want(expected, sizes: dict) -> tuple[float, ...]:
    import sympy  # on first use (grader.engine.backends._sympy)
    return tuple(float(sympy.Integer(e) if isinstance(e, int) else e.subs({sympy.Symbol(k): v for k, v in sizes.items()}))
                 for e in expected)


def _count_want(expected, sizes: dict) -> float:
    import sympy
    return float(expected.subs({sympy.Symbol(k): v for k, v in sizes.items()}))


def _size_wants(verb: str, expected, names: tuple[str, ...]) -> tuple | None:
    """The key's shape or count on each size trial: sympy's ``subs``, done once per key rather
    than once per answer. None when the key cannot be read so (the answer then meets the same
    error the per-answer path meets)."""
    want = {"shape": _shape_want, "count": _count_want}.get(verb)
    try:
        return None if want is None else tuple(want(expected, sizes) for sizes in _size_values(names))
    except Exception:  # noqa: BLE001 - a misconfigured key fails where it always did, per answer
        return None


def _compare_shape(expr, key: ExpressionKey) -> Verdict:
    dims = expr.dims if isinstance(expr, A.Shape) else (expr,)
    if len(dims) == 1:
        dims = (dims[0], A.Num(1))
    wants = key.size_wants
    try:
        for n, sizes in enumerate(_size_values(key.size_names)):
            got = tuple(_eval_size(d, sizes) for d in dims)
            want = wants[n] if wants is not None else _shape_want(key.symbolic, sizes)
            if got == want:
                continue
            if tuple(reversed(got)) == want:  # d×1 for 1×d: the layout mistake of a transposed matrix
                return flagged(Verdict(TRANSPOSED, "rows and columns swapped: the layout convention differs "
                                                   "from the key's"), ("transposed-answer",))
            return Verdict(WRONG, "not the shape asked for")
    except (ShapeError, KeyError) as e:
        return Verdict(WRONG, f"not a shape in the sizes: {e}")
    return Verdict(CORRECT)


def _compare_polynomial(expr, key: ExpressionKey) -> Verdict:
    wants = key.size_wants
    try:
        for n, sizes in enumerate(_size_values(key.size_names)):
            got = _eval_size(expr, sizes)
            want = wants[n] if wants is not None else _count_want(key.symbolic, sizes)
            if got != want:
                return Verdict(WRONG, "not the count asked for")
    except (ShapeError, KeyError) as e:
        return Verdict(WRONG, f"not an expression in the sizes: {e}")
    return Verdict(CORRECT)


def parse_for(question: Question, text: str, key: ExpressionKey) -> Parsed:
    """Parse an answer to ``question`` with its symbol table (raises AnswerError)."""
    from grader.parse.expression.parser import parse_expression
    try:
        return parse_expression(text, key.table, expect="shape" if question.verb == "shape" else "expression")
    except AnswerError as e:
        raise with_suggestion(e, key.spellings) from None
