"""The HTML class report: its markup (charts per assignment, escaping, flag counts, stable bytes)
and, when Debian's chromium is installed, the page as a headless browser renders it."""
import os
import re
import signal
import struct
import subprocess
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from grader.results import CORRECT, WRONG, ClassResult, QuestionResult, StudentResult, Verdict
from grader.errors import SubmissionError
from grader.reports.html import class_report_html, write_class_report
from grader.batch.orchestrator import grade_folder
from tests.conftest import SUBMISSIONS

CHROMIUM = Path("/usr/bin/chromium")
EVIL_NAME = "<script>alert(1)</script>"
EVIL_ID = "=cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def sample(catalog):
    return grade_folder(SUBMISSIONS, catalog=catalog)


@pytest.fixture(scope="module")
def sample_html(sample):
    return class_report_html(sample)


def q(qid, outcome=CORRECT, points=1.0, max_points=1.0, feedback="", flags=()):
    return QuestionResult(qid, Verdict(outcome, feedback, flags=tuple(flags)), points if outcome == CORRECT else 0.0,
                          max_points)


def student(sid, questions, assignment="toy", **kw):
    qs = tuple(questions)
    return StudentResult(f"{sid}.yaml", sid, kw.pop("name", sid.title()), "", assignment, qs,
                         sum(x.max_points for x in qs), **kw)


def handmade(catalog, students) -> ClassResult:
    return ClassResult("class", tuple(students), catalog)


def chart(page: str, chart_id: str) -> str:
    """The markup of one chart, found by its stable id."""
    found = re.search(rf'<svg id="{re.escape(chart_id)}".*?</svg>', page, re.DOTALL)
    assert found, f"no chart {chart_id}"
    return found.group(0)


# --- the markup ---------------------------------------------------------------------------------

def test_every_assignment_has_its_three_charts_and_a_section(sample, sample_html):
    assignments = sorted({r.assignment for r in sample.students})
    assert len(assignments) == 5
    for a in assignments:
        assert f'<section id="a-{a}">' in sample_html
        for kind in ("hist", "questions", "flags"):
            svg = chart(sample_html, f"{kind}-{a}")
            assert re.match(r'<svg [^>]*role="img" aria-label="[^"]+"', svg)
            assert re.search(r'^<svg [^>]*><title>[^<]+</title>', svg)


def test_table_has_one_row_per_file_with_expandable_details(sample, sample_html):
    table = re.search(r'<table id="students">.*?</table>\s*</section>', sample_html, re.DOTALL).group(0)
    assert table.count('<tr class="student') == len(sample.students) == 21  # 16 answer files, 5 write-ups
    assert table.count("<details>") == 21
    s1004 = table[table.index("s1004"):]
    assert "ex1a.W1_new</td><td class=\"num\">0/1.5</td>" in s1004  # question, points/max, outcome, feedback
    assert "6 of 15 entries are off" in s1004


def test_question_chart_follows_the_assignments_order(sample, sample_html, catalog):
    svg = chart(sample_html, "questions-mlp-numeric")
    shown = re.findall(r"<rect [^>]*><title>([^:]+):", svg)
    assert shown == list(catalog.assignment("mlp-numeric").question_ids)
    got = [x for r in sample.students if r.assignment == "mlp-numeric" for x in r.questions if x.question == "ex1a.z1"]
    mean = 100 * sum(x.points for x in got) / sum(x.max_points for x in got)  # over graded files only
    assert f"<title>ex1a.z1: {mean:.1f} % of the points ({len(got)} files)</title>" in svg


def test_histogram_bins_percent_in_tens(catalog):
    percents = [0.0, 9.9, 10.0, 55.0, 100.0]  # a bin holds [lo, hi); 100 % falls in the last one
    rows = [student(f"s{i}", [q("a", points=p * 10, max_points=1000.0)]) for i, p in enumerate(percents)]
    label = re.search(r'aria-label="([^"]+)"', chart(class_report_html(handmade(catalog, rows)), "hist-toy")).group(1)
    assert "0–10 %: 2, 10–20 %: 1, 20–30 %: 0" in label and "50–60 %: 1" in label and label.endswith("90–100 %: 1")


def test_flags_chart_counts_students_per_flag(catalog):
    rows = [student("s1", [q("a", WRONG, feedback="sign", flags=["sign-flip"]),
                           q("b", WRONG, flags=["sign-flip", "no-transpose"])]),  # one student: counted once
            student("s2", [q("a", WRONG, flags=["sign-flip"]), q("b")]),
            student("s3", [q("a"), q("b", WRONG, flags=["missed-bias"])]),
            student("s4", [q("a"), q("b")])]
    page = class_report_html(handmade(catalog, rows))
    svg = chart(page, "flags-toy")
    assert re.findall(r'<rect class="flagbar"[^>]*><title>([^<]+)</title>', svg) == [
        "sign-flip: 2 students", "missed-bias: 1 student", "no-transpose: 1 student"]  # most frequent first, ties by id
    widths = [float(w) for w in re.findall(r'class="flagbar"[^>]*width="([\d.]+)"', svg)]
    assert widths[0] == 2 * widths[1] == 2 * widths[2]
    assert "no misconceptions flagged" not in page
    assert '<td>sign-flip no-transpose</td>' in page  # the table's flags column


def test_flags_chart_keeps_its_frame_when_nothing_is_flagged(catalog):
    svg = chart(class_report_html(handmade(catalog, [student("s1", [q("a"), q("b", WRONG)])])), "flags-toy")
    assert 'class="frame"' in svg and "no misconceptions flagged" in svg and "flagbar" not in svg


def test_everything_a_student_controls_is_escaped(catalog):
    evil = student(EVIL_ID, [q("a", WRONG, feedback="got '</td><script>x()</script>'", flags=["<u>f</u>"])],
                   name=EVIL_NAME)
    evil = replace(evil, file='<img src=x onerror="alert(1)">.yaml', notes=("<iframe>",))
    broken = StudentResult("<svg onload=alert(1)>.yaml", EVIL_ID, EVIL_NAME, assignment="<i>unknown</i>",
                           error=SubmissionError("unknown assignment '<i>unknown</i>'", file="<svg onload=alert(1)>.yaml"))
    page = class_report_html(handmade(catalog, [evil, broken]), title="<u>title</u>")
    for raw in ("<script", "<img", "<iframe", "<u>", "<i>", "<svg onload", "onerror=\"", "</td><script>"):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "=cmd|&#x27; /C calc&#x27;!A0" in page
    assert "&lt;u&gt;f&lt;/u&gt;" in page and "&lt;u&gt;title&lt;/u&gt;" in page
    assert 'id="hist-_i_unknown__i_"' in page  # an unknown assignment's id is made id-safe


def test_rejected_files_are_listed_with_their_reason(sample_html, catalog):
    assert re.search(r"<h3>Rejected files \(1\)</h3>.*s1006_malformed\.yaml:8: column 10: invalid YAML", sample_html)
    lost = StudentResult("junk.yaml", error=SubmissionError("not a mapping", file="junk.yaml"))
    page = class_report_html(handmade(catalog, [student("s1", [q("a")]), lost]))
    assert "<h2>Files with no assignment</h2>" in page and "junk.yaml: not a mapping" in page
    assert page.count('<tr class="student') == 2


def test_output_is_stable_and_self_contained(sample, sample_html):
    assert class_report_html(sample) == sample_html
    shuffled = replace(sample, students=tuple(reversed(sample.students)))
    assert class_report_html(shuffled) == sample_html  # input order does not matter
    assert re.findall(r"https?://[^\s\"']*", sample_html) == ["http://www.w3.org/2000/svg"] * sample_html.count("<svg ")
    for needle in ("<script", "<link", "<img", "src=", "url(", "@import", "@font-face"):
        assert needle not in sample_html
    assert "Content-Security-Policy" in sample_html


def test_write_class_report(sample, sample_html, tmp_path):
    out = tmp_path / "report.html"
    write_class_report(sample, out)
    assert out.read_text(encoding="utf-8") == sample_html


# --- the page in a browser ------------------------------------------------------------------------

class _Dom(HTMLParser):
    """Counts, in chromium's serialised DOM, the bars of each chart and the rows of the table."""

    def __init__(self):
        super().__init__()
        self.svgs, self.bars, self.rows, self._svg, self._table = [], {}, 0, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self._svg = a.get("id")
            self.svgs.append(self._svg)
            self.bars[self._svg] = 0
        elif tag == "rect" and self._svg and a.get("class") in ("bar", "flagbar"):
            self.bars[self._svg] += 1
        elif tag == "table" and a.get("id") == "students":
            self._table = True
        elif tag == "tr" and self._table and "student" in (a.get("class") or "").split():
            self.rows += 1

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg = None


def _chromium(args: list[str], tmp: Path) -> subprocess.CompletedProcess:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", *args]
    # its own process group, so a hung browser and its helpers are killed together
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"chromium did not finish within 60 s: {' '.join(cmd)}")
    assert proc.returncode == 0, err[-2000:]
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def test_chromium_renders_the_sample_class(sample, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed: apt-get install chromium")
    page = tmp_path / "report.html"
    write_class_report(sample, page)
    url = page.resolve().as_uri()

    dom = _Dom()
    dom.feed(_chromium(["--dump-dom", url], tmp_path).stdout)
    assignments = sorted({r.assignment for r in sample.students})
    assert sorted(dom.svgs) == sorted(f"{k}-{a}" for a in assignments for k in ("hist", "questions", "flags"))
    for a in assignments:
        assert dom.bars[f"hist-{a}"] == 10
        assert dom.bars[f"questions-{a}"] == len(sample.catalog.assignment(a).question_ids)
    assert dom.rows == len(sample.students)

    shot = tmp_path / "report.png"
    _chromium([f"--screenshot={shot}", "--window-size=1280,2000", url], tmp_path)
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    assert struct.unpack(">II", png[16:24]) == (1280, 2000)
