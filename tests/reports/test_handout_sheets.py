"""`grade handout` works for every shipped assignment: those whose questions are expressions
(softmax-ce, backprop-general, residual-softmax) crashed with IndexError in
key.initial_params, since a part without numbers has no parameters to print. Their sheets now
give the shapes in size symbols and how each size, function and quantity may be written."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from grader.keys.catalog import Catalog
from grader.cli import cli
from grader.engine.autodiff import FLOAT
from grader.errors import ConfigError
from grader.keys.answer_key import initial_params

from tests.conftest import ROOT

SHIPPED = sorted(p.stem for p in (ROOT / "reference").glob("*.yaml"))
DERIVATIONS = ("softmax-ce", "backprop-general", "residual-softmax")


def test_every_shipped_assignment_is_listed():
    assert set(DERIVATIONS) <= set(SHIPPED) and {"mlp-numeric", "mlp-random"} <= set(SHIPPED)


@pytest.mark.parametrize("assignment", SHIPPED)
def test_handout_for_every_shipped_assignment(assignment, catalog, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\ns1,Ada Lovelace\ns2,Alan Turing\n")
    out = tmp_path / "handouts"
    result = CliRunner().invoke(cli, ["handout", assignment, "--roster", str(roster), "--out", str(out),
                                      "--salt", "course-secret"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["s1.answers.yaml", "s1.md", "s2.answers.yaml", "s2.md"]
    ids = catalog.assignment(assignment).question_ids
    sheet, template = (out / "s1.md").read_text(), (out / "s1.answers.yaml").read_text()
    assert all(f"`{q}`" in sheet for q in ids) and all(f"  {q}:\n" in template for q in ids)
    assert ("another student's differ" in sheet) == catalog.assignment(assignment).randomized
    checked = CliRunner().invoke(cli, ["check", str(out / "s1.answers.yaml")])
    assert checked.exit_code == 0, checked.output  # a blank template is well-formed


@pytest.mark.parametrize("assignment", DERIVATIONS)
def test_a_derivation_sheet_says_how_to_write_each_quantity(assignment, catalog, tmp_path):
    from grader.io.roster import Student
    from grader.reports.handouts import problem_sheet

    a = catalog.assignment(assignment)
    sheet = problem_sheet(a, Student("s1", "Ada"))
    symbols = [b for per in a.symbols.values() for b in per.values()]
    assert symbols and all(f"`{b.spellings[0]}`" in sheet for b in symbols)
    assert all(f"`{spellings[0]}`" in sheet for _, spellings in a.sizes.values())
    assert "another student's differ" not in sheet  # the same sheet for everyone


def test_initial_params_of_a_part_without_numbers_is_a_config_error():
    a = Catalog(root=ROOT).assignment("softmax-ce")
    scenario = next(iter(a.scenarios.values()))
    with pytest.raises(ConfigError, match="sizes are symbols"):
        initial_params(a, scenario, FLOAT, {})
