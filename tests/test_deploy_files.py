"""The deployment files say what matters, checked without Docker or systemd: the image
runs `pitchbot` as a non-root user and checks its own health, compose starts the workers
after the migration, the units run the service as its own user, and no setting named in
them or in the README's "Deploy" section is one pitchbot does not know (docs drift).

Images and units cannot be built or started here; `hadolint Dockerfile`,
`docker compose config -q` and `systemd-analyze verify` lint them where installed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
UNITS = sorted((ROOT / "deploy").glob("pitchbot*.service"))

SETTING = re.compile(r"\bPITCHBOT_[A-Z0-9_]*[A-Z0-9]\b")


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per Dockerfile instruction, continuation lines joined and
    comments dropped."""
    joined = re.sub(r"\\\n(\s*#[^\n]*\n)*", " ", dockerfile)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def final_stage(dockerfile: str) -> list[tuple[str, str]]:
    """The instructions of the image that is shipped: those after the last FROM."""
    steps = instructions(dockerfile)
    last = max(i for i, (word, _) in enumerate(steps) if word == "FROM")
    return steps[last:]


def only(steps: list[tuple[str, str]], word: str) -> str:
    matching = [rest for name, rest in steps if name == word]
    assert len(matching) == 1, f"expected one {word}, found {len(matching)}"
    return matching[0]


def exec_form(arguments: str) -> list[str]:
    """A JSON array of strings (exec form: no shell between Docker and the process)."""
    value = json.loads(arguments)
    assert isinstance(value, list) and all(isinstance(part, str) for part in value), arguments
    return value


def services(compose: str) -> dict[str, str]:
    """Each service under the top-level `services:` key with its block of text (the file
    is plain block YAML, indented by two; PyYAML is not a dependency)."""
    block = re.search(r"^services:\n(.*?)(?=^\S|\Z)", compose, re.MULTILINE | re.DOTALL)
    assert block is not None, "compose.yaml has no top-level services:"
    names = list(re.finditer(r"^  ([A-Za-z0-9_.-]+):\s*$", block.group(1), re.MULTILINE))
    return {
        name.group(1): block.group(1)[
            name.end() : names[i + 1].start() if i + 1 < len(names) else None
        ]
        for i, name in enumerate(names)
    }


def deploy_section(readme: str) -> str:
    match = re.search(r"^## Deploy\n(.*?)(?=^## )", readme, re.MULTILINE | re.DOTALL)
    assert match is not None, "README.md has no '## Deploy' section followed by another"
    return match.group(1)


def test_the_image_runs_pitchbot_as_a_non_root_user() -> None:
    steps = final_stage(text(DOCKERFILE))
    user = [rest for word, rest in steps if word == "USER"]
    assert user, "the final stage sets no USER: the bot would run as root"
    name = user[-1].split(":")[0]
    assert name not in {"root", "0"}
    assert exec_form(only(steps, "ENTRYPOINT")) == ["pitchbot"]
    assert exec_form(only(steps, "CMD")) == ["run"]
    assert only(steps, "STOPSIGNAL") == "SIGTERM"
    assert "PYTHONUNBUFFERED=1" in " ".join(rest for word, rest in steps if word == "ENV")


def test_the_image_checks_its_health_with_pitchbot_check() -> None:
    healthcheck = only(final_stage(text(DOCKERFILE)), "HEALTHCHECK")
    options, _, command = healthcheck.partition("CMD ")
    for option in ("--interval=", "--timeout=", "--start-period="):
        assert option in options
    assert exec_form(command)[:2] == ["pitchbot", "check"]


def test_secrets_and_local_files_stay_out_of_the_image() -> None:
    ignored = text(ROOT / ".dockerignore").splitlines()
    for pattern in (".env", ".git", ".venv", "*.db"):
        assert any(line.strip().endswith(pattern) for line in ignored), pattern
    for included in ("!pyproject.toml", "!README.md"):  # `pip install .` needs both
        assert included in ignored


def test_compose_migrates_before_the_workers_start() -> None:
    compose = text(COMPOSE)
    assert "\t" not in compose
    found = services(compose)
    assert {"db", "migrate", "bot", "bot2"} <= found.keys()
    assert "image: postgres:16" in found["db"] and "pg_isready" in found["db"]
    assert 'command: ["db", "upgrade"]' in found["migrate"]
    worker = re.search(r"^x-worker: &worker\n(.*?)(?=^\S)", compose, re.MULTILINE | re.DOTALL)
    assert worker is not None
    assert 'command: ["run", "--webhook"]' in worker.group(1)
    assert "condition: service_completed_successfully" in worker.group(1)
    assert "restart: unless-stopped" in worker.group(1)
    for name in ("bot", "bot2"):
        assert "<<: *worker" in found[name] and "8080" in found[name]
    assert 'profiles: ["scale"]' in found["bot2"]
    assert "profiles" not in found["bot"]
    assert re.search(
        r"PITCHBOT_DATABASE_URL: postgresql\+asyncpg://.+@db:5432/pitchbot$", compose, re.M
    )


@pytest.mark.parametrize("unit", UNITS, ids=lambda path: path.name)
def test_the_units_run_as_the_service_user(unit: Path) -> None:
    lines = text(unit).splitlines()
    for setting in (
        "User=pitchbot",
        "EnvironmentFile=/etc/pitchbot/pitchbot.env",
        "WorkingDirectory=/var/lib/pitchbot",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/pitchbot",
    ):
        assert setting in lines, setting
    assert any(
        line.startswith("ExecStart=") and "/opt/pitchbot/.venv/bin/pitchbot" in line
        for line in lines
    )


def test_the_service_upgrades_the_schema_and_restarts_on_failure() -> None:
    lines = text(ROOT / "deploy" / "pitchbot.service").splitlines()
    for setting in (
        "ExecStartPre=/opt/pitchbot/.venv/bin/pitchbot db upgrade",
        "ExecStart=/opt/pitchbot/.venv/bin/pitchbot run",
        "Restart=on-failure",
        "KillSignal=SIGTERM",
        "TimeoutStopSec=30",
    ):
        assert setting in lines, setting


def test_deploy_and_scaling_come_before_development() -> None:
    """An operator reads them without wading through the developers' part."""
    headings = re.findall(r"^## (.+)$", text(ROOT / "README.md"), re.MULTILINE)
    assert headings.index("Deploy") < headings.index("Scaling") < headings.index("Development")


def test_every_setting_named_for_deployment_is_a_known_one() -> None:
    known = set(SETTING.findall(text(ROOT / ".env.example")))
    named = {
        "Dockerfile": text(DOCKERFILE),
        "compose.yaml": text(COMPOSE),
        **{f"deploy/{unit.name}": text(unit) for unit in UNITS},
        "README.md, Deploy": deploy_section(text(ROOT / "README.md")),
    }
    unknown = {
        f"{where}: {name}"
        for where, content in named.items()
        for name in SETTING.findall(content)
        if name not in known
    }
    assert not unknown, f"settings neither in .env.example nor in issue 13: {sorted(unknown)}"
