#!/usr/bin/env bash
# Build the zip Gradescope asks for, from a checkout of this repository:
#
#     integrations/gradescope/make_autograder.sh [OUT.zip] [COURSE_DIR]
#
# (defaults: autograder.zip, and the checkout itself as the course folder: its sample course).
# setup.sh and run_autograder go at the root of the zip (Gradescope looks for them there),
# the package source beside them, and the course folder's reference/ and rubrics/ too: the
# package ships no assignment file or rubric (students install it), the autograder is the
# course's machine and gets them here.
set -euo pipefail

OUT="$(python3 -c 'import os, sys; print(os.path.abspath(sys.argv[1]))' "${1:-autograder.zip}")"
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
COURSE="$(cd "${2:-$REPO}" && pwd)"
for d in reference rubrics; do
    [ -d "$COURSE/$d" ] || { echo "make_autograder.sh: $COURSE has no $d/ folder (the course folder holds reference/ and rubrics/)" >&2; exit 2; }
done
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT

cp "$HERE/setup.sh" "$HERE/run_autograder" "$REPO/pyproject.toml" "$REPO/README.md" "$STAGE/"
cp -R "$REPO/grader" "$COURSE/reference" "$COURSE/rubrics" "$STAGE/"
find "$STAGE" -name __pycache__ -type d -prune -exec rm -rf {} +
chmod +x "$STAGE/setup.sh" "$STAGE/run_autograder"
rm -f "$OUT"
(cd "$STAGE" && python3 -m zipfile -c "$OUT" setup.sh run_autograder pyproject.toml README.md grader reference rubrics)
echo "wrote $OUT"
