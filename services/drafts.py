"""Stored drafts and the engine's view of them: load, save what changed, list.

The engine works on plain :class:`~dialogs.state.Draft` values; these functions map
them to rows and back, and write only answers that changed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.flow import Flow
from dialogs.replies import Reply, text
from dialogs.state import Answer, Draft, Phase
from storage import repositories as repo
from storage.models import Pitch, Pitcher

IDEA_PREVIEW = 80
"""Characters of the one-line idea shown in /mypitches."""


def draft_of(flow: Flow, row: Pitch | None) -> Draft | None:
    """The engine's view of a stored draft; repairs a step the flow no longer has."""
    if row is None:
        return None
    answers = {
        a.question_key: Answer(a.value, a.message_id)
        for a in row.answers
        if flow.question(a.question_key) is not None
    }
    phase = Phase.REVIEW if row.phase == Phase.REVIEW else Phase.ASKING
    step = row.step if row.step and flow.question(row.step) else None
    if step is None:
        missing = next((q.key for q in flow.questions if q.key not in answers), None)
        step = missing or flow.questions[-1].key
        phase = Phase.ASKING if missing else phase
    return Draft(step, phase, answers, row.nudged, row.editing, row.confirming_cancel)


async def save_draft(
    session: AsyncSession,
    flow: Flow,
    pitcher: Pitcher,
    row: Pitch | None,
    before: Draft | None,
    draft: Draft,
    language: str,
    now: datetime,
) -> None:
    """Write what changed in the engine's draft; a new draft gets its row first."""
    if row is None:
        row = await repo.add_draft(
            session,
            pitcher_id=pitcher.id,
            flow_version=flow.version,
            step=draft.step,
            language=language,
            now=now,
        )
    old = before.answers if before is not None else {}
    for key, answer in draft.answers.items():
        if old.get(key) != answer:
            await repo.set_answer(session, row, key, answer.value, answer.message_id, now)
    for key in old.keys() - draft.answers.keys():
        await repo.delete_answer(session, row, key)
    row.step, row.phase = draft.step, draft.phase.value
    row.nudged, row.editing = draft.nudged, draft.editing
    row.confirming_cancel = draft.confirming_cancel
    row.language, row.updated_at = language, now


async def my_pitches(session: AsyncSession, flow: Flow, pitcher: Pitcher) -> Reply:
    """/mypitches: every pitch of this person, newest first, with its status."""
    pitches = await repo.pitches_of(session, pitcher.id)
    if not pitches:
        return Reply((text("mypitches_none"),))
    blocks = [text("mypitches_title")]
    headline = flow.questions[0].key  # the idea in one sentence
    for pitch in pitches:
        idea = next((a.value for a in pitch.answers if a.question_key == headline), "")
        idea = idea if len(idea) <= IDEA_PREVIEW else idea[: IDEA_PREVIEW - 1] + "…"
        status = text(f"status_{pitch.status}")
        if pitch.reference:
            blocks.append(
                text("mypitches_item", reference=pitch.reference, status=status, idea=idea)
            )
        else:
            blocks.append(text("mypitches_draft", status=status, idea=idea))
    return Reply(tuple(blocks))
