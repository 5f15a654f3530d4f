"""Staff actions reached both by command and by button, so each has one implementation."""

from __future__ import annotations

import logging

from telegram import Bot

from bot.staff.callbacks import Erase, encode
from bot.staff.cards import status_text
from bot.staff.team import Team
from bot.threads import REPLY_MARK
from dialogs.replies import Button, Reply, text
from services.desk import Erasure

log = logging.getLogger(__name__)


async def change_status(team: Team, bot: Bot, pitch_id: int, status: str, actor_id: int) -> Reply:
    """Set a status from whatever the pitch has now, and tell the pitcher when it matters."""
    change = await team.desk.change_status(pitch_id, status, actor_id)
    if change is None:
        return Reply((text("staff_not_found"),))
    reference = change.pitch.reference or ""
    if change.previous is None:
        return Reply((text("staff_status_same", reference=reference, status=status_text(status)),))
    blocks = [
        text(
            "staff_status_set",
            reference=reference,
            old=status_text(change.previous),
            new=status_text(status),
        )
    ]
    told = await team.notifier.status_news(bot, change.pitch, status)
    if told in ("failed", "queued"):
        blocks.append(text(f"staff_notify_{told}", reference=reference))
    return Reply(tuple(blocks))


async def reply_to_pitcher(
    team: Team, bot: Bot, pitch_id: int, message: str, actor_id: int
) -> Reply:
    """Store the team's message first, then deliver it; say whether it arrived."""
    pitch = await team.desk.pitch(pitch_id)
    if pitch is None:
        return Reply((text("staff_not_found"),))
    event_id = await team.desk.record_reply(pitch_id, message, actor_id)
    told = await team.notifier.team_message(bot, pitch, message, event_id)
    if told == "sent":  # queued: marked delivered when it arrives
        await team.desk.mark_delivery(event_id, True)
    return Reply((text(f"staff_reply_{told}", reference=pitch.reference or ""),))


def reply_prompt(reference: str, name: str) -> Reply:
    return Reply(
        (text("staff_reply_prompt", mark=REPLY_MARK, reference=reference, name=name),),
        expects_reply=True,
    )


async def erase_prompt(team: Team, reference: str) -> Reply:
    """Erasure is for good: show what goes, and ask for a press before doing it."""
    erasure = await team.desk.erasure(reference)
    if erasure is None:
        return Reply((text("staff_not_found"),))
    confirm = text("staff_erase_confirm", reference=reference, references=_listed(erasure))
    buttons = (
        Button(text("staff_button_erase_yes"), encode(Erase(reference, confirmed=True))),
        Button(text("staff_button_erase_no"), encode(Erase(reference, confirmed=False))),
    )
    return Reply((confirm,), (buttons,))


async def erase(team: Team, bot: Bot, reference: str, actor_id: int) -> Reply:
    """Erase the pitcher behind a pitch (their right to erasure), then tell them."""
    erasure = await team.desk.erase(reference)
    if erasure is None:
        return Reply((text("staff_not_found"),))
    log.info(
        "erased the pitcher of %s and their %d pitch(es) at the request of staff member %s",
        reference,
        erasure.pitches,
        actor_id,
    )
    told = await team.notifier.tell_erased(bot, erasure, reference)
    key = {"sent": "staff_erased", "queued": "staff_erased_queued"}.get(told, "staff_erased_untold")
    return Reply((text(key, reference=reference, references=_listed(erasure)),))


def _listed(erasure: Erasure) -> str:
    return ", ".join(erasure.references) or "–"
