"""``grade serve``: the grading service students submit to and instructors watch (issue 21).

The same pipeline behind HTTP: a Starlette app under uvicorn (:mod:`~grader.service.app`), a
database through SQLAlchemy with Alembic migrations (:mod:`~grader.service.db`; one SQLite file
in the course folder by default, PostgreSQL for replicas), grading in a process pool off the
request path with the CLI's time limits (:mod:`~grader.service.dispatcher`), every submission
kept with its text and every grading with its result and the hash of the assignment and rubric
that graded it, so a regrade is a diff (:mod:`~grader.service.regrade`). The key never leaves the
server: what a student sees is :func:`~grader.service.grading.student_view`. People sign in with a
token from the roster (:mod:`~grader.service.tokens`) or from their LMS, which vouches for them
through an LTI 1.3 launch (:mod:`~grader.service.lti`; its platforms in the course's ``lti.yaml``,
:mod:`~grader.service.lti_config`; the id_token's checks, :mod:`~grader.service.lti_verify`).
Imports every stage below it; :mod:`~grader.service.client` (``grade check --remote``) needs only
the standard library.
"""
