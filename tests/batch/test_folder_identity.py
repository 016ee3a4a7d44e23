"""`grade FOLDER --ids-from folder --roster --missing`: whose row a file fills comes from the
folder it is in and the roster, never from the file's claim (grader/batch/folder_identity.py)."""
import csv
import io

import pytest
import yaml
from click.testing import CliRunner

from grader.cli import cli
from grader.keys.key_text import key_answer_file



def runner():
    return CliRunner()  # (click >= 8.2, as pyproject requires: stderr apart from stdout)


def key_file(catalog, student, *, claim=None, name="Claimed", email="") -> str:
    text = key_answer_file(catalog.key(catalog.for_student(catalog.assignment("mlp-random"), student)),
                           student_id=student)
    data = yaml.safe_load(text)
    data["student"] = {"id": claim or student, "name": name, **({"email": email} if email else {})}
    return yaml.safe_dump(data)


ROSTER = "student_id,name,email,folder\ns1,Alice Roster,alice@uni.edu,alice\ns2,Bob Roster,bob@uni.edu,bob\n" \
         "s3,Carol Roster,carol@uni.edu,carol\n"


@pytest.fixture
def course(tmp_path, commands_use):
    """alice hands in bob's numbers, naming bob (s2) and bob's email; bob hands in his own;
    carol sends nothing."""
    folder = tmp_path / "class"
    for who, text in {"alice": key_file(commands_use, "s2", email="bob@uni.edu"), "bob": key_file(commands_use, "s2")}.items():
        (folder / who).mkdir(parents=True)
        (folder / who / "hw.yaml").write_text(text)
    (tmp_path / "roster.csv").write_text(ROSTER)
    return tmp_path


def grade(course, *options):
    out = course / "book.csv"
    result = runner().invoke(cli, ["run", str(course / "class"), "--gradebook", str(out), *options])
    assert result.exit_code == 0, result.output + (result.stderr or "")
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    first = "SIS User ID" if "SIS User ID" in rows[0] else list(rows[0])[0]
    return result, {r[first]: r for r in rows if r[first]}


def test_default_file_ids_let_a_claim_take_over_a_row(course):
    """Today's behaviour, kept by default: the claim decides (both files are s2's)."""
    _, book = grade(course, "--format", "moodle")
    assert list(book) == ["s2"] and book["s2"]["mlp-random"] == "18.0"


def test_ids_from_folder_grade_each_folders_student_with_their_own_numbers(course):
    result, book = grade(course, "--format", "moodle", "--ids-from", "folder", "--roster", str(course / "roster.csv"),
                         "--missing", "zero")
    assert list(book) == ["s1", "s2", "s3"]
    assert float(book["s1"]["mlp-random"]) < 18 and book["s2"]["mlp-random"] == "18.0"
    assert book["s3"]["mlp-random"] == "0.0"  # sent nothing: --missing zero
    assert (book["s1"]["Full name"], book["s1"]["Email address"]) == ("Alice Roster", "alice@uni.edu")
    assert "alice/hw.yaml: the file names student s2, but it is in the folder of s1: graded as s1" in result.stderr
    assert "student s3: no file for mlp-random (zero)" in result.stderr


def test_missing_blank_is_the_default(course):
    _, book = grade(course, "--format", "canvas", "--ids-from", "folder", "--roster", str(course / "roster.csv"))
    assert book["s3"]["mlp-random"] == "" and book["s1"]["Student"] == "Alice Roster"


def test_two_claimants_for_one_id_are_never_merged(course):
    result, book = grade(course, "--format", "moodle", "--roster", str(course / "roster.csv"))
    assert book["s2"]["mlp-random"] == ""  # files from alice/ and bob/ both claim s2: the TA decides
    assert book["s2"]["Email address"] == "bob@uni.edu" and book["s2"]["Full name"] == "Bob Roster"
    assert "student s2, mlp-random: 2 senders (alice, bob) have files for student s2" in result.stderr
    _, long = grade(course, "--roster", str(course / "roster.csv"))
    assert "not merged" in long["s2"]["notes"]


def test_an_email_in_a_file_never_names_the_moodle_row(course):
    _, book = grade(course, "--format", "moodle", "--ids-from", "folder", "--roster", str(course / "roster.csv"))
    assert [r["Email address"] for r in book.values()] == ["alice@uni.edu", "bob@uni.edu", "carol@uni.edu"]


def test_a_broken_file_still_counts_for_its_folders_student(course):
    (course / "class" / "alice" / "hw.yaml").write_text("assignment: mlp-random\nstudent: {id: s1\nanswers: {}\n")
    (course / "class" / "bob" / "extra.yaml").write_text("assignment: mlp-random\nstudent: {id: s2}\nanswers: {}\n")
    _, book = grade(course, "--format", "moodle", "--ids-from", "folder", "--roster", str(course / "roster.csv"))
    assert book["s1"]["mlp-random"] == "0.0" and book["s2"]["mlp-random"] == "18.0"


def test_folders_the_roster_does_not_know_are_rejected_and_listed(course):
    (course / "class" / "mallory").mkdir()
    (course / "class" / "mallory" / "hw.yaml").write_text((course / "class" / "bob" / "hw.yaml").read_text())
    (course / "class" / "loose.yaml").write_text((course / "class" / "bob" / "hw.yaml").read_text())
    result, long = grade(course, "--ids-from", "folder", "--roster", str(course / "roster.csv"))
    text = (course / "book.csv").read_text()
    assert "its folder 'mallory' is not in the roster" in text
    assert "the file is in no student's folder" in text
    result, _ = grade(course, "--ids-from", "folder", "--roster", str(course / "roster.csv"), "--format", "canvas")
    assert "mallory/hw.yaml: no student id, so no canvas row" in result.stderr


def test_github_classroom_folders_match_by_suffix(course):
    (course / "class" / "alice").rename(course / "class" / "hw1-alice")
    (course / "class" / "bob").rename(course / "class" / "hw1-jim-bob")
    (course / "roster.csv").write_text("student_id,name,github_username\ns1,A,alice\ns2,B,bob\ns4,J,jim-bob\n")
    _, book = grade(course, "--format", "moodle", "--ids-from", "folder", "--roster", str(course / "roster.csv"))
    assert float(book["s1"]["mlp-random"]) < 18 and book["s2"]["mlp-random"] == ""
    assert float(book["s4"]["mlp-random"]) < 18  # the longest suffix: jim-bob, not bob (s2's numbers)


def test_ids_from_folder_without_a_roster_use_the_folder_name(course):
    result, book = grade(course, "--format", "moodle", "--ids-from", "folder")
    assert list(book) == ["alice", "bob"]
    assert book["alice"]["Email address"] == "" and book["alice"]["Full name"] == ""


def test_a_file_without_id_left_out_of_canvas_is_listed_on_stderr(tmp_path, commands_use):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "broken.yaml").write_text("assignment: mlp-random\nstudent: [\n")  # no id to read back
    (folder / "ok.yaml").write_text(key_file(commands_use, "s2"))  # (a run with no file matched stops: exit 1)
    out = tmp_path / "c.csv"
    result = runner().invoke(cli, ["run", str(folder), "--gradebook", str(out), "--format", "canvas"])
    assert "broken.yaml: no student id, so no canvas row (rejected: " in result.stderr


def test_wide_sheet_lists_roster_students_who_sent_nothing(course):
    _, book = grade(course, "--wide", "--ids-from", "folder", "--roster", str(course / "roster.csv"))
    assert list(book) == ["s1", "s2", "s3"]
    assert book["s3"]["mlp-random status"] == "no file" and book["s3"]["name"] == "Carol Roster"
    assert book["s1"]["email"] == "alice@uni.edu"
