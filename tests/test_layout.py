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


def module_imports() -> dict[str, set[str]]:
    """Each grader module → the grader modules it imports at its top level (imports inside a
    function run later, on demand: they cannot make an import cycle)."""
    names = {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
             for p in PACKAGE.rglob("*.py")}
    graph = {}
    for p in PACKAGE.rglob("*.py"):
        me = ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        found = set()
        for node in ast.parse(p.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in names else node.module
                          for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
        graph[me] = {m for m in found if m in names and m != me}
    return graph


def test_no_import_cycle():
    graph = module_imports()
    assert graph["grader.cli"] >= {"grader.cli.run_command", "grader.cli.course_commands"}  # (the walk sees imports)
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        if module in path:
            raise AssertionError("import cycle: " + " -> ".join(path[path.index(module):] + (module,)))
        if module in done:
            return
        for other in sorted(graph[module]):
            visit(other, path + (module,))
        done.add(module)

    for module in sorted(graph):
        visit(module, ())


def test_the_readme_design_map_names_every_package():
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    design = readme[readme.index("## Design"):]
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    assert [p for p in packages if f"── {p}/" not in design] == []
