"""The layout by audience holds: imports flow one way (projects may use catalog, portal
may use both, never the reverse) and the sponsor, review, public and holder sides of
projects use the shared core, never each other. The contracts live in pyproject.toml
([tool.importlinter]); this test runs them on every `make test`."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = [
    sys.executable,
    "-c",
    "from importlinter.cli import lint_imports_command; lint_imports_command()",
]


def lint_imports(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*LINT_IMPORTS, "--no-cache", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_imports_cross_no_line_of_the_layout():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


def test_the_contracts_catch_an_import_against_the_flow(tmp_path):
    """The same contracts, on a tree where catalog imports portal, the public side
    imports the sponsor's, the holder's side the review's, the API the public side's
    and the core the holder's and the API's sides: each is reported."""
    for package in [
        "portal",
        "catalog",
        "projects",
        "projects/sponsor",
        "projects/review",
        "projects/public",
        "projects/holder",
        "projects/api",
    ]:
        (tmp_path / package).mkdir(parents=True)
        (tmp_path / package / "__init__.py").write_text("")
    for module in [
        "models",
        "clocks",
        "services",
        "selectors",
        "snapshots",
        "uploads",
        "identifiers",
        "notifications",
        "mail",
        "pdf",
        "processing",
        "holders",
        "joining",
        "refreshing",
        "bulk",
        "filters",
        "statistics",
        "results",
    ]:
        (tmp_path / "projects" / f"{module}.py").write_text("")
    (tmp_path / "portal" / "views.py").write_text("")
    (tmp_path / "catalog" / "views.py").write_text("import portal.views\n")
    (tmp_path / "projects" / "sponsor" / "views.py").write_text("")
    (tmp_path / "projects" / "public" / "views.py").write_text("import projects.sponsor.views\n")
    (tmp_path / "projects" / "review" / "admin.py").write_text("")
    (tmp_path / "projects" / "holder" / "views.py").write_text("import projects.review.admin\n")
    (tmp_path / "projects" / "holders.py").write_text("import projects.holder.views\n")
    (tmp_path / "projects" / "api" / "views.py").write_text("import projects.public.views\n")
    (tmp_path / "projects" / "statistics.py").write_text("import projects.api.views\n")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    lines = ["[importlinter]", "root_packages =", *[f"    {p}" for p in config["root_packages"]]]
    for index, contract in enumerate(config["contracts"]):
        lines.append(f"[importlinter:contract:{index}]")
        for key, value in contract.items():
            if isinstance(value, list):
                lines += [f"{key} =", *[f"    {item}" for item in value]]
            else:
                lines.append(f"{key} = {value}")
    (tmp_path / ".importlinter").write_text("\n".join(lines) + "\n")

    result = lint_imports(tmp_path)

    assert result.returncode == 1
    assert "catalog.views -> portal.views" in result.stdout
    assert "projects.public.views -> projects.sponsor.views" in result.stdout
    assert "projects.holder.views -> projects.review.admin" in result.stdout
    assert "projects.holders -> projects.holder.views" in result.stdout
    assert "projects.api.views -> projects.public.views" in result.stdout
    assert "projects.statistics -> projects.api.views" in result.stdout
