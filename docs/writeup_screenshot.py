"""Refreshes docs/writeup-report.png, the README's picture of an annotated write-up: seed 000 graded
from the sample class, its questions and its lines as the HTML report shows them (formulas as
MathML), screenshotted by headless Chromium. Run from the repository root:
``python docs/writeup_screenshot.py`` (needs /usr/bin/chromium)."""
import html
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.batch.writeup_grading import grade_writeup  # noqa: E402
from grader.keys.catalog import Catalog  # noqa: E402
from grader.reports.annotated_writeup import writeup_html  # noqa: E402
from grader.reports.html import CSS  # noqa: E402


def page(name: str = "seed000_softmax-ce.md") -> str:
    """The page: the write-up's questions (points, outcome, feedback), then its lines annotated."""
    folder = ROOT / "submissions"
    r = grade_writeup(folder / "writeups" / name, folder, Catalog(root=ROOT))
    rows = "".join(f"<tr><td>{html.escape(q.question)}</td><td class=\"num\">{q.points:g}/{q.max_points:g}</td>"
                   f"<td>{html.escape(q.verdict.outcome)}</td><td>{html.escape(q.verdict.feedback)}</td></tr>"
                   for q in r.questions)
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><style>{CSS} body {{ margin: 16px; }}</style>"
            f"</head><body><h2>{html.escape(r.student_id)} — submissions/{html.escape(r.file)}</h2>"
            f"<table class=\"questions\"><thead><tr><th>question</th><th class=\"num\">points</th><th>outcome</th>"
            f"<th>feedback</th></tr></thead><tbody>{rows}</tbody></table>{writeup_html(r.writeup)}</body></html>")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "page.html"
        index.write_text(page(), encoding="utf-8")
        subprocess.run(["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        f"--user-data-dir={tmp}/profile", f"--screenshot={ROOT / 'docs' / 'writeup-report.png'}",
                        "--window-size=1200,1900", "--hide-scrollbars", index.as_uri()], check=True, timeout=120)
