"""The house rules, checked: import direction (import-linter), no private names across packages, small
modules and functions. Each check is shown to fail on a deliberately broken copy."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """Run import-linter on the `components` package found under `root`, with the repo's contracts."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(REPO / ".importlinter"), "--no-cache"],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )


def copy_of_components(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "components", tmp_path / "components", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_import_contracts_are_kept():
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "forbidden_import", "contract"),
    [
        ("offline/engine.py", "import components.modelslab.client", "Imports run one way"),
        ("reference/pipeline.py", "import components.ui", "Imports run one way"),
        ("modelslab/client.py", "import gradio", "Only the page"),
        ("ui/handlers.py", "import requests", "Only the ModelsLab client talks HTTP"),
    ],
)
def test_a_forbidden_import_breaks_the_build(tmp_path, module, forbidden_import, contract):
    root = copy_of_components(tmp_path)
    target = root / "components" / module
    target.write_text(target.read_text() + f"\n{forbidden_import}  # added by the test\n")
    result = lint_imports(root)
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if "BROKEN" in line]
    assert any(contract.split()[0] in line for line in broken) or contract in result.stdout, result.stdout


def private_imports_across_packages(root: Path) -> list[str]:
    """`from components.X... import _name` written outside package X (or outside its module, at top level)."""
    found = []
    for path in sorted((root / "components").rglob("*.py")):
        importer = path.relative_to(root).with_suffix("").parts
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("components.")):
                continue
            source = node.module.split(".")
            same_package = len(source) > 2 and source[:2] == list(importer[:2])
            for alias in node.names:
                if alias.name.startswith("_") and not same_package:
                    found.append(f"{path.relative_to(root)}: {node.module}.{alias.name}")
    return found


def test_no_package_imports_a_siblings_private_names(tmp_path):
    assert private_imports_across_packages(REPO) == []
    root = copy_of_components(tmp_path)
    engine = root / "components" / "offline" / "engine.py"
    engine.write_text(engine.read_text() + "\nfrom components.reference.pipeline import _clean  # noqa\n")
    assert private_imports_across_packages(root) == ["components/offline/engine.py: components.reference.pipeline._clean"]


def oversized(root: Path) -> list[str]:
    """Modules over MAX_MODULE_LINES lines and functions over MAX_FUNCTION_LINES, under components/."""
    found = []
    for path in sorted((root / "components").rglob("*.py")):
        source = path.read_text()
        if source.count("\n") > MAX_MODULE_LINES:
            found.append(f"{path.relative_to(root)} has {source.count(chr(10))} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{path.relative_to(root)}:{node.lineno} {node.name}() has {length} lines")
    return found


def test_modules_and_functions_stay_small():
    assert oversized(REPO) == []


def test_every_package_says_what_it_is_for_and_may_import():
    for init in sorted((REPO / "components").glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        assert "May import" in doc, f"{init.relative_to(REPO)} must say what it may import"
