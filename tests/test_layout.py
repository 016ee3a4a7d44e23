"""The layout's rules (issue 16), checked: a module is one idea (at most 400 lines), the top
of ``grader/`` stays a short list of stage packages (at most 8 modules beside them), and every
package says in its docstring what lives there."""
from __future__ import annotations

import ast
from pathlib import Path

import grader

PACKAGE = Path(grader.__file__).parent
MAX_LINES = 400
MAX_TOP_MODULES = 8


def test_no_module_is_over_400_lines():
    sizes = {str(p.relative_to(PACKAGE)): len(p.read_text(encoding="utf-8").splitlines())
             for p in PACKAGE.rglob("*.py")}
    assert len(sizes) > 50  # (the walk found the package)
    assert {p: n for p, n in sizes.items() if n > MAX_LINES} == {}


def test_the_top_of_grader_holds_at_most_8_modules():
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert "__init__.py" in modules and len(modules) <= MAX_TOP_MODULES, modules


def test_every_package_has_a_docstring():
    packages = [p for p in PACKAGE.rglob("__init__.py")]
    assert len(packages) > 10
    missing = [str(p.relative_to(PACKAGE)) for p in packages
               if not (ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) or "").strip()]
    assert missing == []
