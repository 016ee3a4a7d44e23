#!/usr/bin/env bash
# PrairieLearn external-grading entrypoint: grades the job in /grade and writes
# /grade/results/results.json. Extra arguments go to `grade prairielearn` (e.g. --assignment).
#
# A course's own assignments and rubrics are used when the question's tests/ folder, or
# serverFilesCourse/backprop_grader/, holds reference/ (and rubrics/) folders.
set -uo pipefail

GRADE_DIR="${GRADE_DIR:-/grade}"   # overridable only to test this script outside PrairieLearn
cd "$GRADE_DIR"
for d in "$GRADE_DIR/tests" "$GRADE_DIR/serverFilesCourse/backprop_grader"; do
    if [ -d "$d/reference" ]; then
        cd "$d"
        break
    fi
done
exec grade prairielearn --grade-dir "$GRADE_DIR" "$@"
