"""The house is one-way: every module of lianhu_tools belongs to a layer, and imports (at the top or inside a
function) reach only its own layer or those below; there are no import cycles; importing the package loads
nothing above the rosters."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "lianhu_tools"

# Data flows down this list: each layer may use those above it in the list, never those below.
LAYERS = [
    ("schema", "errors", "periods", "roles"),
    ("tables",),
    ("policy",),
    ("rosters", "classify", "geo", "outlines", "places", "summary", "template", "personal_data", "rollup"),
    ("monitoring", "paper_trail", "sampling"),  # the living year's checks, on rosters and records
    ("pairing", "changes"),
    ("assessment",),  # ranks a run: the store keeps its results with it
    ("store",),
    ("plans", "archives"),
    ("figures",),
    ("report", "docs"),
    ("widgets",),
    ("demo",),
    ("app", "serve", "kernels", "voila_static", "hub"),
    ("cli", "cli_common", "cli_year"),
]
LAYER_OF = {name: k for k, names in enumerate(LAYERS) for name in names}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(module: str, path: Path) -> set[str]:
    """The lianhu_tools modules `module` imports, wherever in the file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    known = modules()
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if not base.startswith("lianhu_tools"):
                continue
            for alias in node.names:  # `from . import io` names a module; `from .x import f` names x
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("lianhu_tools")}
        elif isinstance(node, ast.Call) and _names_a_module(node.func) and node.args:  # import_module("…"), __import__
            name = node.args[0].value if isinstance(node.args[0], ast.Constant) else None
            if isinstance(name, str) and name.startswith("lianhu_tools"):
                found.add(name)
            elif name is None or name.startswith("."):
                found.add("<dynamic import>")  # a module chosen at run time: not allowed, the check cannot see it
    return found - {module}


def _names_a_module(func: ast.expr) -> bool:
    return (isinstance(func, ast.Name) and func.id in ("__import__", "import_module")) or \
        (isinstance(func, ast.Attribute) and func.attr == "import_module")


def layer(module: str) -> int | None:
    parts = module.split(".")
    return None if len(parts) == 1 else LAYER_OF.get(parts[1])


def test_every_module_has_a_layer():
    assert [m for m in modules() if m != "lianhu_tools" and layer(m) is None] == []


def test_nothing_imports_upward():
    upward = [f"{module} → {target}" for module, path in modules().items() if module != "lianhu_tools"
              for target in imports_of(module, path)
              if target != "lianhu_tools" and (target == "<dynamic import>" or layer(target) > layer(module))]
    assert upward == []


def test_no_import_cycles():
    graph = {module: imports_of(module, path) for module, path in modules().items()}
    for start in graph:  # a cycle is a path from a module back to itself through packages' __init__ too
        seen, stack = set(), list(graph[start])
        while stack:
            node = stack.pop()
            if node == start:
                pytest.fail(f"import cycle through {start}")
            if node not in seen:
                seen.add(node)
                stack += graph.get(node, ())


def test_importing_the_package_loads_only_the_bottom_layers():
    code = "import sys, lianhu_tools; print(' '.join(m for m in sys.modules if m.startswith('lianhu_tools.')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert loaded and max(layer(m) for m in loaded) <= LAYER_OF["rosters"]


def test_the_walk_sees_imports_inside_functions_and_by_name(tmp_path):
    module = tmp_path / "fake.py"
    module.write_text("import importlib\ndef f():\n    from ..widgets.dashboard import Dashboard\n    from .. import tables\n"
                      "    importlib.import_module('lianhu_tools.cli')\n    __import__('lianhu_tools.demo')\n"
                      "    importlib.import_module(name)\n", encoding="utf-8")
    found = imports_of("lianhu_tools.figures.fake", module)
    assert found == {"lianhu_tools.widgets.dashboard", "lianhu_tools.tables", "lianhu_tools.cli", "lianhu_tools.demo",
                     "<dynamic import>"}
    assert layer("lianhu_tools.widgets.dashboard") > layer("lianhu_tools.figures.fake")
