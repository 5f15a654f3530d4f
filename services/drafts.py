"""Stored drafts and the engine's view of them: load, save what changed, list.

The engine works on plain :class:`~dialogs.state.Draft` values; these functions map
them to rows and back, and write only answers that changed.
"""

from __future__ import annotations

from datetime import datetime

from dialogs.buttons import document_data
from dialogs.flow import Flow
from dialogs.replies import Button, Reply, text
from dialogs.state import Answer, Draft, Phase
from storage import drafts
from storage.database import Session
from storage.drafts import DraftPlace, DraftRecord

IDEA_PREVIEW = 80
"""Characters of the one-line idea shown in /mypitches."""
DOCUMENT_BUTTONS = 10
"""/mypitches offers the PDF of this many newest sent pitches as buttons (any other one
with ``/mypitches P-2026-0042``)."""


def draft_of(flow: Flow, row: DraftRecord | None) -> Draft | None:
    """The engine's view of a stored draft; repairs a step the flow no longer has."""
    if row is None:
        return None
    answers = {
        a.key: Answer(a.value, a.message_id)
        for a in row.answers
        if flow.question(a.key) is not None
    }
    phase = Phase.REVIEW if row.phase == Phase.REVIEW else Phase.ASKING
    step = row.step if row.step and flow.question(row.step) else None
    if step is None:
        missing = next((q.key for q in flow.questions if q.key not in answers), None)
        step = missing or flow.questions[-1].key
        phase = Phase.ASKING if missing else phase
    return Draft(step, phase, answers, row.nudged, row.editing, row.confirming_cancel)


async def save_draft(
    session: Session,
    flow: Flow,
    pitcher_id: int,
    draft_id: int | None,
    before: Draft | None,
    draft: Draft,
    language: str,
    now: datetime,
    update_id: int | None = None,
) -> None:
    """Write what changed in the engine's draft, claiming ``update_id`` on it; a new draft
    gets its row first."""
    if draft_id is None:
        draft_id = await drafts.add_draft(
            session,
            pitcher_id=pitcher_id,
            flow_version=flow.version,
            step=draft.step,
            language=language,
            now=now,
        )
    old = before.answers if before is not None else {}
    for key, answer in draft.answers.items():
        if old.get(key) != answer:
            await drafts.set_answer(session, draft_id, key, answer.value, answer.message_id, now)
    await drafts.delete_answers(session, draft_id, old.keys() - draft.answers.keys())
    place = DraftPlace(
        draft.step,
        draft.phase.value,
        draft.nudged,
        draft.editing,
        draft.confirming_cancel,
        language,
        update_id,
    )
    await drafts.place_draft(session, draft_id, place, now)


async def my_pitches(session: Session, flow: Flow, pitcher_id: int) -> Reply:
    """/mypitches: every pitch of this person, newest first, with its status; a button
    per sent pitch brings its PDF (see :data:`DOCUMENT_BUTTONS`)."""
    headline = flow.questions[0].key  # the idea in one sentence
    pitches = await drafts.summaries(session, pitcher_id, headline)
    if not pitches:
        return Reply((text("mypitches_none"),))
    blocks = [text("mypitches_title")]
    documents: list[Button] = []
    for pitch in pitches:
        idea = pitch.headline
        idea = idea if len(idea) <= IDEA_PREVIEW else idea[: IDEA_PREVIEW - 1] + "…"
        status = text(f"status_{pitch.status}")
        if pitch.reference:
            blocks.append(
                text("mypitches_item", reference=pitch.reference, status=status, idea=idea)
            )
            label = text("button_document", reference=pitch.reference)
            documents.append(Button(label, document_data(pitch.reference)))
        else:
            blocks.append(text("mypitches_draft", status=status, idea=idea))
    documents = documents[:DOCUMENT_BUTTONS]
    if documents:
        blocks.append(text("mypitches_documents"))
    rows = tuple(tuple(documents[i : i + 2]) for i in range(0, len(documents), 2))
    return Reply(tuple(blocks), rows)
