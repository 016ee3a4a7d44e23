"""Identity comes from what the platform vouches for, never from the file's claim
(grader/integrations/platform_identity.py, the Gradescope and PrairieLearn integrations)."""
import json

import pytest
import yaml
from click.testing import CliRunner

from grader.cli import cli
from grader.keys.key_text import key_answer_file



def key_file(catalog, student: str, *, claim: str | None = None) -> str:
    """A complete answer file holding ``student``'s own key, naming ``claim`` (default: them)."""
    text = key_answer_file(catalog.key(catalog.for_student(catalog.assignment("mlp-random"), student)),
                           student_id=student)
    data = yaml.safe_load(text)
    data["student"] = {"id": claim or student, "name": "Claimed Name"}
    return yaml.safe_dump(data)


def metadata(*users):
    return {"id": 1, "created_at": "2026-12-01T10:00:00-08:00", "assignment": {"title": "HW"},
            "users": [{"id": 9000 + i, "sid": sid, "name": f"Person {sid}", "email": f"{sid}@uni.edu",
                       "assignment": {}} for i, sid in enumerate(users)]}


def gradescope(tmp_path, text, meta, *options):
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "answers.yaml").write_text(text)
    if meta is not None:
        (tmp_path / "submission_metadata.json").write_text(json.dumps(meta))
    out = tmp_path / "results.json"
    result = CliRunner().invoke(cli, ["gradescope", "--submission-dir", str(folder), "--results", str(out),
                                      "--assignment", "mlp-random", *options])
    return result, json.loads(out.read_text())


def test_gradescope_grades_the_submitter_not_the_student_the_file_names(tmp_path, commands_use):
    """s1002 hands in s1001's answers, with s1001's id in the file: it used to score 18/18."""
    result, data = gradescope(tmp_path, key_file(commands_use, "s1001"), metadata("s1002"))
    assert result.exit_code == 0, result.output
    assert data["score"] < 18 and data["extra_data"]["student_id"] == "s1002"
    assert "the file names student s1001, but Gradescope's submitter is s1002: graded as s1002" in data["output"]
    assert "answers.yaml (student s1002)" in data["output"]


def test_gradescope_own_numbers_score_full_marks_whatever_the_file_claims(tmp_path, commands_use):
    result, data = gradescope(tmp_path, key_file(commands_use, "s1002", claim="somebody"), metadata("s1002"))
    assert result.exit_code == 0, result.output
    assert data["score"] == 18.0
    assert "the file names student somebody" in data["output"]


def test_gradescope_uses_the_user_id_when_there_is_no_sid(tmp_path, commands_use):
    meta = {"users": [{"id": 4242, "name": "N", "email": "n@x", "sid": None}]}
    _, data = gradescope(tmp_path, key_file(commands_use, "4242"), meta)
    assert data["score"] == 18.0 and data["extra_data"]["student_id"] == "4242"


@pytest.mark.parametrize("claim, graded_as, full", [
    ("s2", "s2", True),   # the file names a member: the group solved that member's numbers
    ("s9", "s1", False),  # it names no member: the member with the smallest id
])
def test_gradescope_group_submission(tmp_path, commands_use, claim, graded_as, full):
    _, data = gradescope(tmp_path, key_file(commands_use, claim), metadata("s2", "s1"))
    assert data["extra_data"]["student_id"] == graded_as
    assert f"group submission of s1, s2: graded as {graded_as}" in data["output"]
    assert (data["score"] == 18.0) is full


def test_gradescope_randomized_without_metadata_is_our_configuration_error(tmp_path, commands_use):
    result, data = gradescope(tmp_path, key_file(commands_use, "s1001"), None)
    assert result.exit_code == 2
    assert data["score"] == 0 and "not your fault" in data["output"]
    assert "no submission_metadata.json" in data["output"]


def test_gradescope_metadata_option(tmp_path, commands_use):
    path = tmp_path / "elsewhere.json"
    path.write_text(json.dumps(metadata("s1003")))
    _, data = gradescope(tmp_path, key_file(commands_use, "s1003"), None, "--metadata", str(path))
    assert data["score"] == 18.0 and data["extra_data"]["student_id"] == "s1003"


# --- PrairieLearn -------------------------------------------------------------------------------------

def pl_job(tmp_path, data, *, file_text=None):
    job = tmp_path / "grade"
    (job / "data").mkdir(parents=True)
    (job / "data" / "data.json").write_text(json.dumps(data))
    if file_text is not None:
        (job / "student").mkdir()
        (job / "student" / "answers.yaml").write_text(file_text)
    return job


def prairielearn(job):
    result = CliRunner().invoke(cli, ["prairielearn", "--grade-dir", str(job), "--assignment", "mlp-random"])
    return result, json.loads((job / "results" / "results.json").read_text())


def test_prairielearn_file_claiming_another_student_gets_the_variants_numbers(tmp_path, commands_use):
    """Another student's file with that student's id used to score 1.0."""
    job = pl_job(tmp_path, {"params": {}, "variant_seed": 777, "submitted_answers": {}},
                 file_text=key_file(commands_use, "s1001"))
    result, data = prairielearn(job)
    assert result.exit_code == 0, result.output
    assert data["gradable"] is True and data["score"] < 1.0
    assert "the file names student s1001: graded with the numbers of this question's variant" in data["message"]


def test_prairielearn_variant_param_decides_the_numbers(tmp_path, commands_use):
    job = pl_job(tmp_path, {"params": {"variant": "v-12"}, "variant_seed": 5, "submitted_answers": {}},
                 file_text=key_file(commands_use, "v-12", claim="s1001"))
    _, data = prairielearn(job)
    assert data["score"] == 1.0


def test_prairielearn_form_fields_of_a_randomized_assignment_are_graded(tmp_path, commands_use):
    """Form-field mode used to reject a randomized assignment, blaming a file never sent."""
    own = yaml.safe_load(key_file(commands_use, "pl-31"))["answers"]
    fields = {q.replace(".", "_"): str(v) for q, v in own.items()}
    job = pl_job(tmp_path, {"params": {}, "variant_seed": "31", "submitted_answers": fields})
    result, data = prairielearn(job)
    assert result.exit_code == 0, result.output
    assert data["gradable"] is True and data["score"] == 1.0


def test_prairielearn_randomized_without_a_variant_is_our_configuration_error(tmp_path, commands_use):
    job = pl_job(tmp_path, {"params": {}, "submitted_answers": {"ex1a_z1": "[1, 2]"}})
    result, data = prairielearn(job)
    assert result.exit_code == 2
    assert data["gradable"] is False and "names no variant" in data["format_errors"][0]
    assert "not your fault" in data["message"]
