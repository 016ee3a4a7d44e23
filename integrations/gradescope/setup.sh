#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image. It installs the
# grader from the autograder zip, which Gradescope unpacks in /autograder/source, into a
# virtual environment at /autograder/venv (run_autograder uses that).
set -euo pipefail

SOURCE=/autograder/source
PYTHON=python3
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    # The grader needs Python 3.11 or later; older Ubuntu base images ship 3.10.
    apt-get update
    apt-get install -y python3.11 python3.11-venv
    PYTHON=python3.11
fi
"$PYTHON" -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
/autograder/venv/bin/pip install "$SOURCE"
/autograder/venv/bin/grade --version
