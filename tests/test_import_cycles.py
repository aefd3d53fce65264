"""No module of app/ is part of an import cycle, counting the imports made only for type
checking (issue 23): the window imports the tabs and nothing imports the window back."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

APP = ROOT / "app"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(root: Path = APP) -> dict[str, set[str]]:
    """Each module of *root* → the modules of *root* it imports anywhere in its text: at the
    top, inside functions, and under `if TYPE_CHECKING:` alike."""
    paths = {module_name(p, root.parent): p for p in sorted(root.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the package, up level - 1
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)
        graph[name] = {m for m in found if m in paths and m != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of *graph* as a path that ends where it starts, or None."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        path: list[str] = []
        on_path: set[str] = set()
        stack: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
        path.append(start)
        on_path.add(start)
        while stack:
            node, todo = stack[-1]
            if not todo:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
                continue
            nxt = todo.pop()
            if nxt in on_path:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in done:
                stack.append((nxt, sorted(graph[nxt])))
                path.append(nxt)
                on_path.add(nxt)
    return None


def test_no_module_of_app_is_part_of_an_import_cycle() -> None:
    graph = import_graph()
    assert "app.ui.window.main_window" in graph  # the walk found the tree
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_the_graph_sees_type_checking_imports_and_the_cycle_finder_finds_cycles(
    tmp_path: Path,
) -> None:
    pkg = tmp_path / "app"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "window.py").write_text("from app.tab import Tab\n")
    (pkg / "tab.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.window import W\n"
    )
    graph = import_graph(pkg)
    assert graph["app.tab"] == {"app.window"}
    assert find_cycle(graph) in (
        ["app.tab", "app.window", "app.tab"],
        ["app.window", "app.tab", "app.window"],
    )
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
