"""Running a class: the orchestrator, worker processes, progress, the result store, copied answers, manual scores, selftest."""
