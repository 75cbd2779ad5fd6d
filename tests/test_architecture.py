"""The house's rules, read from the code itself (each module's `ast`, imports inside functions included):
rooms stay small, the domain stands on the standard library alone, the service layer knows no web
framework and no database library, and the top-level packages depend on each other in one direction."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("hallq", "server", "drivers", "bench")
MAX_LINES = 400


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every module a file imports, anywhere in it (a lazy import inside a function counts), resolved to
    absolute names."""
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)  # each name may be a module
    return found


@pytest.mark.parametrize("package", ["server", "drivers"])
def test_no_module_is_over_400_lines(package):
    big = {module_name(p): n for p in modules(package) if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert big == {}


def test_the_domain_imports_only_the_standard_library_and_itself():
    for path in modules("server") :
        if module_name(path).startswith("server.domain"):
            outside = {m for m in imported(path) if not m.startswith("server.domain")
                       and m.split(".")[0] not in sys.stdlib_module_names}
            assert outside == set(), module_name(path)


def test_the_service_layer_knows_no_web_framework_and_no_database_library():
    forbidden = ("sqlalchemy", "flask", "flask_socketio", "werkzeug", "socketio", "redis", "psycopg")
    for path in modules("server"):
        name = module_name(path)
        if name.startswith(("server.services", "server.domain")):
            found = {m for m in imported(path) if m.split(".")[0] in forbidden}
            assert found == set(), name
            layers_above = {m for m in imported(path) if m.startswith(("server.adapters", "server.api", "server.push",
                                                                       "server.web"))}
            assert layers_above == set(), name


def package_graph() -> dict[str, set[str]]:
    graph = {p: set() for p in PACKAGES}
    for package in PACKAGES:
        for path in modules(package):
            graph[package] |= {m.split(".")[0] for m in imported(path)} & set(PACKAGES) - {package}
    return graph


def test_the_top_level_packages_import_each_other_in_one_direction_only():
    graph = package_graph()
    assert graph["server"] == set(), "the server knows nothing of the drivers, the bench or the command line"
    assert graph["drivers"] <= {"server"} and graph["bench"] <= {"server"}
    # No cycle, lazy or not: a depth-first search finds no way back.
    def reaches(start: str, goal: str, seen=()) -> bool:
        return any(nxt == goal or (nxt not in seen and reaches(nxt, goal, (*seen, nxt))) for nxt in graph[start])
    assert [p for p in PACKAGES if reaches(p, p)] == []


def test_the_import_reader_sees_lazy_and_relative_imports(tmp_path, monkeypatch):
    """The checks above can fail: the reader finds an import hidden in a function, and a relative one."""
    fake = tmp_path / "server" / "services" / "lazy.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("from ..domain import errors\n\ndef later():\n    from drivers import router\n    import bench.run\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert {"server.domain", "server.domain.errors", "drivers", "bench.run"} <= imported(fake)


def test_no_modules_import_each_other_in_a_circle():
    """Within the packages too: a circle of modules (even one held together by a type-checking import)
    is a room that cannot be read, changed or tested on its own."""
    paths = {module_name(p): p for package in PACKAGES for p in modules(package)}
    graph = {m: {i for i in imported(p) if i in paths and i != m} for m, p in paths.items()}
    circles, order, low, stack, on_stack = [], {}, {}, [], set()

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        order[v] = low[v] = len(order)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in order:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], order[w])
        if low[v] == order[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in graph:
        if module not in order:
            visit(module)
    assert circles == []
