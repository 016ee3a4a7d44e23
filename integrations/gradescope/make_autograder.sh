#!/usr/bin/env bash
# Build the zip Gradescope asks for, from a checkout of this repository:
#
#     integrations/gradescope/make_autograder.sh [OUT.zip]      (default: autograder.zip)
#
# setup.sh and run_autograder go at the root of the zip (Gradescope looks for them there),
# the package source beside them, with the reference/ and rubrics/ folders of the checkout
# (add your course's assignments and rubrics there before building).
set -euo pipefail

OUT="$(python3 -c 'import os, sys; print(os.path.abspath(sys.argv[1]))' "${1:-autograder.zip}")"
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT

cp "$HERE/setup.sh" "$HERE/run_autograder" "$REPO/pyproject.toml" "$REPO/README.md" "$STAGE/"
cp -R "$REPO/grader" "$REPO/reference" "$REPO/rubrics" "$STAGE/"
find "$STAGE" -name __pycache__ -type d -prune -exec rm -rf {} +
chmod +x "$STAGE/setup.sh" "$STAGE/run_autograder"
rm -f "$OUT"
(cd "$STAGE" && python3 -m zipfile -c "$OUT" setup.sh run_autograder pyproject.toml README.md grader reference rubrics)
echo "wrote $OUT"
