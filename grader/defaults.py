"""The choices and defaults a user can set, each written once.

The library modules that use them import them from here, and so does the CLI (for its
``--format``, ``--ids-from``, ``--time-limit``, ... choices and defaults). This module imports
nothing, so ``grade --help`` does not load numpy, sympy or the grammars to show them.
"""
from pathlib import Path

# grade FOLDER
GRADEBOOK_FORMATS = ("csv", "canvas", "moodle")  # --format; the first is the default
IDS_FROM = ("file", "folder")  # --ids-from: whose work a file is; the first is the default
MISSING = ("blank", "zero")  # --missing: an LMS cell of a roster student who sent nothing; the first is the default

# every command that grades
ANSWER_SECONDS = 3.0  # --time-limit: one answer
FILE_SECONDS = 30.0  # --file-time-limit: one file, all its answers (under the platforms' own timeouts)

# grade key
KEY_FORMATS = ("text", "json", "yaml", "markdown")  # --format (grader.reports.printed_key prints each)
DEFAULT_KEY_FORMAT = "text"

# grade gradescope
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")  # Gradescope's test visibilities
VISIBILITY = "visible"  # of the per-question results, by default
STDOUT_VISIBILITY = "hidden"  # of the printed log (it names the file and the score only), by default
SUBMISSION_DIR = Path("/autograder/submission")
RESULTS_PATH = Path("/autograder/results/results.json")

# grade prairielearn
GRADE_DIR = Path("/grade")
