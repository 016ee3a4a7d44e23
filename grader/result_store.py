"""The graded results of a run, kept compressed until the reports read them one at a time.

Why: the parent of a run holds every answer file's result until the reports are written. An
``mlp-numeric`` result (103 questions, each a ``QuestionResult`` and its ``Verdict``) takes
~66 KB as Python objects but ~2 KB as a zlib-compressed pickle, so a class of 50,000 files
took over 1.5 GB held as objects. A :class:`ResultStore` keeps, per result, only

* the compressed pickle (made in the worker, by :func:`pack`, so the compressing runs in
  parallel and the parent never unpickles a result just to store it), and
* a :class:`Summary`: the few fields the reports need without the per-question details (ids,
  points, status, flags, notes, ...), computed once from the result by the same properties.
  It is pickled too (~200 bytes instead of ~500 as objects) until the first call of
  :meth:`ResultStore.summaries`, i.e. while the workers run, when memory is tightest (the
  parent and every worker at once); from then on the store holds them as objects.

It is a ``Sequence`` of ``StudentResult``: indexing or iterating unpickles one result at a
time, so a report that streams (reads a result, writes its rows, lets it go) never holds more
than one. Reports order, group and count by the summaries, which stay in memory; the terminal
table and the Canvas, Moodle and wide sheets need nothing else. A result changed after grading
(a note, a TA's points) is stored again whole (``store[i] = result``): its summary follows.
"""
from __future__ import annotations

import pickle
import zlib
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # grader.results imports this module (a graded run's students are a ResultStore)
    from grader.results import StudentResult

LEVEL = 1  # zlib level: ~8x smaller than the pickle for ~0.1 ms per mlp-numeric result (level 6: 10 %
# smaller, 3x the time)


class Summary(NamedTuple):
    """What the reports read of a result without its questions. The first fields are named and
    mean as in :class:`StudentResult`, so code that needs only them reads either."""

    file: str
    student_id: str
    name: str
    email: str
    assignment: str
    points: float
    max_points: float
    status: str
    flags: tuple[str, ...]
    notes: tuple[str, ...]
    rejected: bool  # error is not None
    graded: bool  # it has questions
    review_ids: tuple[str, ...]  # the question ids of review_text (the gradebook's "<id> answer" columns)
    awaiting: bool  # some answer waits for a TA (outcome "needs review")
    plain: bool  # every question's points is a float and every review text a str (see report.gradebook_kinds)
    variants: bool  # it has a variant_check (grader.batch.copied_answers reads those)
    # every question's points, in the result's order, as compressed float64 bytes (b"" unless
    # plain; ~40 bytes for 103 questions), and a checksum of the question ids they belong to:
    # the gradebook's cells without unpacking the result
    question_points: bytes = b""
    question_ids_crc: int = 0

    @property
    def percent(self) -> float | None:
        return percent(self.points, self.max_points)


def percent(points: float, maximum: float) -> float | None:
    """The one rule for a percent of the points (a result's, a summary's, a gradebook's totals):
    to one decimal; None when there is nothing to earn. (Here, the lowest module that needs it:
    :mod:`grader.results` imports this one.)"""
    return round(100 * points / maximum, 1) if maximum else None


def summarize(r: StudentResult) -> Summary:
    plain = all(type(q.points) is float for q in r.questions) and all(type(t) is str for _, t in r.review_text)
    return Summary(r.file, r.student_id, r.name, r.email, r.assignment, r.points, r.max_points, r.status,
                   r.flags, r.notes, r.error is not None, bool(r.questions), tuple(q for q, _ in r.review_text),
                   r.awaiting_review, plain, bool(r.variant_check),
                   zlib.compress(array("d", [q.points for q in r.questions]).tobytes(), LEVEL) if plain else b"",
                   ids_checksum(q.question for q in r.questions))


def ids_checksum(ids: Iterable[str]) -> int:
    """A checksum of question ids in order (the same in every process, unlike ``hash``)."""
    return zlib.crc32("\x1f".join(ids).encode("utf-8", "surrogatepass"))


def question_points(s: Summary, ids: tuple[str, ...], checksum: int) -> Iterator[tuple[str, float]] | None:
    """(question id, points) of a graded plain result, from its summary alone, when its
    questions are ``ids`` (whose :func:`ids_checksum` is ``checksum``); else None (unpack it)."""
    if not s.question_points or s.question_ids_crc != checksum:
        return None
    points = array("d", zlib.decompress(s.question_points))
    return zip(ids, points) if len(points) == len(ids) else None


def pack(r: StudentResult) -> tuple[bytes, bytes]:
    """A result as stored: its summary pickled (as a plain tuple) and its compressed pickle
    (what a worker sends back)."""
    return (pickle.dumps(tuple(summarize(r)), protocol=pickle.HIGHEST_PROTOCOL),
            zlib.compress(pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL), LEVEL))


def unpack(blob: bytes) -> StudentResult:
    return pickle.loads(zlib.decompress(blob))


class ResultStore(Sequence):
    """Results in the order they were added; see the module's docstring."""

    def __init__(self, results: Iterable[StudentResult] = ()):
        self._packed: list[bytes] | None = []  # pickled summaries, until summaries() is first called
        self._summaries: list[Summary] | None = None  # ... and from then on, as objects
        self._blobs: list[bytes] = []
        self._shared: dict = {}  # one copy of each repeated value (statuses, flag tuples, assignment ids)
        for r in results:
            self.append(r)

    def append(self, result: StudentResult) -> None:
        self.append_packed(pack(result))

    def append_packed(self, packed: tuple[bytes, bytes]) -> None:
        summary, blob = packed
        if self._summaries is None:
            self._packed.append(summary)
        else:
            self._summaries.append(self._unpack_summary(summary))
        self._blobs.append(blob)

    def _unpack_summary(self, packed: bytes) -> Summary:
        s = Summary._make(pickle.loads(packed))
        share = self._shared.setdefault
        return s._replace(assignment=share(s.assignment, s.assignment), status=share(s.status, s.status),
                          flags=share(s.flags, s.flags), notes=share(s.notes, s.notes),
                          review_ids=share(s.review_ids, s.review_ids))

    def __len__(self) -> int:
        return len(self._blobs)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [unpack(b) for b in self._blobs[i]]
        return unpack(self._blobs[i])

    def __setitem__(self, i: int, result: StudentResult) -> None:
        summary, blob = pack(result)
        if self._summaries is None:
            self._packed[i] = summary
        else:
            self._summaries[i] = self._unpack_summary(summary)
        self._blobs[i] = blob

    def __iter__(self) -> Iterator[StudentResult]:
        for blob in self._blobs:
            yield unpack(blob)

    def __eq__(self, other) -> bool:
        """Equal to a store, tuple or list holding equal results in the same order (as the
        tuple it replaces was)."""
        if not isinstance(other, (ResultStore, tuple, list)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None

    def summaries(self) -> Sequence[Summary]:
        """Every result's summary, in the store's order (a view: do not change it)."""
        if self._summaries is None:
            self._summaries = [self._unpack_summary(s) for s in self._packed]
            self._packed = None
        return self._summaries

    def __repr__(self) -> str:
        return f"<ResultStore of {len(self)} results, {sum(map(len, self._blobs))} bytes compressed>"


def as_store(results: Iterable[StudentResult]) -> ResultStore:
    """``results`` as a ResultStore (itself when it is one)."""
    return results if isinstance(results, ResultStore) else ResultStore(results)
