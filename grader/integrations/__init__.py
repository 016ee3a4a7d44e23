"""The grader's entry points: each command's whole run, for a terminal or inside another system.

* :mod:`grader.integrations.class_run` — ``grade FOLDER`` from start to end (grading, then every
  report and gradebook written together): the top of the pipeline, above reports.
* :mod:`grader.integrations.check_report` — ``grade check``'s lines.

* :mod:`grader.integrations.grade_one` — find and grade the one submission a platform hands
  us; every student-side problem becomes a result that says what is wrong, never a traceback.
* :mod:`grader.integrations.gradescope` — Gradescope's ``results.json``.
* :mod:`grader.integrations.prairielearn` — PrairieLearn's external-grader ``results.json``.
* :mod:`grader.integrations.annotations` — GitHub Actions annotations and the score summary
  of ``grade check``.

The click commands live in :mod:`grader.cli.integrations` (and ``check`` in :mod:`grader.cli`);
these modules work without click.
"""
