"""Dependencies point down (DESIGN.md): a package may not import what sits above or
beside it. Each rule names the offending module and line when it breaks.

Only storage/ imports SQLAlchemy, Alembic or a database driver (migrations, tests and
benchmarks aside).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATABASE = ("sqlalchemy", "alembic", "aiosqlite", "asyncpg")


def imports(package: str, root: Path = ROOT) -> list[tuple[str, int, str]]:
    """(file, line, imported module) for every import in ``package``'s own modules."""
    found = []
    for path in sorted((root / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            relative = str(path.relative_to(root))
            found += [(relative, node.lineno, name) for name in names]
    return found


def offending(package: str, forbidden: tuple[str, ...], root: Path = ROOT) -> list[str]:
    return [
        f"{path}:{line} imports {name}"
        for path, line, name in imports(package, root)
        if name.split(".")[0] in forbidden
    ]


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        # the conversation is pure: no chat platform, no database, nothing above it
        (
            "dialogs",
            ("telegram", *DATABASE, "bot", "cli", "services", "storage"),
        ),
        # the use cases: plain values in and out, no chat platform, no SQL, nothing above
        ("services", ("telegram", *DATABASE, "bot", "cli")),
        # the Telegram adapter: no SQL (storage hands it records), not the entry points
        ("bot", (*DATABASE, "cli")),
        # the entry points build on the layers below, SQL stays in storage
        ("cli", DATABASE),
        # storage is the bottom layer: it serves everyone and imports none of them
        ("storage", ("telegram", "bot", "cli", "dialogs", "services")),
    ],
)
def test_a_package_imports_nothing_above_or_beside_it(
    package: str, forbidden: tuple[str, ...]
) -> None:
    assert offending(package, forbidden) == []


def test_the_checker_finds_an_offending_import(tmp_path: Path) -> None:
    """The rule above would name the file and line of a forbidden import."""
    (tmp_path / "dialogs" / "flows").mkdir(parents=True)
    (tmp_path / "dialogs" / "flows" / "probe.py").write_text(
        "from __future__ import annotations\n\nimport telegram.ext\nfrom dialogs import flow\n"
    )

    found = offending("dialogs", ("telegram", "sqlalchemy"), root=tmp_path)

    assert found == ["dialogs/flows/probe.py:3 imports telegram.ext"]


def sessions_opened(package: str, root: Path = ROOT) -> list[str]:
    """Every place in ``package`` that opens a database session or transaction itself."""
    found = []
    for path in sorted((root / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            called = node.func if isinstance(node, ast.Call) else None
            if isinstance(called, ast.Attribute) and called.attr in ("transaction", "sessions"):
                found.append(f"{path.relative_to(root)}:{node.lineno} opens a {called.attr}")
    return found


def test_the_telegram_adapter_leaves_units_of_work_to_the_use_cases() -> None:
    """bot/ reads frozen records and constants from storage/, but every transaction is a
    use case's, in services/."""
    assert sessions_opened("bot") == []


def test_the_session_checker_finds_a_transaction(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "probe.py").write_text(
        "async def f(db):\n    async with db.transaction() as session:\n        pass\n"
    )

    assert sessions_opened("bot", root=tmp_path) == ["bot/probe.py:2 opens a transaction"]
