"""Every CLI command has help text and appears in the README (sqlite-utils' test_docs idea)."""
import re

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.course.misconceptions import CATALOGUE
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_command_has_help_and_is_documented(name):
    command = cli.commands[name]
    assert command.help and len(command.help) > 20
    assert f"grade {name}" in README or (name == "run" and "grade FOLDER" in README)
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_option_is_documented(name):
    for param in cli.commands[name].params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--") and opt != "--help":
                assert opt in README, f"{opt} of grade {name} is not in the README"


def test_every_misconception_is_in_the_readme():
    for m in CATALOGUE:
        assert f"`{m.id}`" in README


def test_quick_start_is_two_commands_and_the_service():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [l for block in re.findall(r"```bash\n(.*?)```", quick, re.S) for l in block.splitlines() if l.strip()]
    assert len(commands) == 3  # issue 21: the two stay; a third shows the service
    assert "grade submissions" in commands[0] and "pytest" in commands[1] and "grade serve" in commands[2]
