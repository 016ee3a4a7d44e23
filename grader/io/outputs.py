"""Every file a run writes: checked before the work, written beside its target, replaced together.

A run tells an :class:`OutputSet` every output path first (the gradebook, ``--json``,
``--html``, ``--review``, the ``--feedback`` folder; a handout folder), before any grading.
Each is checked then, so a problem costs seconds, not a graded class:

* a file's folder exists and is a folder; the path is not a folder; the same path is not given
  twice; an answer-like name (``*.yaml``, ``*.yml``, ``*.json``, not hidden) is not inside the
  folder being graded, where the next run would grade it as a student's file;
* a file's temp file is created at once (an empty hidden file beside the target), which is the
  real test that the folder takes new files: permissions, a read-only file system, a name too
  long, no inodes left. An output folder is probed the same way (in itself, or in the nearest
  folder above it that exists: a missing output folder is created, with its parents, when its
  first file is written).

After grading every output is written into its temp file; only when all are complete are they
renamed over their targets, one after the other. A failure while writing any of them (a full
disk, ``ulimit -f``, ...) removes every temp file and leaves the previous set of outputs as it
was. Every failure is an :class:`~grader.errors.OutputError`: one line naming the path and
the reason (``grade`` exits 3).

Temp files are named ``.<name>.grade-tmp-<pid>-<start>-<n>`` (``<start>``: the process's start
time, from ``/proc``, so a reused pid is told apart). A run killed with SIGKILL leaves them
behind; every later run removes, in each folder it writes to, those whose process is gone.
(A run in another pid namespace, a container writing to the same folder, looks gone: should
its temp file be removed, its write fails with an OutputError and changes nothing.)

Every output gets the mode the umask gives (``0666 & ~umask``: 0644 under the usual 022), as
``open()`` gives a file it creates, also when it replaces an earlier output (earlier versions
made every output 0600; a course that wants its outputs private sets ``umask 077``). A target that exists and is not a regular file (``/dev/stdout``,
``/dev/null``, a FIFO) is written in place, at once: renaming over it would replace the device.
"""
from __future__ import annotations

import atexit
import itertools
import os
import re
import time
from collections.abc import Iterable
from pathlib import Path

from grader.errors import OutputError
from grader.io.answer_files import answer_name, shown_name

TEMP_MARK = ".grade-tmp-"
_TEMP_NAME = re.compile(r"^\..*\.grade-tmp-(?P<pid>\d+)-(?P<start>\d+)-\d+$", re.S)
# The temp files of versions before this module (tempfile.mkstemp, prefix ".<name>."): removed
# beside a target of the run when older than LEGACY_AGE seconds (no live run takes that long to
# write a file, and their pid is unknown).
_LEGACY_SUFFIX = re.compile(r"^[a-z0-9_]{8}$")
LEGACY_AGE = 3600
MAX_TEMP_STEM = 100  # characters of the target's name kept in its temp file's name (NAME_MAX is 255)
_counter = itertools.count(1)
_LIVE: set = set()  # OutputSets not yet committed or discarded: their temp files go at exit


@atexit.register
def _discard_live() -> None:
    for outputs in list(_LIVE):
        outputs.discard()


def process_start(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks since boot, ``/proc/<pid>/stat`` field 22), 0 if
    unknown (no ``/proc``); None if there is no such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return _exists(pid)
    try:
        return int(text.rsplit(")", 1)[1].split()[19])
    except (IndexError, ValueError):
        return 0


def _exists(pid: int) -> int | None:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except OSError:
        pass
    return 0


def _dead(pid: int, start: int) -> bool:
    """Whether the process that made a temp file is gone (or its pid now belongs to another)."""
    now = process_start(pid) if Path("/proc/self/stat").exists() else _exists(pid)
    return now is None or (start != 0 and now != 0 and now != start)


_STARTS: dict[int, int] = {}  # this process's start time, read once (per pid: a fork has its own)


def temp_name(target_name: str) -> str:
    """A fresh temp file name for a target of this process."""
    pid = os.getpid()
    if pid not in _STARTS:
        _STARTS[pid] = process_start(pid) or 0
    start = _STARTS[pid]
    return f".{target_name[:MAX_TEMP_STEM]}{TEMP_MARK}{os.getpid()}-{start}-{next(_counter)}"


def remove_stale_temps(folder: Path, *, targets: Iterable[str] = ()) -> list[Path]:
    """Remove the temp files in ``folder`` that a run killed before it could clean up left
    behind (their process is gone), and old-style ones beside ``targets`` (names in ``folder``)
    older than :data:`LEGACY_AGE`. Returns what was removed; what cannot be removed stays."""
    removed = []
    legacy = {f".{t}." for t in targets}
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        found = _TEMP_NAME.match(name)
        stale = False
        try:
            if found:
                stale = _dead(int(found["pid"]), int(found["start"]))
            elif name.startswith(".") and any(name.startswith(p) and _LEGACY_SUFFIX.match(name[len(p):])
                                              for p in legacy):
                stale = time.time() - entry.stat(follow_symlinks=False).st_mtime > LEGACY_AGE
            if stale and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _show(path: Path) -> str:
    """A path as it is safe to print (control characters escaped)."""
    return shown_name(str(path))


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


class OutputSet:
    """The outputs of one run: register each (:meth:`file`, :meth:`folder`) before the work,
    :meth:`write` them after it, then :meth:`commit`. Until the commit nothing but hidden temp
    files exists; :meth:`discard` (also called at exit, and on any write failure) removes them.

    ``graded``: the folder being graded, whose answer files the outputs must never join.
    """

    def __init__(self, *, graded: Path | None = None):
        self.graded = Path(graded).resolve() if graded is not None else None
        self._files: dict[Path, Path | None] = {}  # resolved target -> its temp (None: written in place)
        self._closed = False  # committed or discarded: nothing more to write
        self._shown: dict[Path, str] = {}  # resolved target -> as the user gave it
        self._folders: dict[Path, str] = {}  # resolved output folder -> as given
        self._staged: list[tuple[Path, Path]] = []  # (temp, target) written, to rename at commit
        self._resolved: dict[Path, Path] = {}  # an output folder as given -> as resolved (once, not per file)
        self._created: list[Path] = []  # folders made by this set (removed again if left empty)
        self._owner = os.getpid()  # forked workers inherit the exit hook: only the owner cleans up
        self._swept: set[Path] = set()
        _LIVE.add(self)

    # --- before the work ---------------------------------------------------------------------

    def file(self, path: Path) -> Path:
        """Check an output file and reserve its temp file (raises OutputError)."""
        path = Path(path)
        shown = _show(path)
        full = Path(os.path.abspath(path))
        target = full.parent.resolve() / full.name if full.parent.exists() else full
        if target in self._files:
            raise OutputError("given twice as an output", file=shown)
        if full.name in ("", ".", "..") or path.is_dir():
            raise OutputError("is a folder: give a file name", file=shown)
        parent = full.parent
        if not parent.exists():
            raise OutputError(f"its folder {parent} does not exist", file=shown)
        if not parent.is_dir():
            raise OutputError(f"{parent} is not a folder", file=shown)
        self._refuse_graded(target, shown)
        if target.exists() and not target.is_file():  # a device, a FIFO: written in place
            if not os.access(target, os.W_OK):
                raise OutputError("cannot be written (permission denied)", file=shown)
            self._files[target], self._shown[target] = None, shown
            return path
        self._sweep(target.parent, [target.name])
        temp = target.parent / temp_name(target.name)
        self._create(temp, shown)
        self._files[target], self._shown[target] = temp, shown
        return path

    def folder(self, path: Path) -> Path:
        """Check an output folder (created when its first file is written; raises OutputError)."""
        path = Path(path)
        shown = _show(path)
        full = Path(os.path.abspath(path))
        if full.exists() and not full.is_dir():
            raise OutputError("is a file, not a folder", file=shown)
        probe_in = full
        while not probe_in.exists():
            probe_in = probe_in.parent
        if not probe_in.is_dir():
            raise OutputError(f"{probe_in} is not a folder", file=shown)
        probe = probe_in / temp_name("probe")
        self._create(probe, shown)
        probe.unlink()
        if full.exists():
            self._sweep(full.resolve(), ())
        self._folders[full.resolve() if full.exists() else full] = shown
        return path

    def _refuse_graded(self, target: Path, shown: str) -> None:
        if self.graded is None or not answer_name(target.name):
            return
        if target.is_relative_to(self.graded):
            raise OutputError(f"is inside the folder being graded ({self.graded}): the next run would grade it "
                              "as a student's answer file; write it elsewhere", file=shown)

    def _create(self, temp: Path, shown: str) -> None:
        try:
            os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except OSError as e:
            self.discard()
            raise OutputError(f"cannot write in {temp.parent}: {_reason(e)}", file=shown) from None

    def _sweep(self, folder: Path, targets) -> None:
        if folder not in self._swept:
            self._swept.add(folder)
            remove_stale_temps(folder, targets=targets)

    # --- after the work ----------------------------------------------------------------------

    def write(self, path: Path, text: str | Iterable[str]) -> Path:
        """Write a registered output file, or a file directly inside a registered output folder,
        into its temp file (``text``: a string or pieces of one, written as they come). Any
        failure discards the whole set and raises OutputError."""
        path = Path(path)
        full = Path(os.path.abspath(path))
        pieces = [text] if isinstance(text, str) else text
        if self._closed:
            raise ValueError("this output set is already committed or discarded")
        if full.parent in self._folders:  # a file of an output folder (the common case: one per student)
            target, shown, temp = full, _show(path), None
        else:
            target = full.parent.resolve() / full.name if full.parent.exists() else full
            if target in self._files:
                shown, temp = self._shown[target], self._files[target]
            elif target.parent in self._folders:
                shown, temp = _show(path), None
            else:
                raise ValueError(f"{path} is not an output of this set")
        try:
            if target in self._files and temp is None:  # a device or FIFO: in place, now
                with open(target, "w", encoding="utf-8", newline="") as f:
                    f.writelines(pieces)
                return path
            if temp is None:  # a file of an output folder
                target = self._make_folder(full.parent) / full.name
                temp = target.parent / temp_name(target.name)
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
            else:
                flags = os.O_WRONLY | os.O_TRUNC
            fd = os.open(temp, flags, 0o666)
            if not self._staged or self._staged[-1] != (temp, target):  # (the same file written again)
                self._staged.append((temp, target))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.writelines(pieces)
        except OSError as e:
            self.discard()
            raise OutputError(f"cannot write: {_reason(e)}; no output was changed", file=shown) from None
        except BaseException:
            self.discard()
            raise
        return path

    def _make_folder(self, folder: Path) -> Path:
        """An output folder made if missing (once); returns it resolved."""
        if folder not in self._resolved:
            if not folder.is_dir():
                missing = [folder, *(p for p in folder.parents if not p.exists())]
                folder.mkdir(parents=True, exist_ok=True)
                self._created += [p for p in reversed(missing) if p not in self._created]
            self._resolved[folder] = folder.resolve()
        return self._resolved[folder]

    def commit(self) -> None:
        """Rename every written temp file over its target; remove reserved ones never written."""
        staged, self._staged = self._staged, []
        for n, (temp, target) in enumerate(staged):
            try:
                os.replace(temp, target)
            except OSError as e:
                self._staged = staged[n:]
                self.discard()
                raise OutputError(f"cannot replace it: {_reason(e)}", file=self._shown.get(target, str(target))) \
                    from None
        self._created = []  # (they hold the outputs now)
        self.discard()  # the temp files reserved and never written

    def discard(self) -> None:
        """Remove every temp file of this set (and folders it made that are left empty)."""
        if os.getpid() != self._owner:
            return
        temps = [t for t in self._files.values() if t is not None] + [t for t, _ in self._staged]
        for temp in temps:
            try:
                temp.unlink()
            except OSError:
                pass
        self._files, self._staged, self._closed = {}, [], True
        for folder in reversed(self._created):
            try:
                folder.rmdir()
            except OSError:
                pass
        self._created = []
        _LIVE.discard(self)

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, *exc) -> None:
        self.discard()


def write_atomic(path: Path, text: str | Iterable[str]) -> None:
    """Write one file whole or not at all (an :class:`OutputSet` of one; raises OutputError)."""
    with OutputSet() as outputs:
        outputs.file(path)
        outputs.write(path, text)
        outputs.commit()
