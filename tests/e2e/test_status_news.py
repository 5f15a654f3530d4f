"""End to end: a status the pitcher hears of is shown first; a referral says to whom, and
a personal word goes along, typed as Telegram replies to the bot's prompts."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import People, body, press_and_wait, says, send_pitch

pytestmark = pytest.mark.e2e


async def test_a_referral_says_to_whom_with_a_personal_word(people: People) -> None:
    """The referral's "to whom?" and the personal word are typed as Telegram replies to
    the bot's prompts (a phone offers the reply by itself: ForceReply)."""
    gert = people.pitcher("Gert", "nl")
    reference, _ = await send_pitch(gert)
    olga = await people.olga()

    await olga.send_command("/status", f"{reference} doorverwezen")
    asked = await olga.next_message("aan wie verwijs je")
    await olga.send_text("Buurtwerk Noord", reply_to=asked)
    preview = await olga.next_message("Zo leest de pitcher het")
    assert "doorgegeven aan Buurtwerk Noord" in body(preview)
    await press_and_wait(olga, preview, f"sv:{reference}:word")
    prompt = await olga.next_message("persoonlijk woord")
    await olga.send_text("Lies verwacht je telefoontje.", reply_to=prompt)

    news = body(await gert.next_message("Buurtwerk Noord"))
    assert news.endswith("Olga van het team schrijft erbij:\nLies verwacht je telefoontje.")
    done = body(await olga.next_message(reference))
    assert done.startswith(says("nl", "staff_status_set", reference=reference,
                                old="🆕 nieuw", new="🤝 doorverwezen"))  # fmt: skip
