"""``grade check`` on a write-up: what the grader recognised in it, so that a student sees
before the deadline that their derivation is read. One line per chain that answers a
question (``file:line: question id: answered by …``), one per line not read and why; never
whether a step holds (that would make ``check`` an oracle). Numbers answer every part of their
exercise whose shape they have (``ex1a.x1 or ex1b.x1``): which part they are right for is a verdict."""
from __future__ import annotations

from pathlib import Path

from grader.errors import GraderError, SubmissionError
from grader.io.writeups.model import GOAL
from grader.io.writeups.reader import read_writeup
from grader.judge.derivation.context import scenarios as scenarios_of
from grader.judge.derivation.numbers import chain_numbers
from grader.judge.derivation.questions import answer_term, answered_question
from grader.judge.derivation.steps import read_step
from grader.shown_text import shown


def writeup_check(path: Path, catalog) -> tuple[list[str], list[GraderError]]:
    """(lines to print, problems) for the write-up at ``path``."""
    try:
        writeup = read_writeup(path, known_assignments=tuple(catalog.known_ids()))
    except SubmissionError as e:
        return [], [e]
    file = shown(str(path))
    if writeup.assignment not in catalog.known_ids():
        return [], [SubmissionError(f"unknown assignment '{writeup.assignment}' (matching lines to questions needs "
                                    "the course's assignment file: --course DIR)", file=str(path), line=1,
                                    category="assignment")]
    assignment = catalog.for_student(catalog.assignment(writeup.assignment), writeup.student)
    scenarios = scenarios_of(assignment)
    lines, answered = [], {}
    not_read = [(n.line, n.text, n.reason) for n in writeup.not_read]
    numbers = []  # (line, the questions a chain's numbers may answer by their shape, its answer)
    for chain in writeup.chains:
        question = answered_question(chain, assignment, scenarios)
        if question is not None:
            answered[question.id] = answer_term(chain)
        elif (fits := chain_numbers(chain, assignment, catalog.key(assignment), by_value=False)):
            numbers.append((answer_term(chain).line, [a.question for a in fits], answer_term(chain)))
        if chain.kind == GOAL:
            lines.append(f"{file}:{chain.line}: the result to show (not checked): {shown(chain.terms[-1].text)}")
        for left, relation, right in chain.steps:
            reading = read_step(left.text, right.text, scenarios)[0]
            if reading.scenario is None and chain.kind != GOAL:
                not_read.append((left.line, f"{left.text} {relation} {right.text}", reading.problem))
    listed = [(term.line, f"{file}:{term.line}: {shown(qid)}: answered by {shown(term.text)}")
              for qid, term in answered.items()]
    listed += [(line, f"{file}:{line}: {' or '.join(shown(q) for q in ids)} (the part its numbers are for): "
                      f"answered by {shown(term.text[:120])}") for line, ids, term in numbers]
    lines += [text for _, text in sorted(listed, key=lambda item: item[0])]
    answered.update({q: None for _, ids, _ in numbers for q in ids})
    for line, text, reason in sorted(not_read):
        lines.append(f"{file}:{line}: not read ({shown(reason)}): {shown(text[:120])}")
    missing = [q.id for q in assignment.questions if q.id not in answered]
    if missing:
        lines.append(f"{file}: no line answers {', '.join(shown(q) for q in missing)}")
    return lines, []
