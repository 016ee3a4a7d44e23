"""Where assignments and rubrics come from, and a cache of their answer keys.

Assignments and rubrics are the course's: an assignment id is looked up in ``reference/`` of
the course folder (``root``: ``grade --course DIR``, by default the current directory), a
rubric in its ``rubrics/``. The package ships none (a student who installs the grader must not
hold a key; it ships only public sheets, see :mod:`grader.judge.sheet`). An assignment may also be
named by the path of its file, whose rubric is then looked for in ``rubrics/`` of the course
folder, then in ``../rubrics/`` beside the file.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from grader.course.assignment import Assignment, load_assignment
from grader.errors import ConfigError
from grader.keys.answer_key import AnswerKey, build_key
from grader.course.rubric import Rubric, load_rubric
from grader.course.salt_rule import require_salt

SUFFIXES = (".yaml", ".yml", ".json")
MAX_DRAWS = 256  # students' draws kept at once (see Catalog._forget_oldest_draw)


@dataclass
class Catalog:
    """Finds and caches assignments, rubrics and keys for one run."""

    root: Path = field(default_factory=Path.cwd)
    # The course secret seeding per-student random variants; every entry point (CLI, Gradescope,
    # PrairieLearn) takes it from $GRADER_SALT unless given.
    salt: str = field(default_factory=lambda: os.environ.get("GRADER_SALT", ""))
    unsalted: bool = False  # randomized assignments without a salt on purpose (see grader.course.salt_rule)
    _assignments: dict = field(default_factory=dict)
    _rubrics: dict = field(default_factory=dict)
    _keys: dict = field(default_factory=dict)
    _variants: dict = field(default_factory=dict)
    _raw_variants: dict = field(default_factory=dict)
    _draws: dict = field(default_factory=dict)
    _profiles: dict = field(default_factory=dict)
    _known: list | None = None

    def __post_init__(self):
        self.root = Path(self.root)

    def search_dirs(self, kind: str) -> list[Path]:
        """The course folder's ``reference/`` or ``rubrics/`` (none when it has no such folder)."""
        return [d for d in (self.root / kind,) if d.is_dir()]

    def known_ids(self) -> list[str]:
        """Ids of the assignments in the search folders (listed once per run)."""
        if self._known is None:
            self._known = sorted({p.stem for d in self.search_dirs("reference") for p in d.iterdir() if p.suffix in SUFFIXES})
        return list(self._known)

    def _find(self, kind: str, ident: str, extra: list[Path] = ()) -> Path | None:
        for d in [*self.search_dirs(kind)[:1], *extra, *self.search_dirs(kind)[1:]]:
            for suffix in SUFFIXES:
                if (d / f"{ident}{suffix}").is_file():
                    return d / f"{ident}{suffix}"
        return None

    def assignment(self, ident: str) -> Assignment:
        """By id (``mlp-numeric``) or by the path of an assignment file."""
        if ident not in self._assignments:
            as_path = Path(ident)
            if as_path.suffix in SUFFIXES and as_path.is_file():
                found = as_path
            else:
                found = self._find("reference", ident)
            if found is None:
                raise ConfigError(f"unknown assignment '{ident}' (known: {', '.join(self.known_ids()) or 'none'}; "
                                  "the course's assignment files are read from reference/ of the course folder, "
                                  "--course DIR)")
            a = load_assignment(found)
            self._assignments[ident] = self._assignments[a.id] = a
        return self._assignments[ident]

    def rubric(self, assignment: Assignment) -> Rubric:
        if assignment.id not in self._rubrics:
            beside = Path(assignment.path).resolve().parent.parent / "rubrics"
            found = self._find("rubrics", assignment.id, [beside] if beside.is_dir() else [])
            if found is None:
                raise ConfigError(f"no rubric for assignment '{assignment.id}' (looked for rubrics/{assignment.id}.yaml)")
            self._rubrics[assignment.id] = load_rubric(found, assignment)
        return self._rubrics[assignment.id]

    def for_student(self, assignment: Assignment, student_id: str) -> Assignment:
        """The assignment with ``student_id``'s own numbers (itself when not randomized)."""
        if not assignment.randomized:
            return assignment
        require_salt(assignment, salt=self.salt, unsalted=self.unsalted)
        return self.draw(assignment, student_id).assignment

    def profile(self, assignment: Assignment):
        """A randomized assignment's probe profile (grader.keys.screening.Profile), learnt once."""
        from grader.keys.screening import profile
        if assignment.id not in self._profiles:
            self._profiles[assignment.id] = profile(assignment, self.rubric(assignment))
        return self._profiles[assignment.id]

    def draw(self, assignment: Assignment, student_id: str):
        """A randomized assignment's screened draw for one student (grader.keys.screening.Draw)."""
        from grader.keys.screening import screened_draw
        if (assignment.id, student_id) not in self._draws:
            d = screened_draw(assignment, student_id, self.salt, self.rubric(assignment), self.profile(assignment))
            if len(self._draws) >= MAX_DRAWS:
                self._forget_oldest_draw()
            self._draws[(assignment.id, student_id)] = d
            self._keys[(assignment.id, d.assignment.variant)] = d.key
            self._raw_variants[(assignment.id, d.assignment.variant)] = d.values
        return self._draws[(assignment.id, student_id)]

    def _forget_oldest_draw(self) -> None:
        """Drop the oldest student's draw with its key and variants (~65 KB each): a class of
        10,000 is graded one file at a time, so a draw is needed again only for a student's
        other file, and is then drawn again, identically (the seed chain is deterministic)."""
        oldest = next(iter(self._draws))
        ident, d = oldest[0], self._draws.pop(oldest)
        for cache in (self._keys, self._raw_variants, self._variants):
            cache.pop((ident, d.assignment.variant), None)

    def key(self, assignment: Assignment) -> AnswerKey:
        ident = (assignment.id, assignment.variant)
        if ident not in self._keys:
            self._keys[ident] = build_key(assignment)
        return self._keys[ident]

    def variants(self, assignment: Assignment) -> dict:
        """Misconception variants of the key (variant name → question → value; a name is the
        misconception id, ``id@place`` for one made at one place alone), computed once; a
        variant within the question's tolerance of the key cannot be told apart and is left out."""
        ident = (assignment.id, assignment.variant)
        if ident not in self._variants:
            from grader.keys.misconception_runs import variant_values
            key, rubric = self.key(assignment), self.rubric(assignment)
            raw = self._raw_variants.get(ident)
            # a draw's screening ran the catalogue everywhere already: only the local ones are left
            found = dict(raw) | variant_values(assignment, key, everywhere=False, places=True) if raw is not None \
                else variant_values(assignment, key, places=True)
            out = {}
            for mid, values in found.items():
                kept = {qid: v for qid, v in values.items()
                        if v.shape != key[qid].shape or not rubric[qid].tolerance.close(v, key[qid].value).all()}
                if kept:
                    out[mid] = kept
            self._variants[ident] = out
        return self._variants[ident]
