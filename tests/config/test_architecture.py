"""The floors of the design hold: import-linter checks the contracts in pyproject.toml (an arrow only points
down: config, accounts and partners never import the apps above them, alliances never imports invitations,
the rules import no product app, database or broker)."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "accounts", "partners", "eligibility", "alliances", "invitations")


def lint_imports(cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """lint-imports over the packages in `cwd`, with the contracts of its pyproject.toml."""
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(cwd)}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_every_floor_holds():
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_arrow_pointing_up_breaks_a_contract(tmp_path):
    """The contracts can fail: the same contracts, over a copy of the project whose directory imports
    alliances."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc", "migrations")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "partners" / "upward.py").write_text("from alliances import models\n")
    result = lint_imports(cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "partners.upward -> alliances" in result.stdout


def test_the_rules_import_nothing_of_django_but_its_translations():
    """import-linter cannot forbid part of an outside package (django.db): the rules' own imports, read."""
    tree = ast.parse((ROOT / "eligibility" / "rules.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    standard = {*sys.stdlib_module_names, "__future__"}
    assert {name for name in imported if name.split(".")[0] not in standard} == {"django.utils.translation"}


def test_the_image_installs_every_package_the_project_declares():
    """The Dockerfile copied every app but invitations before `pip install .`: the image's installed copy of
    the project lacked one."""
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    installed = (ROOT / "Dockerfile").read_text().split("pip install")[0]
    assert {pattern.rstrip("*") for pattern in declared["include"]} == set(PACKAGES)
    for package in PACKAGES:
        assert f"COPY {package} ./{package}\n" in installed, package
