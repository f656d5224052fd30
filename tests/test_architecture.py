"""The shape of bot/, checked from its source (issue 27, "Checked by").

- The package import graph has no cycle. Each subpackage of bot/ (bot.cli, bot.store, ...)
  is one node, and each top-level module (bot.config, bot.deadlines, ...) is a node of its
  own. Every import statement counts, wherever it stands: at module level, inside a
  function (a lazy import still makes the importer depend on the imported package at run
  time, and the issue asks for "lazy imports included"), and under `if TYPE_CHECKING:`
  (free at run time, but still an arrow a reader must follow: a lower layer that names a
  higher layer's types depends on it, and a type-only import is the cheapest way to hide
  an upward arrow). A failure names each edge with its file, line and kind, so a reader
  can see which of these it is.
- No module in bot/ is over 700 lines.
- No function, method or closure is graded E or F by radon (cyclomatic complexity >= 31).
- None of the speed twins' tricks are back: `os._exit`, `gc.disable`, `c_make_encoder`,
  and no module named help_page or plain_status.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import pytest
from radon.complexity import cc_rank, cc_visit
from radon.visitors import Class, Function

BOT = Path(__file__).resolve().parent.parent / "bot"

MAX_MODULE_LINES = 700
MAX_COMPLEXITY = 30  # radon grades 31-40 E and 41+ F
FORBIDDEN_TEXT = ("os._exit", "gc.disable", "c_make_encoder")
FORBIDDEN_MODULES = ("help_page", "plain_status")


@dataclass(frozen=True)
class Edge:
    """One import of `target` (a node) by a module of `source` (a node)."""

    source: str
    target: str
    path: str  # relative to the folder that holds the package
    line: int
    kind: str  # "top", "lazy" (inside a function) or "type" (under `if TYPE_CHECKING:`)
    statement: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} [{self.kind}] {self.source} -> {self.target}: {self.statement}"


def python_files(package: Path) -> list[Path]:
    return sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)


def module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


class _Graph:
    """The nodes of one package (`bot`): the package itself, its subpackages and its
    top-level modules."""

    def __init__(self, package: Path) -> None:
        self.root = package.name
        self.subpackages = {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}
        self.modules = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}

    def node(self, module: str) -> str | None:
        """The node that holds `module` (a dotted name), or None if it is outside the package."""
        parts = module.split(".")
        if parts[0] != self.root:
            return None
        if len(parts) == 1:
            return self.root
        return f"{self.root}.{parts[1]}"

    def is_node_name(self, name: str) -> bool:
        return name in self.subpackages or name in self.modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[tuple[ast.AST, str]]:
    """Every import statement and importlib.import_module("...") call in the tree, with
    its kind. An import inside a function under TYPE_CHECKING is "type"."""
    found: list[tuple[ast.AST, str]] = []

    def visit(node: ast.AST, in_function: bool, in_type_checking: bool) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom) or (
            isinstance(node, ast.Call)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (
                    isinstance(node.func, ast.Name)
                    and node.func.id in ("import_module", "__import__")
                )
            )
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node, "type" if in_type_checking else "lazy" if in_function else "top"))
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, in_function, True)
            for child in node.orelse:
                visit(child, in_function, in_type_checking)
            return
        inner = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for child in ast.iter_child_nodes(node):
            visit(child, inner, in_type_checking)

    visit(tree, False, False)
    return found


def import_edges(package: Path) -> list[Edge]:
    """Every import between two different nodes of `package`, lazy and type-only included."""
    graph = _Graph(package)
    edges: list[Edge] = []
    for path in python_files(package):
        name = module_name(path, package)
        source = graph.node(name)
        assert source is not None
        is_package = path.name == "__init__.py"
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text, filename=str(path))
        lines = text.splitlines()
        for node, kind in _imports(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.Call):
                targets = [node.args[0].value]  # type: ignore[attr-defined]
            else:
                assert isinstance(node, ast.ImportFrom)
                base = node.module or ""
                if node.level:
                    # `from . import x` in a module is relative to its package; in an
                    # __init__.py, to the package itself.
                    here = name.split(".") if is_package else name.split(".")[:-1]
                    here = here[: len(here) - (node.level - 1)]
                    base = ".".join([*here, base] if base else here)
                if base == graph.root:
                    # `from bot import config`: a module or subpackage is its own node;
                    # anything else is an attribute of bot/__init__.py.
                    targets = [
                        f"{base}.{a.name}" if graph.is_node_name(a.name) else base
                        for a in node.names
                    ]
                else:
                    targets = [base]
            statement = lines[node.lineno - 1].strip()  # type: ignore[attr-defined]
            for target_module in targets:
                target = graph.node(target_module)
                if target is not None and target != source:
                    edges.append(
                        Edge(
                            source,
                            target,
                            str(path.relative_to(package.parent)),
                            node.lineno,  # type: ignore[attr-defined]
                            kind,
                            statement,
                        )
                    )
    return edges


def strongly_connected(edges: list[Edge]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), each sorted."""
    succ: dict[str, set[str]] = {}
    for e in edges:
        succ.setdefault(e.source, set()).add(e.target)
        succ.setdefault(e.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(succ[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(succ):
        if v not in index:
            connect(v)
    return sorted(components)


def shortest_cycle(edges: list[Edge], start: str, within: set[str]) -> list[Edge]:
    """A shortest path of edges from `start` back to itself inside `within` (breadth first)."""
    by_source: dict[str, list[Edge]] = {}
    for e in sorted(edges, key=lambda e: (e.source, e.target, e.path, e.line)):
        if e.source in within and e.target in within:
            by_source.setdefault(e.source, []).append(e)
    came: dict[str, Edge] = {}
    queue = deque([start])
    while queue:
        v = queue.popleft()
        for e in by_source.get(v, []):
            if e.target == start:
                path = [e]
                while path[0].source != start:
                    path.insert(0, came[path[0].source])
                return path
            if e.target not in came:
                came[e.target] = e
                queue.append(e.target)
    return []


def cycle_report(edges: list[Edge]) -> str:
    out: list[str] = []
    for component in strongly_connected(edges):
        members = set(component)
        inside = [e for e in edges if e.source in members and e.target in members]
        out.append(f"cycle among {len(component)} nodes: {', '.join(component)}")
        path = shortest_cycle(edges, component[0], members)
        out.append("  e.g. " + " -> ".join([component[0], *(e.target for e in path)]))
        out.extend(f"       {e}" for e in path)
        out.append(f"  every import edge inside it ({len(inside)}):")
        out.extend(
            f"    {e}" for e in sorted(inside, key=lambda e: (e.source, e.target, e.path, e.line))
        )
    return "\n".join(out)


# ---- the checker itself, on packages made here --------------------------------------


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


def test_checker_finds_a_cycle_closed_by_a_lazy_import(tmp_path: Path) -> None:
    pkg = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/config.py": "X = 1\n",
            "pkg/store/__init__.py": "",
            "pkg/store/db.py": "def f():\n    from pkg.reports import figures\n",
            "pkg/reports/__init__.py": "",
            "pkg/reports/figures.py": "from ..store.db import f\nfrom pkg import config\n",
        },
    )
    edges = import_edges(pkg)
    assert {(e.source, e.target, e.kind) for e in edges} == {
        ("pkg.store", "pkg.reports", "lazy"),
        ("pkg.reports", "pkg.store", "top"),
        ("pkg.reports", "pkg.config", "top"),
    }
    assert strongly_connected(edges) == [["pkg.reports", "pkg.store"]]
    report = cycle_report(edges)
    assert "pkg/store/db.py:2 [lazy] pkg.store -> pkg.reports" in report
    assert "pkg/reports/figures.py:1 [top] pkg.reports -> pkg.store" in report


def test_checker_counts_type_checking_and_import_module(tmp_path: Path) -> None:
    pkg = _write(
        tmp_path,
        {
            "pkg/__init__.py": "VERSION = 1\n",
            "pkg/a/__init__.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from pkg.b.x import Y\n"
                "from pkg import VERSION\n"
            ),
            "pkg/b/__init__.py": "",
            "pkg/b/x.py": "import importlib\nimportlib.import_module('pkg.a')\nimport os\n",
        },
    )
    edges = import_edges(pkg)
    assert {(e.source, e.target, e.kind) for e in edges} == {
        ("pkg.a", "pkg.b", "type"),
        ("pkg.a", "pkg", "top"),
        ("pkg.b", "pkg.a", "top"),
    }
    assert strongly_connected(edges) == [["pkg.a", "pkg.b"]]


def test_checker_passes_a_layered_package(tmp_path: Path) -> None:
    pkg = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/rules/__init__.py": "",
            "pkg/rules/status.py": "import datetime\n",
            "pkg/store/__init__.py": "from . import db\n",
            "pkg/store/db.py": "from pkg.rules.status import x\n",
            "pkg/cli/__init__.py": "def main():\n    from pkg.store import db\n    from pkg.rules import status\n",
        },
    )
    edges = import_edges(pkg)
    assert len(edges) == 3
    assert strongly_connected(edges) == []


# ---- bot/ ------------------------------------------------------------------------------


def test_bot_graph_is_what_the_checker_reads() -> None:
    # Guards the checks below against passing on an empty or misread tree.
    edges = import_edges(BOT)
    nodes = {e.source for e in edges} | {e.target for e in edges}
    assert {"bot.cli", "bot.store", "bot.tracking", "bot.wdtk", "bot.deadlines"} <= nodes
    assert any(e.source == "bot.cli" and e.target == "bot.store" for e in edges)


def test_package_import_graph_has_no_cycle() -> None:
    edges = import_edges(BOT)
    report = cycle_report(edges)
    print(report)
    assert not strongly_connected(edges), "the package import graph has cycles:\n" + report


def test_no_module_over_700_lines() -> None:
    long = []
    for path in python_files(BOT):
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_MODULE_LINES:
            long.append(f"{path.relative_to(BOT.parent)}: {n} lines")
    print("\n".join(long))
    assert not long, f"modules over {MAX_MODULE_LINES} lines:\n" + "\n".join(long)


def _functions(blocks: list[Function | Class]) -> list[Function]:
    """Every function, method and closure in radon's blocks, however deeply nested."""
    out: list[Function] = []
    for block in blocks:
        if isinstance(block, Function):
            out.append(block)
            out.extend(_functions(block.closures))
        else:
            # cc_visit lists a top-level class's methods beside it, but not an inner class's.
            for inner in block.inner_classes:
                out.extend(_functions([*inner.methods, inner]))
    return out


def test_no_function_graded_e_or_f_by_radon() -> None:
    complex_ = []
    for path in python_files(BOT):
        blocks = cc_visit(path.read_text(encoding="utf-8"))
        for f in _functions(blocks):
            if f.complexity > MAX_COMPLEXITY:
                name = f"{f.classname}.{f.name}" if f.classname else f.name
                complex_.append(
                    f"{path.relative_to(BOT.parent)}:{f.lineno} {name}: "
                    f"{f.complexity} ({cc_rank(f.complexity)})"
                )
    print("\n".join(complex_))
    assert not complex_, (
        f"functions with cyclomatic complexity over {MAX_COMPLEXITY}:\n" + "\n".join(complex_)
    )


def test_radon_grades_a_complex_function() -> None:
    # The check above reads radon's numbers; this shows it would see a 31-branch function.
    source = "def f(x):\n" + "".join(f"    if x == {i}:\n        return {i}\n" for i in range(30))
    (f,) = _functions(cc_visit(source))
    assert f.complexity == 31
    assert cc_rank(f.complexity) == "E"


@pytest.mark.parametrize("text", FORBIDDEN_TEXT)
def test_no_speed_trick_in_bot(text: str) -> None:
    found = []
    for path in sorted(p for p in BOT.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        for number, line in enumerate(
            path.read_text(encoding="utf-8", errors="replace").splitlines(), 1
        ):
            if text in line:
                found.append(f"{path.relative_to(BOT.parent)}:{number}: {line.strip()}")
    print("\n".join(found))
    assert not found, f"{text} in bot/:\n" + "\n".join(found)


@pytest.mark.parametrize("name", FORBIDDEN_MODULES)
def test_no_module_named(name: str) -> None:
    found = [
        str(p.relative_to(BOT.parent))
        for p in BOT.rglob("*")
        if p.stem == name and "__pycache__" not in p.parts
    ]
    print("\n".join(found))
    assert not found, f"a module named {name}: {', '.join(found)}"


# The services: each runs one use-case over the store and the WDTK client. What one learns
# for another is returned as data and acted on by its caller (bot.run, bot.cli).
SERVICES = ("bot.attachments", "bot.campaigns", "bot.followups", "bot.mailbox", "bot.notify",
            "bot.reports", "bot.tracking")  # fmt: skip
# What the pure rules may not reach: the services and shells above them, and I/O.
ABOVE_RULES = (*SERVICES, "bot.store", "bot.run", "bot.cli", "bot.doctor")
IO_MODULES = ("sqlite3", "sqlite_utils", "requests", "urllib.request", "http.client", "socket",
              "smtplib", "imaplib", "imapclient", "subprocess", "bot.wdtk.client",
              "bot.wdtk.transport")  # fmt: skip


def test_no_service_imports_another() -> None:
    sideways = [
        str(e) for e in import_edges(BOT) if e.source in SERVICES and e.target in SERVICES
    ]
    assert not sideways, "a service imports another:\n" + "\n".join(sideways)


def test_the_rules_import_no_service_and_no_io() -> None:
    up = [str(e) for e in import_edges(BOT) if e.source == "bot.rules" and e.target in ABOVE_RULES]
    assert not up, "bot.rules imports above itself:\n" + "\n".join(up)
    io = []
    for path in python_files(BOT / "rules"):
        for node, _kind in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [getattr(node, "module", None) or ""]
            )  # fmt: skip
            io += [f"{path.name}:{node.lineno} {n}" for n in names  # type: ignore[attr-defined]
                   if n.startswith(IO_MODULES)]  # fmt: skip
    assert not io, "bot.rules does I/O:\n" + "\n".join(io)
