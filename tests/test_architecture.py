"""Layers import downwards only: no Qt below the presentation layer."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "crm_desktop"
QT_ALLOWED = {"ui", "app.py"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_qt_outside_the_ui() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.relative_to(PACKAGE).parts[0] in QT_ALLOWED:
            continue
        if any(
            name.split(".")[0] in ("PySide6", "pyqtgraph") for name in _imports(path)
        ):
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_services_and_db_never_import_the_ui() -> None:
    for layer in ("db", "services", "security", "integrations"):
        for path in (PACKAGE / layer).rglob("*.py"):
            assert not any(
                name.startswith("crm_desktop.ui") for name in _imports(path)
            ), path
