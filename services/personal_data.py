"""/mydata: a copy of everything stored about the person asking, as a JSON file.

The right of access and portability: their profile, every consent, every pitch with every
answer, the messages between them and the team, and each pitch's status history. Staff
are "the team" (who did what is the organisation's business, not personal data of the
pitcher); the team's internal notes and assignments are working notes, not data the
pitcher gave, and stay out (/privacy says so). Acts on the asking Telegram user only.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from dialogs.answers import display
from dialogs.flow import Flow
from storage.database import Session
from storage.personal_data import PitchData, personal_data

SHARED_KINDS = ("message_in", "message_out", "file", "status")
"""History that is the person's too: what they said, what they were told, what happened
to their pitch. Notes and assignments are internal."""

THE_TEAM = "the team"


async def my_data(
    session: Session, flow: Flow, telegram_user_id: int, now: datetime
) -> bytes | None:
    """The file's bytes (UTF-8 JSON); None when nothing is stored about them."""
    found = await personal_data(session, telegram_user_id, SHARED_KINDS)
    if found is None:
        return None
    document = {
        "exported_at": _when(now),
        "person": {
            "telegram_user_id": found.telegram_user_id,
            "username": found.username,
            "first_name": found.first_name,
            "language": found.language,
            "first_seen": _when(found.created_at),
        },
        "consents": [
            {"privacy_version": version, "given_at": _when(at)} for version, at in found.consents
        ],
        "pitches": [_pitch(flow, pitch) for pitch in found.pitches],
        "not_included": "the team's internal notes and who in the team handles your pitch",
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def _pitch(flow: Flow, pitch: PitchData) -> dict[str, Any]:
    answers = []
    for key, value in pitch.answers:
        question = flow.question(key)
        shown = display(question, value, pitch.language) if question and value else value
        texts = question.texts.get(pitch.language) if question else None
        label = texts.label if texts is not None else key
        answers.append({"question": label, "question_key": key, "answer": shown})
    messages, statuses = [], []
    for at, kind, payload in pitch.events:
        if kind == "status":
            statuses.append(_status(at, payload))
        elif kind == "file":
            messages.append(
                {"at": _when(at), "from": "you", "file": payload.get("kind"),
                 "caption": payload.get("text") or None}
            )  # fmt: skip
        else:
            message: dict[str, Any] = {
                "at": _when(at),
                "from": "you" if kind == "message_in" else THE_TEAM,
                "text": payload.get("text", ""),
            }
            if kind == "message_out":
                message["delivered"] = bool(payload.get("delivered"))
            messages.append(message)
    return {
        "reference": pitch.reference,
        "status": pitch.status,
        "language": pitch.language,
        "started_at": _when(pitch.created_at),
        "last_changed_at": _when(pitch.updated_at),
        "sent_at": _when(pitch.submitted_at),
        "status_changed_at": _when(pitch.status_changed_at),
        "answers": answers,
        "messages": messages,
        "status_history": statuses,
    }


def _status(at: datetime, payload: dict[str, Any]) -> dict[str, Any]:
    change: dict[str, Any] = {
        "at": _when(at),
        "from": payload.get("from"),
        "to": payload.get("to"),
        "by": "you" if payload.get("from") == "draft" else THE_TEAM,  # sending it was yours
    }
    if "told" in payload:
        change["you_were_told"] = bool(payload["told"])
    if payload.get("referral") and payload.get("told", True):  # as they were told it
        change["referred_to"] = payload["referral"]
    if payload.get("word"):
        change["personal_word_to_you"] = payload["word"]
    return change


def _when(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None
