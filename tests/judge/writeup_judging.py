"""Judge write-up files as `grade` does (read, then every chain checked): shared by the tests of
the seeds, of the write-up corpora and of derivations."""
from __future__ import annotations

from pathlib import Path

from grader.io.writeups.reader import read_writeup
from grader.judge.derivation.writeup import JudgedWriteup, judge_writeup


def judge_file(catalog, path: Path) -> JudgedWriteup:
    """One write-up judged against the assignment it names."""
    writeup = read_writeup(path)
    return judge_writeup(writeup, catalog.assignment(writeup.assignment))


def judge_folder(catalog, folder: Path) -> dict[str, JudgedWriteup]:
    """Every write-up of ``folder``, judged, by file name."""
    return {path.name: judge_file(catalog, path) for path in sorted(folder.iterdir())}
