"""The stages import one way only: a module may import those above it in this ladder."""

import ast
from pathlib import Path

LADDER = ["records", "keys", "diagnostics", "yamlio", "dates", "model", "config", "load", "pictures", "markup", "resolve",
          "urls", "structured", "theme", "graph", "plan", "render", "forked", "write", "search", "cache", "reuse", "build",
          "addresses", "handlers", "serve", "cli"]


def test_imports_follow_the_ladder():
    package = Path(__file__).resolve().parent.parent / "generator"
    for module in LADDER:
        path = package / f"{module}.py"
        if not path.exists():
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module] if node.module else [a.name for a in node.names]
                for name in names:
                    if name in LADDER:
                        assert LADDER.index(name) < LADDER.index(module), f"{module} imports {name}"


def test_no_module_level_mutable_state():
    package = Path(__file__).resolve().parent.parent / "generator"
    for path in package.glob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign) and isinstance(node.value, (ast.List, ast.Dict, ast.Set)):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                assert all(n.isupper() or n.startswith("_") and n[1:].isupper() for n in names), (path, names)
