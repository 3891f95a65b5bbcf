"""The house rules on imports: dependencies point down only, stages never import each other, rcm never imports
prefect (flows do)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RCM = Path(__file__).resolve().parents[2] / "rcm"

BOTTOM = {"rcm.x12", "rcm.store", "rcm.transport"}
FOUNDATION = ("rcm.domain", "rcm.codes", "rcm.errors", "rcm.config", "rcm.drops")
STAGES = ("rcm.intake", "rcm.eligibility", "rcm.coding", "rcm.claims", "rcm.remits")
ABOVE_STAGES = ("rcm.denials", "rcm.reports", "rcm.payer_sim")
TOP = ("rcm.cli", "rcm.nightly", "rcm.web")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _package_of(path: Path) -> str:
    parts = path.relative_to(RCM.parent).with_suffix("").parts
    return ".".join(parts[:2]) if len(parts) > 1 else parts[0]


def _modules() -> list[Path]:
    return sorted(RCM.rglob("*.py"))


def _top(name: str) -> str:
    return ".".join(name.split(".")[:2])


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(RCM.parent)))
def test_imports_point_down(path: Path) -> None:
    package = _package_of(path)
    imported = {_top(n) for n in _imports(path) if n == "rcm" or n.startswith("rcm.")}
    assert not any(n == "prefect" or n.startswith("prefect.") for n in _imports(path)), "rcm never imports prefect"
    if package in BOTTOM or package in FOUNDATION:
        bad = {n for n in imported if n in STAGES or n in ABOVE_STAGES or n in TOP}
        assert not bad, f"{package} is at the bottom but imports {sorted(bad)}"
    elif package in STAGES:
        bad = {n for n in imported if (n in STAGES and n != package) or n in ABOVE_STAGES or n in TOP}
        assert not bad, f"stage {package} imports {sorted(bad)}"
    elif package in ABOVE_STAGES:
        assert not {n for n in imported if n in TOP}, f"{package} imports an entry point"
