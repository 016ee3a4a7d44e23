#!/usr/bin/env bash
# PrairieLearn external-grading entrypoint: grades the job in /grade and writes
# /grade/results/results.json. Extra arguments go to `grade prairielearn` (e.g. --assignment).
#
# The course folder (reference/ and rubrics/) is the question's tests/ folder, or
# serverFilesCourse/backprop_grader/, when it holds reference/; else $GRADER_COURSE (the
# image's /course, see Dockerfile).
set -uo pipefail

GRADE_DIR="${GRADE_DIR:-/grade}"   # overridable only to test this script outside PrairieLearn
cd "$GRADE_DIR"
COURSE="${GRADER_COURSE:-/course}"
for d in "$GRADE_DIR/tests" "$GRADE_DIR/serverFilesCourse/backprop_grader"; do
    if [ -d "$d/reference" ]; then
        COURSE="$d"
        break
    fi
done
exec grade prairielearn --grade-dir "$GRADE_DIR" --course "$COURSE" "$@"
