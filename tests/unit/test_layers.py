"""The layers of docs/architecture.md, read from the imports of every module (migrations and
imports inside functions included): no module imports a layer above its own, and no two packages
import each other, directly or around a loop."""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lowest first: a module may import its own layer's packages and those of the layers below.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("plumbing", ("sociograph",)),
    ("people", ("people",)),
    ("recognition", ("recognition",)),
    ("analytics", ("analytics",)),
    ("features", ("reports", "webhooks", "intake", "outcomes")),
    ("interfaces", ("web",)),
    ("devtools", ("devtools",)),
    ("shell", ("sociograph.urls", "sociograph.wsgi", "sociograph.asgi")),
)
# Packages whose subpackages are separate units for the cycle rule (web.api, web.portal...).
SPLIT_PACKAGES = ("sociograph", "web")
OURS = {name.split(".")[0] for _, names in LAYERS for name in names}


@dataclass(frozen=True)
class Import:
    source: str  # dotted module
    target: str
    line: int

    def where(self) -> str:
        return f"{self.source}:{self.line} imports {self.target}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imported_modules(node: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            anchor = module.split(".")
            anchor = anchor if is_package else anchor[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, *([base] if base else [])])
        for alias in node.names:
            # `from package import module` imports the module, not just the package
            yield f"{base}.{alias.name}" if is_module(f"{base}.{alias.name}") else base


def imports_of(path: Path) -> Iterator[Import]:
    module = module_name(path)
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        for target in imported_modules(node, module, path.name == "__init__.py"):
            if target.split(".")[0] in OURS:
                yield Import(module, target, getattr(node, "lineno", 0))


def project_imports() -> list[Import]:
    paths = sorted(p for top in OURS for p in (ROOT / top).rglob("*.py"))
    return [found for path in paths for found in imports_of(path)]


def layer_of(module: str) -> int:
    """Index in LAYERS of the most specific entry naming the module or a package of it."""
    best, best_length = -1, -1
    for index, (_, names) in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > best_length:
                best, best_length = index, len(name)
    if best < 0:
        raise AssertionError(f"{module} is in no layer of LAYERS: give it one")
    return best


def unit_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] in SPLIT_PACKAGES and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0]


def upward(imports: list[Import]) -> list[str]:
    return [
        f"{found.where()} ({LAYERS[layer_of(found.source)][0]} -> "
        f"{LAYERS[layer_of(found.target)][0]})"
        for found in imports
        if layer_of(found.target) > layer_of(found.source)
    ]


def cycles(imports: list[Import], unit: object = unit_of) -> list[list[str]]:
    """The strongly connected groups of more than one unit (Tarjan), each sorted."""
    assert callable(unit)
    graph: dict[str, set[str]] = defaultdict(set)
    for found in imports:
        source, target = unit(found.source), unit(found.target)
        if source != target:
            graph[source].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found_groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found_groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found_groups


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return project_imports()


def test_every_module_belongs_to_a_layer(imports: list[Import]) -> None:
    for found in imports:
        layer_of(found.source)
        layer_of(found.target)


def test_no_module_imports_a_layer_above_its_own(imports: list[Import]) -> None:
    assert upward(imports) == []


def test_no_packages_import_each_other(imports: list[Import]) -> None:
    assert cycles(imports) == []


def test_no_modules_import_each_other(imports: list[Import]) -> None:
    assert cycles(imports, unit=lambda module: module) == []


def test_the_rule_catches_an_upward_import() -> None:
    planted = [Import("people.services", "analytics.services", 1)]
    assert upward(planted) == ["people.services:1 imports analytics.services (people -> analytics)"]
    assert upward([Import("sociograph.graph.relay", "web.api.views", 3)]) != []
    assert upward([Import("web.api.views", "people.models", 3)]) == []
    assert upward([Import("sociograph.urls", "web.api.urls", 3)]) == []


def test_the_rule_catches_a_cycle() -> None:
    planted = [
        Import("web.api.views", "web.portal.access", 1),
        Import("web.portal.views", "web.api.roles", 2),
        Import("reports.views", "reports.models", 3),
    ]
    assert cycles(planted) == [["web.api", "web.portal"]]
    loop = [Import("a.x", "b.y", 1), Import("b.y", "c.z", 1), Import("c.z", "a.w", 1)]
    assert cycles(loop) == [["a", "b", "c"]]


def test_relative_and_from_imports_resolve_to_modules(tmp_path: Path) -> None:
    tree = ast.parse("from sociograph.graph import outbox\nfrom . import services\n")
    first, second = tree.body
    assert list(imported_modules(first, "people.admin", False)) == ["sociograph.graph.outbox"]
    assert list(imported_modules(second, "people.admin", False)) == ["people.services"]
