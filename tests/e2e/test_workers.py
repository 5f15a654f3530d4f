"""Production modes with real processes: webhook workers behind a proxy on one PostgreSQL
database, a stop (SIGTERM) while updates are in flight, and a second polling process."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import (
    ANSWERS,
    REQUIRED,
    START_TIMEOUT,
    STOP_TIMEOUT,
    Deployment,
    answer_questions,
    body,
    client_module,
    consent,
    deploy,
    meet,
    problems_in,
    prompt,
    send_pitch,
)
from tests.e2e.proxy import SplittingProxy

pytestmark = pytest.mark.e2e

SECRET = "e2e_webhook-secret"
POSTGRES = os.environ.get("PITCHBOT_E2E_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
"""The PostgreSQL server the workers' test database is made on (trust authentication)."""


def free_port() -> int:
    return int(client_module().free_port())


async def fresh_postgres_database(name: str) -> str:
    """An empty database ``name`` on the server (dropped first if a run left it)."""
    import asyncpg

    try:
        server = await asyncpg.connect(f"{POSTGRES}/postgres", timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        if REQUIRED:
            pytest.fail(f"PostgreSQL at {POSTGRES} is needed for several workers: {error}")
        pytest.skip(f"PostgreSQL at {POSTGRES} is not reachable: {error}")
    try:
        await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await server.execute(f'CREATE DATABASE "{name}"')
    finally:
        await server.close()
    return f"{POSTGRES.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"


def pitchbot(deployment: Deployment, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**deployment.env()}
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        env=env,
        cwd=deployment.folder,
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
    )


class Worker:
    """One `pitchbot run --webhook` process on its own port."""

    def __init__(self, deployment: Deployment, proxy_port: int | None = None) -> None:
        """Telegram posts to the proxy on ``proxy_port``, or else straight to the worker."""
        self.deployment = deployment
        self.port = free_port()
        hook_url = f"http://127.0.0.1:{proxy_port or self.port}/hook"
        self.env = {
            "PITCHBOT_WEBHOOK_URL": hook_url,
            "PITCHBOT_WEBHOOK_LISTEN": "127.0.0.1",
            "PITCHBOT_WEBHOOK_PORT": str(self.port),
            "PITCHBOT_WEBHOOK_SECRET": SECRET,
        }
        self.process: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Worker:
        self.process = self.deployment.launch("run", "--webhook", env=self.env)
        deadline = time.monotonic() + START_TIMEOUT
        while not self.healthy():
            if not self.process.alive():
                pytest.fail(f"the worker exited at start-up:\n{self.process.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"no health within {START_TIMEOUT}s:\n{self.process.log_tail()}")
            time.sleep(0.05)
        return self

    def healthy(self) -> bool:
        try:
            with httpx.Client(timeout=2.0, trust_env=False) as http:
                return http.get(f"{self.url}/healthz").status_code == 200
        except httpx.HTTPError:
            return False

    def terminate(self) -> int:
        """SIGTERM, as a service manager stops it; the exit code."""
        self.process.proc.send_signal(signal.SIGTERM)
        try:
            return int(self.process.proc.wait(STOP_TIMEOUT))
        except subprocess.TimeoutExpired:
            self.process.proc.kill()
            pytest.fail(f"the worker ignored SIGTERM:\n{self.process.log_tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.alive():
            assert self.terminate() == 0, self.process.log_tail()


@pytest.fixture
def deployment(emulator: Any, tmp_path: Path) -> Iterator[Deployment]:
    found = deploy(emulator, tmp_path)
    yield found
    assert not problems_in(found.log()), found.log()[-4000:]


async def test_two_webhook_workers_behind_a_proxy_share_one_postgresql_database(
    deployment: Deployment,
) -> None:
    name = f"pitchbot_e2e_workers_{os.getpid()}"
    deployment.database = await fresh_postgres_database(name)
    migrated = pitchbot(deployment, "db", "upgrade")
    assert migrated.returncode == 0, migrated.stderr
    proxy_port = free_port()
    workers = [Worker(deployment, proxy_port) for _ in range(2)]
    proxy = SplittingProxy(proxy_port, [w.url for w in workers], twice=7).start()
    try:
        for worker in workers:
            worker.start()
        async with meet(deployment) as people:
            names = ("Kim", "Lotte", "Jonas")
            pitchers = [people.pitcher(name, "nl") for name in names]
            sent = await asyncio.gather(*(send_pitch(p, "nl") for p in pitchers))
            references = [reference for reference, _ in sent]
            assert len(set(references)) == 3
            for reference in references:
                await people.card(reference)
            group = [body(m) for m in await people.group_messages()]
            for reference in references:
                assert sum(f"📬 {reference}" in line for line in group) == 1, group
            for pitcher in pitchers:
                said = [body(m) for m in await people.client.messages(pitcher.chat_id)]
                for key in ("idea", "dream", "challenge", "change", "contact"):
                    asked = [line for line in said if prompt(key, "nl") in line]
                    assert len(asked) == 1, (key, said)
        assert all(proxy.forwarded[w.url] > 5 for w in workers), proxy.forwarded
    finally:
        proxy.stop()
        for worker in workers:
            worker.stop()


async def test_sigterm_while_answers_are_in_flight_loses_and_doubles_nothing(
    deployment: Deployment,
) -> None:
    """A burst of answers, the stop right behind it: what the worker took is handled
    before it exits; the rest reaches the next start; every answer lands once, in order."""
    worker = Worker(deployment).start()
    try:
        async with meet(deployment) as people:
            kim = people.pitcher("Kim", "nl")
            question = await consent(kim, "nl")
            question = await answer_questions(kim, question, "nl", stop="challenge")
            burst = ("challenge", "change")
            for key in burst:
                await kim.send_text(ANSWERS["nl"][key])
            assert worker.terminate() == 0, worker.process.log_tail()
            worker.start()
            await people.client.webhook_retry()  # Telegram tries again by itself
            while prompt("solution_form", "nl") not in body(await kim.next_message()):
                pass  # the answers to the burst, before or after the restart
            said = [body(m) for m in await people.client.messages(kim.chat_id)]
            for key in burst:  # each answer moved the flow on once: each next question once
                asked = [line for line in said if prompt(key, "nl") in line]
                assert len(asked) == 1, (key, said)
            await kim.expect_no_new_message(within=0.5)
    finally:
        worker.stop()
    assert "Application.stop() complete" in deployment.log()


async def test_a_second_polling_process_on_the_same_token_says_so_and_exits(
    own_bot: Deployment,
) -> None:
    async with meet(own_bot) as people:
        kim = people.pitcher("Kim", "nl")
        await consent(kim, "nl")  # the first process has fetched updates
        second = own_bot.launch("run", env={"PITCHBOT_DATABASE_URL": "sqlite+aiosqlite:///2.db"})
        code = second.proc.wait(START_TIMEOUT)
        assert code == 3, second.log_tail()
        assert "another pitchbot is already polling" in second.log_tail()
        assert own_bot.process.alive()
        await kim.send_text(ANSWERS["nl"]["idea"])
        await kim.next_message(prompt("dream", "nl"))


async def test_polling_refuses_while_a_webhook_is_set_until_told_to_replace_it(
    deployment: Deployment,
) -> None:
    """A polling run would delete the workers' webhook and leave them deaf: it refuses,
    and polls only when the operator says the workers are gone."""
    async with meet(deployment) as people:
        await people.client.bot_api("setWebhook", url="http://127.0.0.1:9/hook")
        refused = deployment.launch("run")
        assert refused.proc.wait(START_TIMEOUT) == 3, refused.log_tail()
        assert "a webhook is set (http://127.0.0.1:9/hook)" in refused.log_tail()
        assert "--replace-webhook" in refused.log_tail()
        assert (await people.client.webhook_info())["url"] == "http://127.0.0.1:9/hook"

        deployment.process = deployment.launch("run", "--replace-webhook")
        try:
            kim = people.pitcher("Kim", "nl")
            await consent(kim, "nl")  # answered: it polls
            assert (await people.client.webhook_info())["url"] == ""
        finally:
            assert deployment.stop() == 0
