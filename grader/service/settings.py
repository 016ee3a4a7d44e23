"""What an instructor sets for a running service, in one frozen value."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.judge.time_limits import TimeLimits

DATABASE_FILE = "grader-service.sqlite"  # in the course folder, when no --database is given
ATTEMPTS = 10  # submissions per student and assignment
COOLDOWN_SECONDS = 60.0  # between two submissions of one student to one assignment
MAX_UPLOAD_BYTES = 256 * 1024  # an answer file or write-up, as sent


def default_database_url(course: Path) -> str:
    """The embedded default: one SQLite file in the course folder.

    >>> default_database_url(Path("/c"))
    'sqlite:////c/grader-service.sqlite'
    """
    return f"sqlite:///{Path(course).resolve() / DATABASE_FILE}"


@dataclass(frozen=True)
class ServiceSettings:
    course: Path
    database_url: str = ""  # "" = default_database_url(course)
    salt: str = ""
    unsalted: bool = False
    attempts: int = ATTEMPTS
    cooldown: float = COOLDOWN_SECONDS
    max_bytes: int = MAX_UPLOAD_BYTES
    limits: TimeLimits = field(default_factory=TimeLimits)
    jobs: int = 2  # grading processes
    lease: float | None = None  # seconds a claimed submission may stay ungraded before it is queued again

    @property
    def url(self) -> str:
        return self.database_url or default_database_url(self.course)

    @property
    def lease_seconds(self) -> float:
        """A claim older than this was lost with its worker or server (default: twice the file
        limit and a margin, so a live grading is never taken from its worker)."""
        if self.lease is not None:
            return self.lease
        return 2 * (self.limits.file or 30.0) + 30.0
