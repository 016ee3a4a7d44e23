"""grade selftest: green for every shipped assignment; red when a key is wrong."""
import shutil

from click.testing import CliRunner

from grader.cli import cli
from tests.conftest import ROOT


def test_selftest_is_green_for_every_shipped_assignment():
    result = CliRunner().invoke(cli, ["selftest"])
    assert result.exit_code == 0, result.output
    for assignment in ("mlp-numeric", "mlp-random", "softmax-ce", "backprop-general", "residual-softmax"):
        assert f"{assignment}: " in result.output and "FAILED" not in result.output


def _selftest_with_edit(tmp_path, monkeypatch, old: str, new: str):
    """grade selftest on a course copy of residual-softmax with one edit to its reference file."""
    shutil.copytree(ROOT / "reference", tmp_path / "reference")
    shutil.copytree(ROOT / "rubrics", tmp_path / "rubrics")
    ref = tmp_path / "reference" / "residual-softmax.yaml"
    assert old in ref.read_text()
    ref.write_text(ref.read_text().replace(old, new))
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(cli, ["selftest", "residual-softmax"])


def test_selftest_fails_on_a_wrong_reference_answer(tmp_path, monkeypatch):
    result = _selftest_with_edit(tmp_path, monkeypatch, 'answer: "W^{(1)T} \\\\bar{z}_1 + \\\\bar{z}_2"',
                                 'answer: "W^{(1)T} \\\\bar{z}_1"')
    assert result.exit_code == 1
    assert "q1c.xbar: the key's own answer is wrong" in result.output


def test_selftest_fails_when_a_mistake_example_is_not_flagged(tmp_path, monkeypatch):
    result = _selftest_with_edit(tmp_path, monkeypatch, 'mistakes: {loss-gradient-sign: "t - y"}',
                                 'mistakes: {loss-gradient-sign: "y + t"}')
    assert result.exit_code == 1
    assert "q1c.ybar: 'y + t' should be flagged loss-gradient-sign" in result.output
