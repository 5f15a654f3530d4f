"""The team's units of work: one short transaction per staff action, no Telegram here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.types import Clock, Person, utc_now
from storage import members, outbox, staff, triage, updates
from storage.database import Database
from storage.models import Event, Pitch, Pitcher, StaffMember


@dataclass(frozen=True)
class PitchFile:
    """A pitch with everything the team shows about it."""

    pitch: Pitch
    history: list[Event]
    names: dict[int, StaffMember]


@dataclass(frozen=True)
class Claim:
    pitch: Pitch
    won: bool
    holder: StaffMember | None
    holder_id: int | None


@dataclass(frozen=True)
class StatusChange:
    pitch: Pitch
    previous: str | None
    """The status before; None when the pitch already had the asked status."""


@dataclass(frozen=True)
class Erasure:
    """Whose data an erasure removes (or removed), told to staff and to the pitcher."""

    references: list[str]
    """The pitcher's sent pitches, oldest first (drafts have none)."""
    pitches: int
    """Every pitch of theirs, drafts included."""
    chat_id: int
    language: str


class StaffDesk:
    """Reads and changes pitches on behalf of a staff member (authorisation is checked
    by the caller, at the moment of use)."""

    def __init__(self, database: Database, clock: Clock = utc_now) -> None:
        self.database = database
        self.clock = clock

    async def seen(self, person: Person, update_id: int | None = None) -> bool:
        """Remember a staff member's names so "@name" and "taken by Olga" work.

        False for an update handled before (Telegram redelivers after a crash).
        """
        async with self.database.transaction() as session:
            return await members.remember_staff(
                session,
                telegram_user_id=person.user_id,
                username=person.username,
                first_name=person.first_name,
                now=self.clock(),
                update_id=update_id,
            )

    async def new_page(
        self, *, after_id: int | None = None, before_id: int | None = None
    ) -> staff.Page:
        async with self.database.sessions() as session:
            return await staff.page_of_status(
                session, "new", after_id=after_id, before_id=before_id
            )

    async def search(
        self, statuses: list[str] | None, words: list[str]
    ) -> tuple[list[Pitch], bool]:
        async with self.database.sessions() as session:
            return await staff.search(session, statuses=statuses, words=words)

    async def file(
        self, *, reference: str | None = None, pitch_id: int | None = None
    ) -> PitchFile | None:
        async with self.database.sessions() as session:
            if reference is not None:
                pitch = await staff.get_pitch_by_reference(session, reference)
            else:
                pitch = await staff.get_pitch(session, pitch_id or 0)
            if pitch is None or pitch.reference is None:
                return None
            history = await staff.history(session, pitch.id)
            ids = {e.actor_id for e in history if e.actor_id} | {pitch.assignee_id or 0}
            return PitchFile(pitch, history, await members.staff_names(session, ids))

    async def pitch(self, pitch_id: int) -> Pitch | None:
        async with self.database.sessions() as session:
            pitch = await staff.get_pitch(session, pitch_id)
            return pitch if pitch is not None and pitch.reference else None

    async def pitch_named(self, reference: str) -> Pitch | None:
        """The sent pitch a reference names (a button's or a command's)."""
        async with self.database.sessions() as session:
            return await staff.get_pitch_by_reference(session, reference)

    async def change_status(self, pitch_id: int, status: str, actor_id: int) -> StatusChange | None:
        async with self.database.transaction() as session:
            pitch = await staff.get_pitch(session, pitch_id)
            if pitch is None or pitch.reference is None:
                return None
            previous = await triage.set_status(
                session, pitch, status, actor_id=actor_id, now=self.clock()
            )
            return StatusChange(pitch, previous)

    async def claim(self, pitch_id: int, actor_id: int) -> Claim | None:
        async with self.database.transaction() as session:
            pitch = await staff.get_pitch(session, pitch_id)
            if pitch is None or pitch.reference is None:
                return None
            holder_id = await triage.claim(session, pitch_id, actor_id, now=self.clock())
        async with self.database.sessions() as session:
            pitch = await staff.get_pitch(session, pitch_id) or pitch
            names = await members.staff_names(session, {holder_id} if holder_id else set())
        holder = names.get(holder_id) if holder_id else None
        return Claim(pitch, holder_id is None, holder, holder_id)

    async def staff_member(self, username: str) -> StaffMember | None:
        async with self.database.sessions() as session:
            return await members.staff_by_username(session, username)

    async def assign(self, pitch_id: int, staff_id: int, actor_id: int) -> None:
        async with self.database.transaction() as session:
            pitch = await staff.get_pitch(session, pitch_id)
            if pitch is not None:
                await triage.assign(session, pitch, staff_id, actor_id=actor_id, now=self.clock())

    async def note(self, pitch_id: int, note: str, actor_id: int) -> None:
        async with self.database.transaction() as session:
            pitch = await staff.get_pitch(session, pitch_id)
            if pitch is not None:
                await triage.add_note(session, pitch, note, actor_id=actor_id, now=self.clock())

    async def record_reply(self, pitch_id: int, message: str, actor_id: int) -> int:
        """Store the team's message before sending it, so it is never lost."""
        async with self.database.transaction() as session:
            pitch = await staff.get_pitch(session, pitch_id)
            assert pitch is not None
            event = await triage.add_message(
                session,
                pitch,
                message,
                direction="out",
                actor_id=actor_id,
                delivered=False,
                now=self.clock(),
            )
            return event.id

    async def mark_delivery(self, event_id: int, delivered: bool) -> None:
        async with self.database.transaction() as session:
            await triage.mark_delivery(session, event_id, delivered)

    async def stats(self) -> staff.Stats:
        async with self.database.sessions() as session:
            return await staff.stats(session, now=self.clock())

    async def queued(self, *, after: int = 0) -> list[outbox.Queued]:
        """The staff group's waiting messages, oldest first."""
        async with self.database.sessions() as session:
            return await outbox.due(session, after=after)

    async def queued_cards(self, *, after: int = 0) -> tuple[int, int]:
        """How many cards wait beyond outbox id ``after``, and the newest one's id."""
        async with self.database.sessions() as session:
            return await outbox.waiting_cards(session, after=after)

    async def posted(self, message: outbox.Queued) -> None:
        """The group took it: out of the outbox; a card is noted on its pitch."""
        async with self.database.transaction() as session:
            await outbox.sent(session, message.id)
            if message.kind == "card" and message.pitch_id is not None:
                pitch = await staff.get_pitch(session, message.pitch_id)
                if pitch is not None:
                    staff.mark_card_sent(pitch, self.clock())

    async def not_posted(self, message: outbox.Queued) -> None:
        async with self.database.transaction() as session:
            await outbox.failed(session, message.id)

    async def dropped(self, message: outbox.Queued) -> None:
        async with self.database.transaction() as session:
            await outbox.sent(session, message.id)

    async def relayed_text(self, event_id: int) -> str | None:
        """What a pitcher wrote to the team, as stored with the message."""
        async with self.database.sessions() as session:
            event = await session.get(Event, event_id)
            return str(event.payload.get("text", "")) if event is not None else None

    async def erasure(self, reference: str) -> Erasure | None:
        """What erasing the pitcher of this pitch would remove; None if it is gone."""
        async with self.database.sessions() as session:
            found = await staff.pitcher_of(session, reference)
        return _erasure(*found) if found is not None else None

    async def erase(self, reference: str) -> Erasure | None:
        """Erase the pitcher of this pitch and everything of theirs; None if already gone."""
        async with self.database.transaction() as session:
            found = await staff.pitcher_of(session, reference)
            if found is None or not await triage.erase_pitcher(session, found[0].id):
                return None
        return _erasure(*found)

    async def forget_handled_updates(self) -> None:
        """Claims of updates Telegram can no longer redeliver are spent: drop them."""
        async with self.database.transaction() as session:
            await updates.forget_handled(session, self.clock())

    def now(self) -> datetime:
        return self.clock()


def _erasure(pitcher: Pitcher, pitches: list[Pitch]) -> Erasure:
    references = [pitch.reference for pitch in pitches if pitch.reference]
    return Erasure(references, len(pitches), pitcher.chat_id, pitcher.language)
