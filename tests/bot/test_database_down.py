"""The database goes away mid-pitch: the pitcher is asked to send that again in a minute,
nothing stored is lost or half-written, and once the database is back the bot carries on
by itself, at the same question.

PostgreSQL only: the bot reaches it through a proxy the test cuts (a stopped server: open
connections closed, new ones refused) and restores.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from storage import drafts
from storage.database import Database, create_database
from tests.bot.conftest import FakeMonotonic, FrozenClock, TeamHarness, make_team_app
from tests.bot.scenario import (
    ANSWERS,
    answer_questions,
    consent,
    draft_answers,
    prompt_of,
    snapshot,
    visible,
)
from tests.conftest import SERVER_URL
from tests.support.proxy import Proxy
from tests.support.telegram import Sent

pytestmark = pytest.mark.skipif(
    SERVER_URL is None or make_url(SERVER_URL).get_backend_name() != "postgresql",
    reason="needs PITCHBOT_TEST_DATABASE_URL=postgresql+asyncpg://…",
)

ANNA = 1001
CANNOT_SAVE = (
    "Sorry, ik kan je bericht nu even niet bewaren. Stuur het over een minuutje nog eens? "
    "Wat je eerder stuurde, blijft veilig bewaard."
)
DATABASE_DOWN = "⚠️ Er liep iets mis in de bot: de databank is onbereikbaar, "


@pytest.fixture
async def proxy() -> AsyncIterator[Proxy]:
    assert SERVER_URL is not None
    url = make_url(SERVER_URL)
    async with Proxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        yield proxy


@pytest.fixture
async def team(
    database: Database, proxy: Proxy, clock: FrozenClock, monotonic: FakeMonotonic
) -> AsyncIterator[TeamHarness]:
    """The bot with a team, on the test database through the proxy (``database`` itself
    stays direct: the test reads what was stored through it)."""
    assert SERVER_URL is not None
    proxied = make_url(SERVER_URL).set(host="127.0.0.1", port=proxy.port)
    through = create_database(proxied.render_as_string(hide_password=False))
    app, request, gate = make_team_app(through, clock, monotonic)
    try:
        async with app:
            try:
                yield TeamHarness(app, request, through, clock, monotonic, gate)
            finally:
                if proxy.blocked:
                    await proxy.restore()  # the app's shutdown writes the inbox
    finally:
        await through.dispose()


def to_anna(replies: list[Sent]) -> list[str]:
    return [visible(r.text) for r in replies if r.chat_id == ANNA]


async def test_an_answer_sent_while_the_database_is_down_is_sent_again_once_it_is_back(
    team: TeamHarness, proxy: Proxy, database: Database
) -> None:
    anna = team.pitcher()
    await consent(anna)
    await answer_questions(anna, stop="dream")
    await proxy.block()
    before = len(team.request.calls)

    replies = await anna.send(ANSWERS["nl"]["dream"])

    assert to_anna(replies) == [CANNOT_SAVE]
    [notice] = [visible(m.text) for m in team.group_messages(before)]
    assert notice.startswith(DATABASE_DOWN), notice
    await anna.send("hallo?")  # still down: the same apology, the team is not told again
    assert len(team.group_messages(before)) == 1

    await proxy.restore()
    replies = await anna.send(ANSWERS["nl"]["dream"])

    assert prompt_of("challenge", "nl") in replies[-1].text, "on at the same question"
    assert await draft_answers(database, ANNA) == {
        "idea": ANSWERS["nl"]["idea"],
        "dream": ANSWERS["nl"]["dream"],
    }


async def test_a_connection_cut_in_the_middle_of_a_unit_of_work_leaves_nothing_half_written(
    team: TeamHarness, proxy: Proxy, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    anna = team.pitcher()
    await consent(anna)
    await answer_questions(anna, stop="challenge")
    stored = await snapshot(database)
    keep = drafts.set_answer

    async def cut_first(session: AsyncSession, *args: object) -> object:
        await proxy.block()  # the database goes away after the unit of work began
        return await keep(session, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(drafts, "set_answer", cut_first)

    replies = await anna.send(ANSWERS["nl"]["challenge"])

    assert to_anna(replies) == [CANNOT_SAVE]
    monkeypatch.undo()
    await proxy.restore()
    assert await snapshot(database) == stored, "nothing of the failed update was kept"
    replies = await anna.send(ANSWERS["nl"]["challenge"])
    assert prompt_of("change", "nl") in replies[-1].text
    assert (await draft_answers(database, ANNA))["challenge"] == ANSWERS["nl"]["challenge"]
