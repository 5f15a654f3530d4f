from __future__ import annotations

from tests.bot.conftest import BotHarness


async def test_start_welcomes_and_asks_consent(harness: BotHarness) -> None:
    anna = harness.chat()
    replies = await anna.send("/start")
    assert "Welkom" in replies[0].text
    consent = replies[-1]
    assert consent.data("Akkoord").startswith("consent:yes")
    replies = await anna.press(consent.data("Akkoord"))
    assert "Vraag 1 van 11" in replies[-1].text
