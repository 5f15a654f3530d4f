"""A pitcher's input = one unit of work: load, run the engine, save what changed, reply.

Shared by the Telegram handlers and the terminal chat; it imports neither Telegram nor
SQLAlchemy, only the engine and the storage repositories, which hand it frozen records.
Every answer is committed before any reply goes out, so a crash after this point loses
nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from dialogs.engine import CONSENT_VERSION, Engine
from dialogs.events import Event, Said, Shared
from dialogs.flow import Flow
from dialogs.languages import known, resolve
from dialogs.privacy import PrivacyTerms
from dialogs.reminders import not_this_draft_reply, stopped_reply
from dialogs.replies import Effect, Outcome, Reply, Text, text
from dialogs.resume import lost_answer, owed_reference
from dialogs.state import State
from services.drafts import draft_of, my_pitches, save_draft
from services.personal_data import my_data
from services.reminders import kept_until
from services.types import Clock, Person, utc_now
from storage import drafts, events, outbox, pitchers, pitches, reminders, workflow
from storage.database import Database, Session, leave_no_trace
from storage.drafts import DraftRecord
from storage.models import PitchStatus
from storage.pitchers import PitcherRecord
from storage.pitches import PitchView

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Response:
    """What to show: replies in ``language``, a toast for a pressed button, and whether a
    message for the staff group was queued (the sender then has work)."""

    language: str
    replies: tuple[Reply, ...] = ()
    notice: Text | None = None
    queued: bool = False
    sent: str | None = None
    """The reference of a pitch this input sent: it must reach the pitcher, come what may."""
    document: PitchView | None = None
    """A sent pitch of this person whose PDF they get now: the one this input sent, or
    the one they asked for (checked to be theirs). Nice to have: never owed."""
    data: bytes | None = None
    """/mydata: everything stored about this person, as a JSON file to send them."""
    erased: bool = False
    """This input erased everything of the person (/forgetme, confirmed)."""


class Conversations:
    """Runs pitch conversations against the database."""

    def __init__(
        self,
        database: Database,
        flow: Flow,
        *,
        default_language: str = "nl",
        clock: Clock = utc_now,
        terms: PrivacyTerms | None = None,
        draft_days: int = 60,
    ) -> None:
        self.database = database
        self.flow = flow
        self.draft_days = draft_days
        """How long an untouched draft is kept (PITCHBOT_DRAFT_RETENTION_DAYS)."""
        self.engine = Engine(flow, terms)
        self.default_language = default_language
        self.clock = clock
        self.owed: set[int] = set()
        """Chats owed where they were (kept in memory so the hot path asks no database)."""

    def language_for(self, person: Person) -> str:
        """A first language from Telegram's language_code, else the configured default."""
        return resolve(person.language_code, self.default_language)

    async def handle(self, person: Person, event: Event, update_id: int | None = None) -> Response:
        response = await self._handle(person, event, update_id)
        if response.erased:  # committed: now the copies on disk go too
            await leave_no_trace(self.database)
        return response

    async def _handle(self, person: Person, event: Event, update_id: int | None) -> Response:
        async with self.database.transaction() as session:
            pitcher, row = await pitchers.load(session, person.user_id)
            if pitcher is not None and pitchers.is_repeat(pitcher, row, update_id):
                return Response(pitcher.language)  # handled before: nothing again
            state = self._state(pitcher, row, person)
            missed: tuple[Reply, ...] = ()
            if person.chat_id in self.owed:
                owed = await self._take_owed(session, person.chat_id)
                reference = _reference(owed)
                if owed is not None and isinstance(event, Said):  # an answer to what?
                    if pitcher is not None and update_id is not None:
                        await pitchers.claim(session, pitcher.id, update_id)
                    shown = lost_answer(self.engine.progress, state, reference, typed=True)
                    return Response(state.language, shown)
                missed = owed_reference(reference)
            outcome = self.engine.handle(state, event)
            saved = await self._save(session, person, pitcher, row, state, outcome, update_id)
            replies, queued, pitcher_id = (*missed, *saved.replies), saved.queued, saved.pitcher_id
            if Effect.RELAY in outcome.effects and pitcher_id:
                open_pitch = await pitches.latest_open(session, pitcher_id)
                if open_pitch is not None and isinstance(event, Said):
                    replies, queued = await self._relay(session, open_pitch, event.text), True
                elif open_pitch is not None and isinstance(event, Shared):
                    replies = await self._pass_file(session, open_pitch, person, event)
                    queued = True
            language = outcome.state.language
            return Response(
                language,
                replies,
                outcome.notice,
                queued=queued,
                sent=saved.sent,
                document=saved.document,
                data=saved.data,
                erased=saved.erased,
            )

    async def owe(self, chat_id: int, reference: str | None) -> None:
        """The bot's answer did not reach this chat: queue where they were (and the
        reference of a pitch just sent), to be sent when Telegram takes it or shown when
        they write first."""
        async with self.database.transaction() as session:
            payload = {"reference": reference} if reference else {}
            await outbox.owe(session, chat_id, self.clock(), payload)
        self.owed.add(chat_id)

    async def load_owed(self) -> None:
        """At start: which chats the last run still owed an answer."""
        async with self.database.sessions() as session:
            self.owed = await outbox.owed_chats(session)

    async def where_they_were(self, user_id: int, owed: dict[str, object]) -> Response | None:
        """What an owed chat is sent once Telegram takes it; None if they are gone."""
        async with self.database.sessions() as session:
            pitcher, row = await pitchers.load(session, user_id)
        if pitcher is None:
            return None
        state = self._state(pitcher, row, Person(user_id, user_id))
        shown = lost_answer(self.engine.progress, state, _reference(owed))
        return Response(state.language, shown)

    async def _take_owed(self, session: Session, chat_id: int) -> dict[str, object] | None:
        self.owed.discard(chat_id)
        return await outbox.take_owed(session, chat_id)

    async def reply_to_team(
        self, person: Person, reference: str, message: str, update_id: int | None = None
    ) -> Response | None:
        """A pitcher answering a team message (Telegram's reply) reaches the team even
        mid-draft. None when the reference is not one of this person's sent pitches."""
        async with self.database.transaction() as session:
            pitcher, _ = await pitchers.load(session, person.user_id)
            pitch = await pitches.find(session, reference)
            if pitcher is None or pitch is None or pitch.pitcher.id != pitcher.id:
                return None
            if pitch.status == PitchStatus.DRAFT or not message.strip():
                return None
            if update_id is not None and not await pitchers.claim(session, pitcher.id, update_id):
                return Response(pitcher.language)  # handled before: nothing again
            replies = await self._relay(session, pitch, message)
            return Response(pitcher.language, replies, queued=True)

    async def _relay(self, session: Session, pitch: PitchView, message: str) -> tuple[Reply, ...]:
        """Keep what the pitcher wrote in the pitch's thread and queue it for the team."""
        message, now = message.strip(), self.clock()
        event_id = await events.add_message(
            session, pitch.id, message, direction="in", actor_id=None, delivered=True, now=now
        )
        await outbox.queue(session, "relay", now, pitch_id=pitch.id, event_id=event_id)
        return (Reply((text("relayed", reference=pitch.reference),)),)

    async def _pass_file(
        self, session: Session, pitch: PitchView, person: Person, shared: Shared
    ) -> tuple[Reply, ...]:
        """Keep a file the pitcher sent in the pitch's thread and queue its copy for the team."""
        now = self.clock()
        event_id = await events.add_file(
            session,
            pitch.id,
            kind=shared.kind,
            chat_id=person.chat_id,
            message_id=shared.message_id or 0,
            caption=shared.caption,
            now=now,
        )
        await outbox.queue(session, "file", now, pitch_id=pitch.id, event_id=event_id)
        return (Reply((text("relayed_file", reference=pitch.reference),)),)

    async def tell_group_once(self, chat_id: int) -> bool:
        """True the first time a group asks, so the bot answers each group only once."""
        async with self.database.transaction() as session:
            return await pitchers.mark_group_notified(session, chat_id, self.clock())

    # loading ------------------------------------------------------------------------------

    def _state(
        self, pitcher: PitcherRecord | None, row: DraftRecord | None, person: Person
    ) -> State:
        if pitcher is None:
            return State(language=self.language_for(person))
        language = pitcher.language if known(pitcher.language) else self.default_language
        return State(
            language=language,
            consented=True,
            draft=draft_of(self.flow, row),
            confirming_forget=pitcher.confirming_erasure,
            consent_outdated=pitcher.consent_version != CONSENT_VERSION,
        )

    # saving -------------------------------------------------------------------------------

    async def _erase(
        self, session: Session, pitcher: PitcherRecord | None, update_id: int | None
    ) -> bool:
        """Delete the person and all theirs; the team is told if they had sent pitches
        (True: a notice was queued)."""
        if pitcher is None:
            return False
        erasure = await workflow.erasure_of_pitcher(session, pitcher.id)
        await workflow.erase_pitcher(
            session, pitcher.id, reason="request", now=self.clock(), up_to_update=update_id
        )
        log.info("a pitcher erased everything of theirs: %d pitch(es)", erasure.pitches)
        references = erasure.references
        if references:
            # the group's cards of those pitches keep only their reference
            payload = {
                "references": references,
                "cards": [list(c) for c in erasure.cards],
                "topics": erasure.topics,
            }
            await outbox.queue(session, "erased", self.clock(), payload=payload)
        return bool(references)

    async def _save(
        self,
        session: Session,
        person: Person,
        pitcher: PitcherRecord | None,
        row: DraftRecord | None,
        before: State,
        outcome: Outcome,
        update_id: int | None,
    ) -> _Saved:
        """Store what the engine decided and say what is left to show."""
        after = outcome.state
        now = self.clock()
        if Effect.ERASE in outcome.effects:
            queued = await self._erase(session, pitcher, update_id)
            return _Saved(outcome.replies, queued, erased=pitcher is not None)
        if Effect.MY_DATA in outcome.effects:  # the asking person's own, and only theirs
            data = await my_data(session, self.flow, person.user_id, now)
            if data is None:
                return _Saved((*outcome.replies, Reply((text("mydata_nothing"),))))
            return _Saved(outcome.replies, data=data)
        if not after.consented:  # without consent nothing is stored, and nothing was sent
            if Effect.LIST_PITCHES in outcome.effects:
                return _Saved((*outcome.replies, Reply((text("mypitches_none"),))))
            return _Saved(outcome.replies)
        if pitcher is not None and after.consent_outdated:  # nothing new until they agree
            await self._while_asked_again(session, pitcher, row, before, outcome)
            return await self._read_only(session, person, pitcher.id, outcome)
        if pitcher is not None and Effect.CONSENT in outcome.effects:
            await pitchers.renew_consent(session, pitcher.id, CONSENT_VERSION, now)
        if pitcher is None:
            pitcher = await pitchers.add_pitcher(
                session,
                telegram_user_id=person.user_id,
                chat_id=person.chat_id,
                username=person.username,
                first_name=person.first_name,
                language=after.language,
                consent_version=CONSENT_VERSION,
                now=now,
                update_id=update_id,
            )
        # the update is claimed on the draft when one stays open (its UPDATE is written
        # anyway), else on the person
        on_draft = after.draft is not None and Effect.SUBMIT not in outcome.effects
        claim = update_id if update_id is not None and not on_draft else pitcher.last_update_id
        await pitchers.update_pitcher(
            session,
            pitcher,
            language=after.language,
            confirming_erasure=after.confirming_forget,
            # keep what the team sees current: people change their Telegram names
            username=person.username,
            first_name=person.first_name,
            last_update_id=claim,
        )
        replies = list(outcome.replies)
        queued, reference, document = False, None, None
        draft_id = row.id if row is not None else None
        if draft_id is not None and Effect.SUBMIT in outcome.effects:
            reference = await drafts.submit(session, draft_id, now)
            replies.append(Reply((text("submitted", reference=reference),)))
            await outbox.queue(session, "card", now, pitch_id=draft_id)
            document = await pitches.view(session, draft_id)  # theirs to keep, as sent
            queued, draft_id = True, None
        if draft_id is not None and Effect.DISCARD_DRAFT in outcome.effects:
            await drafts.delete_draft(session, draft_id)
            draft_id = None
        if Effect.REMINDERS_OFF in outcome.effects:
            replies.append(await self._stop_reminders(session, pitcher.id, draft_id, outcome))
        if after.draft is not None:
            kept = before.draft if draft_id is not None else None
            draft_claim = row.last_update_id if row is not None else None
            draft_claim = update_id if update_id is not None else draft_claim
            await save_draft(
                session, self.flow, pitcher.id, draft_id, kept, after.draft, after.language, now,
                draft_claim,
            )  # fmt: skip
        shown, asked = await self._reads(session, person, pitcher.id, outcome)
        return _Saved((*replies, *shown), queued, reference, pitcher.id, asked or document)

    async def _while_asked_again(
        self,
        session: Session,
        pitcher: PitcherRecord,
        row: DraftRecord | None,
        before: State,
        outcome: Outcome,
    ) -> None:
        """Consent to a changed privacy text is pending: only what needs no new terms is
        kept — the language to read it in, /forgetme's and /cancel's questions, and
        deleting one's own draft. No answer, message or name."""
        after = outcome.state
        await pitchers.update_pitcher(
            session, pitcher, language=after.language, confirming_erasure=after.confirming_forget
        )
        if row is None:
            return
        if Effect.DISCARD_DRAFT in outcome.effects:
            await drafts.delete_draft(session, row.id)
        elif after.draft is not None and before.draft is not None:
            await save_draft(
                session, self.flow, pitcher.id, row.id, before.draft, after.draft, after.language,
                self.clock(), row.last_update_id,
            )  # fmt: skip

    async def _read_only(
        self, session: Session, person: Person, pitcher_id: int, outcome: Outcome
    ) -> _Saved:
        """A changed privacy text waits for their agreement: answer, store nothing."""
        shown, document = await self._reads(session, person, pitcher_id, outcome)
        return _Saved((*outcome.replies, *shown), pitcher_id=pitcher_id, document=document)

    async def _reads(
        self, session: Session, person: Person, pitcher_id: int, outcome: Outcome
    ) -> tuple[tuple[Reply, ...], PitchView | None]:
        """What the person asked to see: their pitches, a pitch's PDF (if theirs)."""
        replies: list[Reply] = []
        document = None
        if Effect.LIST_PITCHES in outcome.effects:
            replies.append(await my_pitches(session, self.flow, pitcher_id))
        if Effect.DOCUMENT in outcome.effects and outcome.document:
            document = await self._own_pitch(session, person, outcome.document)
            if document is None:
                replies.append(Reply((text("document_not_yours"),)))
        return tuple(replies), document

    async def _stop_reminders(
        self, session: Session, pitcher_id: int, open_draft: int | None, outcome: Outcome
    ) -> Reply:
        """ "Stop" under a reminder: only for the person's open draft that it names (an
        older reminder, or forged data, changes nothing). The press itself is activity."""
        named = outcome.draft_id
        if named is None or named != open_draft:
            return not_this_draft_reply()
        if not await reminders.stop(session, named, pitcher_id):
            return not_this_draft_reply()
        return stopped_reply(kept_until(self.clock(), self.draft_days))

    async def _own_pitch(
        self, session: Session, person: Person, reference: str
    ) -> PitchView | None:
        """The sent pitch ``reference`` if the person asking sent it (the Telegram user
        id decides: button data can be forged); None for anyone else's or a gone one."""
        pitch = await pitches.find(session, reference)
        if pitch is None or pitch.pitcher.telegram_user_id != person.user_id:
            return None
        return pitch


@dataclass(frozen=True)
class _Saved:
    """What an input left to show: replies, whether the team's outbox got something, a
    sent pitch's reference, the pitcher's id (None when nothing of them is stored) and
    a pitch whose PDF they get."""

    replies: tuple[Reply, ...]
    queued: bool = False
    sent: str | None = None
    pitcher_id: int | None = None
    document: PitchView | None = None
    data: bytes | None = None
    erased: bool = False


def _reference(owed: dict[str, object] | None) -> str | None:
    """The reference an owed chat still has to see, if a pitch was sent."""
    reference = owed.get("reference") if owed else None
    return str(reference) if reference else None
