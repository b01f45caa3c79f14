"""app/match is pure: it imports only app.protocol, app.match and a few stdlib modules."""

from __future__ import annotations

import ast
from pathlib import Path

MATCH = Path(__file__).resolve().parents[2] / "app" / "match"

#: No I/O, no Qt, no SQL, no sockets, no clocks: the fold must be deterministic.
ALLOWED_STDLIB = {"__future__", "dataclasses", "enum", "typing", "collections", "collections.abc"}


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


def offences(path: Path) -> list[str]:
    return [
        name
        for name in sorted(imports_of(path))
        if name not in ALLOWED_STDLIB
        and not name.startswith(("app.protocol.", "app.match."))
        and name not in ("app.protocol", "app.match")
    ]


def test_match_layer_imports_nothing_else() -> None:
    modules = sorted(MATCH.rglob("*.py"))
    assert len(modules) >= 4
    assert {str(path.relative_to(MATCH)): offences(path) for path in modules} == {
        str(path.relative_to(MATCH)): [] for path in modules
    }


def test_the_check_reports_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text("import time\nfrom app.store import x\nfrom . import y\nimport app.match\n")
    assert offences(sample) == [".", "app.store", "time"]
