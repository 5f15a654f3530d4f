"""What the team reads: pitch cards, the full pitch, lists and figures, as abstract replies.

Personal answers (the flow's ``personal`` questions) and Telegram identities appear only
in the full pitch a staff member asks for, never on the card posted in the group.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.staff.callbacks import Drawn, SetStatus, Show, Take, Write, encode
from dialogs.answers import display
from dialogs.dates import calendar_day
from dialogs.flow import Flow
from dialogs.replies import Button, Reply, Text, text
from services.outcomes import PitchFile
from services.statuses import shown_status, status_text
from storage.erased import Tombstone
from storage.events import EventView
from storage.members import StaffName
from storage.models import SENT_STATUSES, TEAM_ZONE
from storage.pitches import PitchView

PREVIEW = 80


def when(moment: datetime | None) -> str:
    return moment.astimezone(TEAM_ZONE).strftime("%Y-%m-%d %H:%M") if moment else "–"


def who(member: StaffName | None, user_id: int | None) -> str:
    if member is not None:
        return member.shown
    return str(user_id) if user_id else "–"


def _ref(pitch: PitchView) -> str:
    return pitch.reference


def _drawn(pitch: PitchView) -> Drawn:
    """What a button remembers of the pitch, to tell a press on an older state."""
    return Drawn(pitch.status, pitch.assignee_id)


def _answers(pitch: PitchView) -> dict[str, str]:
    return dict(pitch.answers)


def headline(pitch: PitchView, flow: Flow) -> str:
    idea = pitch.answer(flow.questions[0].key)
    return idea if len(idea) <= PREVIEW else idea[: PREVIEW - 1] + "…"


def _fields(pitch: PitchView, flow: Flow, language: str, *, card: bool) -> list[Text]:
    answers = _answers(pitch)
    blocks = []
    for question in flow.questions:
        if (card and not question.on_card) or (not card and question.personal):
            continue
        label = question.texts[language].label
        value = answers.get(question.key)
        if value:
            blocks.append(
                text("staff_field", label=label, value=display(question, value, language))
            )
        elif not card:
            blocks.append(text("staff_field_empty", label=label))
    return blocks


def _assignee(pitch: PitchView, names: dict[int, StaffName]) -> Text:
    return holder(pitch.assignee_id, names)


def holder(assignee_id: int | None, names: dict[int, StaffName]) -> Text:
    """Who has a pitch, as cards show it ("🙋 nog niemand" when nobody)."""
    if assignee_id is None:
        return text("staff_unassigned")
    return text("staff_assignee", name=who(names.get(assignee_id), assignee_id))


def meanwhile(
    drawn: Drawn | None, status: str, assignee_id: int | None, file: PitchFile
) -> Reply | None:
    """A press on a message drawn from an older state (status or holder): what the pitch
    was when it was pressed, acted on from there; None when nothing changed."""
    if drawn is None or (drawn.status, drawn.assignee_id) == (status, assignee_id):
        return None
    said = text(
        "staff_meanwhile",
        reference=file.pitch.reference,
        status=status_text(status),
        assignee=holder(assignee_id, file.names),
    )
    return Reply((said,))


def _actions(pitch: PitchView) -> list[tuple[Button, ...]]:
    return [
        (
            Button(text("staff_button_take"), encode(Take(_ref(pitch), _drawn(pitch)))),
            Button(
                text("staff_button_review"),
                encode(SetStatus(_ref(pitch), "in_review", _drawn(pitch))),
            ),
        ),
        (
            Button(text("staff_button_reply"), encode(Write(_ref(pitch)))),
            Button(text("staff_button_show"), encode(Show(_ref(pitch)))),
        ),
    ]


def card(pitch: PitchView, flow: Flow, language: str, names: dict[int, StaffName]) -> Reply:
    """The short card for the staff group: no contact details."""
    title = text(
        "staff_card_title",
        reference=pitch.reference,
        status=status_text(pitch.status),
        assignee=_assignee(pitch, names),
        activity=when(pitch.last_activity),
    )
    return Reply((title, *_fields(pitch, flow, language, card=True)), tuple(_actions(pitch)))


def _event(event: EventView, names: dict[int, StaffName]) -> Text:
    payload = event.payload
    base = {"when": when(event.at), "who": who(names.get(event.actor_id or 0), event.actor_id)}
    match event.kind:
        case "status":
            referral = payload.get("referral")
            line = text(
                "staff_event_status",
                **base,
                old=status_text(str(payload.get("from", "draft"))),
                new=shown_status(str(payload.get("to", "new")), str(referral or "") or None),
            )
            word = payload.get("word")
            return text("staff_event_with_word", line=line, word=str(word)) if word else line
        case "assign":
            target = payload.get("to")
            name = who(names.get(int(target)), int(target)) if target else "–"
            return text("staff_event_assign", **base, name=name)
        case "note":
            return text("staff_event_note", **base, text=str(payload.get("text", "")))
        case "file":
            kind = text(f"media_{payload.get('kind', 'document')}")
            caption = str(payload.get("text", ""))
            return text("staff_event_file", when=base["when"], kind=kind, text=caption)
        case "message_in":
            return text(
                "staff_event_message_in", when=base["when"], text=str(payload.get("text", ""))
            )
        case "message_out" if payload.get("delivered") is False:
            return text("staff_event_undelivered", **base, text=str(payload.get("text", "")))
        case _:
            return text("staff_event_message_out", **base, text=str(payload.get("text", "")))


def full(file: PitchFile, flow: Flow, language: str, *, contact: Text | None = None) -> Reply:
    """Everything about one pitch: answers in flow order, contact, status, history.

    ``contact`` given: the group's version, with that line instead of the contact details
    (personal answers and the Telegram identity go to the staff member privately)."""
    pitch, names = file.pitch, file.names
    pitcher = pitch.pitcher
    blocks = [
        text(
            "staff_full_title",
            reference=pitch.reference,
            status=status_text(pitch.status),
            assignee=_assignee(pitch, names),
            submitted=when(pitch.submitted_at),
            language=pitch.language,
        ),
        *_fields(pitch, flow, language, card=False),
        text("staff_contact_title"),
    ]
    if contact is not None:
        blocks.append(contact)
    else:
        answers = _answers(pitch)
        for question in flow.questions:
            if question.personal and answers.get(question.key):
                value = display(question, answers[question.key], language)
                label = question.texts[language].label
                blocks.append(text("staff_field", label=label, value=value))
        blocks.append(
            text(
                "staff_contact_telegram",
                name=pitcher.first_name or "–",
                username=f"@{pitcher.username}" if pitcher.username else "–",
                user_id=pitcher.telegram_user_id,
            )
        )
    blocks.append(text("staff_history_title"))
    blocks.extend(_event(e, names) for e in file.history)
    statuses = [
        Button(status_text(s), encode(SetStatus(_ref(pitch), s, _drawn(pitch))))
        for s in SENT_STATUSES
        if s != pitch.status
    ]
    rows = [tuple(statuses[i : i + 2]) for i in range(0, len(statuses), 2)]
    rows.append(
        (
            Button(text("staff_button_take"), encode(Take(_ref(pitch), _drawn(pitch)))),
            Button(text("staff_button_reply"), encode(Write(_ref(pitch)))),
        )
    )
    return Reply(tuple(blocks), tuple(rows))


def listing(
    title: Text,
    pitches: Iterable[PitchView],
    flow: Flow,
    empty: Text,
    names: dict[int, StaffName],
    paging: tuple[Button, ...] = (),
    more: bool = False,
    notes: Iterable[Text] = (),
) -> Reply:
    """A list of pitches, each with who has it, its last activity and a button that opens
    it; ``notes``, when given, says per line why it is listed."""
    shown = list(pitches)
    if not shown:
        return Reply((title, empty))
    blocks = [title]
    rows: list[tuple[Button, ...]] = []
    why: list[Text | None] = [*notes] or [None] * len(shown)
    for pitch, note in zip(shown, why, strict=True):
        line = text(
            "staff_list_item",
            reference=pitch.reference,
            status=status_text(pitch.status),
            date=when(pitch.submitted_at),
            idea=headline(pitch, flow),
            assignee=_assignee(pitch, names),
            activity=when(pitch.last_activity),
        )
        blocks.append(line if note is None else text("staff_list_item_why", item=line, why=note))
        open_it = text("staff_button_open", reference=pitch.reference)
        rows.append((Button(open_it, encode(Show(_ref(pitch)))),))
    if more:
        blocks.append(text("staff_search_more"))
    if paging:
        rows.append(paging)
    return Reply(tuple(blocks), tuple(rows))


def erased_card(reference: str, *, retention: bool = False) -> Reply:
    """What a pitch's card becomes when its pitcher is erased: the reference, no data
    (and why: their request, or the end of the retention period)."""
    key = "staff_card_erased_retention" if retention else "staff_card_erased"
    return Reply((text(key, reference=reference),))


def tombstone(gone: Tombstone) -> Text:
    """An erased pitch: its reference, when it was sent and erased, and why; nothing else."""
    sent = gone.submitted_at
    return text(
        f"staff_tombstone_{gone.reason}",
        reference=gone.reference,
        erased=calendar_day(gone.erased_at.astimezone(TEAM_ZONE)),
        submitted=calendar_day(sent.astimezone(TEAM_ZONE)) if sent else "–",
    )


def duration(span: timedelta) -> Text:
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return text("staff_duration_days", days=days, hours=hours)
    if hours:
        return text("staff_duration_hours", hours=hours, minutes=minutes)
    return text("staff_duration_minutes", minutes=minutes)
