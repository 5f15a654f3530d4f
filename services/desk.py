"""The team's use cases: each staff command or button press is one unit of work.

Each method opens one transaction that first claims the Telegram update (a redelivered
one raises :class:`Repeated` and changes nothing), remembers the staff member's names,
then reads or changes what was asked. It returns plain values: the pitch as it is now,
every staff-group card to redraw, and whom to tell what. No Telegram here; rights are
checked by the caller at the moment of use.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace

from dialogs.replies import Reply, Text, text, text_data
from dialogs.threads import REPLY_MARK
from services.outcomes import (
    Actor,
    Change,
    Choice,
    Erased,
    Expired,
    Gone,
    Listed,
    PitchFile,
    Proposed,
    Repeated,
    Tell,
    Theirs,
)
from services.statuses import shown_status, status_text
from services.types import Clock, utc_now
from storage import erased, events, members, outbox, pitches, proposals, workflow, worklists
from storage.database import Database, Session, leave_no_trace
from storage.members import StaffName
from storage.models import CLOSED_STATUSES
from storage.pitches import Located, Page, PitchView, Stats
from storage.proposals import Proposal
from storage.proposals import Waiting as Step
from storage.workflow import Erasure
from storage.worklists import Waiting

log = logging.getLogger(__name__)

NEWS_STATUSES = ("in_conversation", "supported", "referred", "not_pursued")
"""Status changes a pitcher hears about."""


class StaffDesk:
    """Reads and changes pitches on behalf of a staff member."""

    def __init__(self, database: Database, clock: Clock = utc_now) -> None:
        self.database = database
        self.clock = clock

    async def _admit(self, session: Session, actor: Actor) -> None:
        """Claim the update and remember the member's names, in the caller's transaction."""
        person = actor.person
        fresh = await members.remember_staff(
            session,
            telegram_user_id=person.user_id,
            username=person.username,
            first_name=person.first_name,
            now=self.clock(),
            update_id=actor.update_id,
        )
        if not fresh:
            raise Repeated()

    async def _locate(self, session: Session, actor: Actor, reference: str) -> Located | None:
        """Admit the actor, then find the pitch a change is about (None: there is none;
        :class:`Gone` when it was erased)."""
        await self._admit(session, actor)
        found = await pitches.locate(session, reference, to_change=True)
        if found is None:
            await _not_erased(session, reference)
        return found

    async def _in_topic(self, session: Session, actor: Actor, pitch: PitchView, line: Text) -> None:
        """Said in the pitch's forum topic too, in this unit of work, unless the actor typed
        it there (their message is the record)."""
        if pitch.topic_id is None or actor.topic == pitch.topic_id:
            return
        payload = {"line": text_data(line)}
        await outbox.queue(session, "activity", self.clock(), pitch_id=pitch.id, payload=payload)

    async def topic_pitch(self, topic_id: int) -> str | None:
        """The reference of the pitch whose forum topic this is; None for any other topic."""
        async with self.database.sessions() as session:
            return await pitches.in_topic(session, topic_id)

    async def seen(self, actor: Actor) -> None:
        """Only claim and remember (a command that needs nothing else from storage)."""
        async with self.database.transaction() as session:
            await self._admit(session, actor)

    async def new_page(
        self, actor: Actor, *, after_id: int | None = None, before_id: int | None = None
    ) -> tuple[Page, dict[int, StaffName]] | None:
        """Ten new pitches, oldest first, and the names of those who have them; None when
        the paging button's pitch is gone."""
        async with self.database.transaction() as session:
            await self._admit(session, actor)
            cursor = after_id if after_id is not None else before_id
            if cursor is not None and not await pitches.is_there(session, cursor):
                return None
            page = await pitches.page_of_status(
                session, "new", after_id=after_id, before_id=before_id
            )
            return page, await _names(session, page.pitches)

    async def search(
        self, actor: Actor, statuses: list[str] | None, words: list[str]
    ) -> Listed[PitchView]:
        async with self.database.transaction() as session:
            await self._admit(session, actor)
            found, more = await pitches.search(session, statuses=statuses, words=words)
            return Listed(found, more, await _names(session, found))

    async def mine(self, actor: Actor) -> Listed[PitchView]:
        """/mine: the actor's undecided pitches, the longest quiet first."""
        async with self.database.transaction() as session:
            await self._admit(session, actor)
            found, more = await worklists.mine(session, actor.person.user_id)
            return Listed(found, more, await _names(session, found))

    async def waiting(self, actor: Actor) -> Listed[Waiting]:
        """/waiting: what waits for the team (the pitcher wrote last, or nobody took it)."""
        async with self.database.transaction() as session:
            await self._admit(session, actor)
            found, more = await worklists.waiting(session)
            names = await _names(session, [w.pitch for w in found])
            return Listed(found, more, names)

    async def stats(self, actor: Actor) -> Stats:
        async with self.database.transaction() as session:
            await self._admit(session, actor)
            return await pitches.stats(session, now=self.clock())

    async def file(self, actor: Actor, reference: str) -> PitchFile | None:
        """/pitch and "show all": the whole pitch; None when there is none (any more)."""
        async with self.database.transaction() as session:
            found = await self._locate(session, actor, reference)
            return await _file(session, found.id) if found is not None else None

    async def take(self, actor: Actor, reference: str) -> Change | None:
        """ "Take it": the pitch is the actor's unless someone else was first."""
        async with self.database.transaction() as session:
            found = await self._locate(session, actor, reference)
            if found is None:
                return None
            me = actor.person.user_id
            holder = await workflow.take(session, found.id, me, now=self.clock())
            file = await _file(session, found.id)
            won = holder is None
            card = file if won and found.assignee_id != me else None
            if card is not None:
                await self._in_topic(
                    session, actor, file.pitch, text("topic_taken", name=actor.name)
                )
            previous = None if won else file.name(holder)
            return Change(file, card, previous=previous, won=won, before=found)

    async def set_status(
        self, actor: Actor, reference: str, status: str
    ) -> Change | Proposed | None:
        """Set a status from whatever the pitch has now. One the pitcher hears about is
        only proposed: the actor first sees the message (and says to whom, for a
        referral), then chooses with :meth:`decide`."""
        async with self.database.transaction() as session:
            found = await self._locate(session, actor, reference)
            if found is None:
                return None
            if status not in NEWS_STATUSES or status == found.status:
                return await self._apply(session, actor, found, status, told=True)
            asks: Step = "referral" if status == "referred" else "choice"
            me = actor.person.user_id
            await proposals.propose(session, me, found.id, status, asks, self.clock())
            file = await _file(session, found.id)
            return Proposed(file, status, _news(file.pitch, status, actor), asks)

    async def decide(
        self, actor: Actor, reference: str, choice: Choice
    ) -> Change | Proposed | Expired | None:
        """The actor's choice on a proposed status: send the message, add a personal word
        first (they are asked for it), or change the status without telling."""
        async with self.database.transaction() as session:
            located = await self._proposed(session, actor, reference)
            if located is None:
                return None
            found, proposal = located
            me = actor.person.user_id
            if proposal is None or proposal.waiting == "referral":
                return Expired()
            if choice == "word":
                return await self._next_step(session, actor, found, proposal, "word")
            await proposals.drop(session, me, found.id)
            told = choice == "send"
            return await self._apply(
                session, actor, found, proposal.status, told=told, referral=proposal.referral
            )

    async def answer_proposal(
        self, actor: Actor, reference: str, said: str
    ) -> Change | Proposed | Expired | None:
        """What the actor typed for a proposed status: to whom it is referred (then they
        choose), or their personal word (then it is sent)."""
        async with self.database.transaction() as session:
            located = await self._proposed(session, actor, reference)
            if located is None:
                return None
            found, proposal = located
            me = actor.person.user_id
            if proposal is None:
                return Expired()
            if proposal.waiting == "word":
                await proposals.drop(session, me, found.id)
                return await self._apply(
                    session, actor, found, proposal.status, told=True,
                    referral=proposal.referral, word=said,
                )  # fmt: skip
            if proposal.waiting == "referral":
                proposal = replace(proposal, referral=said)
            return await self._next_step(session, actor, found, proposal, "choice")

    async def _proposed(
        self, session: Session, actor: Actor, reference: str
    ) -> tuple[Located, Proposal | None] | None:
        """The pitch a status step is about and the actor's proposal for it (None: no
        pitch; a None proposal: none open for this actor)."""
        found = await self._locate(session, actor, reference)
        if found is None:
            return None
        return found, await proposals.proposal(session, actor.person.user_id, found.id)

    async def _next_step(
        self, session: Session, actor: Actor, found: Located, proposal: Proposal, asks: Step
    ) -> Proposed:
        """A proposal goes on to its next step (``asks``), to whom it is referred kept."""
        me, status, referral = actor.person.user_id, proposal.status, proposal.referral
        await proposals.advance(session, me, found.id, asks, referral=referral)
        file = await _file(session, found.id)
        return Proposed(file, status, _news(file.pitch, status, actor, referral), asks)

    async def _apply(
        self,
        session: Session,
        actor: Actor,
        found: Located,
        status: str,
        *,
        told: bool,
        referral: str | None = None,
        word: str | None = None,
    ) -> Change:
        """Make the change, in the caller's unit of work; the pitcher hears news that
        matters to them when ``told``."""
        now, me = self.clock(), actor.person.user_id
        said: dict[str, object] = {}
        if status in NEWS_STATUSES:
            said["told"] = told
        if referral:
            said["referral"] = referral
        if word and told:
            said["word"] = word
        previous = await workflow.set_status(
            session, found.id, status, actor_id=me, now=now, said=said
        )
        file = await _file(session, found.id)
        if previous is None:
            return Change(file, won=False, before=found)
        new = shown_status(status, referral)
        quiet = status in NEWS_STATUSES and not told
        key = "topic_status_quiet" if quiet else "topic_status"
        line = text(key, name=actor.name, old=status_text(previous), new=new)
        await self._in_topic(session, actor, file.pitch, line)
        closing = (previous in CLOSED_STATUSES) != (status in CLOSED_STATUSES)
        if closing and file.pitch.topic_id is not None:
            # the topic of a decided pitch is closed; reopening the pitch opens it
            await outbox.queue(session, "topic", now, pitch_id=found.id)
        tell = _news(file.pitch, status, actor, referral, word) if told else None
        return Change(file, file, tell, previous, before=found)

    async def members_called(self, name: str) -> list[StaffName]:
        """Who ``@username`` or a first name may be, before /assign checks that they are
        staff (read apart: that check may ask Telegram)."""
        async with self.database.sessions() as session:
            return await members.staff_called(session, name)

    async def assign(self, actor: Actor, reference: str, staff_id: int) -> Change | None:
        async with self.database.transaction() as session:
            found = await self._locate(session, actor, reference)
            if found is None:
                return None
            me, now = actor.person.user_id, self.clock()
            changed = await workflow.assign(session, found.id, staff_id, actor_id=me, now=now)
            file = await _file(session, found.id)
            # taking over someone else's pitch says whose it was
            before = found.assignee_id
            was = file.name(before) if changed and before not in (None, staff_id, me) else None
            if changed:
                line = text("topic_assigned", name=actor.name, to=file.name(staff_id))
                await self._in_topic(session, actor, file.pitch, line)
            return Change(file, file if changed else None, previous=was, won=changed)

    async def note(self, actor: Actor, reference: str, note: str) -> Change | None:
        async with self.database.transaction() as session:
            found = await self._locate(session, actor, reference)
            if found is None:
                return None
            me = actor.person.user_id
            await events.add_note(session, found.id, note, actor_id=me, now=self.clock())
            file = await _file(session, found.id)
            line = text("topic_note", name=actor.name, note=note)
            await self._in_topic(session, actor, file.pitch, line)
            return Change(file, file)  # the card shows the last activity

    async def reply(
        self, actor: Actor, reference: str, message: str, *, as_pitcher: bool = False
    ) -> Change | None:
        """Store the team's message first (not yet delivered), then hand it to be sent.

        ``as_pitcher``: in the actor's private chat, where a reply about a pitch of their
        own is theirs as its pitcher (raises :class:`Theirs`, nothing stored)."""
        async with self.database.transaction() as session:
            found = await self._locate(session, actor, reference)
            if found is None:
                return None
            if as_pitcher and found.pitcher_user_id == actor.person.user_id:
                raise Theirs()
            event_id = await events.add_message(
                session,
                found.id,
                message,
                direction="out",
                actor_id=actor.person.user_id,
                delivered=False,
                now=self.clock(),
            )
            file = await _file(session, found.id)
            line = text("topic_reply", name=actor.name, text=message)
            await self._in_topic(session, actor, file.pitch, line)
            tell = _team_message(file.pitch, message, event_id)
            return Change(file, file, tell=tell, event_id=event_id)

    async def delivered(self, event_id: int) -> None:
        """The receipt of a team message: Telegram took it (after the unit of work)."""
        async with self.database.transaction() as session:
            await events.mark_delivery(session, event_id, True)

    async def erasure(self, actor: Actor, reference: str) -> Erasure | None:
        """What erasing the pitcher of this pitch would remove; None if it is gone."""
        async with self.database.transaction() as session:
            await self._admit(session, actor)
            erasure = await workflow.erasure_of(session, reference)
            if erasure is None:
                await _not_erased(session, reference)
            return erasure

    async def erase(self, actor: Actor, reference: str) -> Erased | None:
        """Erase the pitcher of this pitch and everything of theirs; None if already gone."""
        async with self.database.transaction() as session:
            await self._admit(session, actor)
            erasure = await workflow.erasure_of(session, reference)
            done = erasure is not None and await workflow.erase_pitcher(
                session,
                erasure.pitcher.id,
                reason="team",
                now=self.clock(),
                up_to_update=actor.update_id,
            )
            if erasure is None:
                await _not_erased(session, reference)
            if erasure is None or not done:
                return None
        await leave_no_trace(self.database)  # committed: now the copies on disk go too
        log.info(
            "erased the pitcher of %s and their %d pitch(es) at the request of staff member %s",
            reference,
            erasure.pitches,
            actor.person.user_id,
        )
        pitcher = erasure.pitcher
        tell = Tell(pitcher.chat_id, pitcher.language, Reply((text("erased"),)), reference)
        return Erased(erasure, tell, tuple(erasure.cards))


async def _not_erased(session: Session, reference: str) -> None:
    """There is no pitch ``reference``: raise :class:`Gone` if it was erased, so the team
    reads when and why instead of guessing."""
    gone = await erased.tombstone(session, reference)
    if gone is not None:
        raise Gone(gone)


async def _file(session: Session, pitch_id: int) -> PitchFile:
    """A located pitch with its history and the names in it (it exists: the caller's
    transaction found it)."""
    pitch = await pitches.view(session, pitch_id)
    assert pitch is not None, f"pitch {pitch_id} vanished inside its transaction"
    history = await events.history(session, pitch.id)
    ids = {e.actor_id for e in history if e.actor_id} | {pitch.assignee_id or 0}
    ids |= {int(e.payload["to"]) for e in history if e.kind == "assign" and e.payload.get("to")}
    return PitchFile(pitch, history, await members.staff_names(session, ids))


async def _names(session: Session, listed: Iterable[PitchView]) -> dict[int, StaffName]:
    return await members.staff_names(session, {p.assignee_id for p in listed if p.assignee_id})


def _news(
    pitch: PitchView,
    status: str,
    actor: Actor,
    referral: str | None = None,
    word: str | None = None,
) -> Tell | None:
    """The pitcher hears of a status they care about (to whom it was referred, and the
    actor's personal word); None when there is nothing to say."""
    if status not in NEWS_STATUSES:
        return None
    if status == "referred" and referral:
        blocks = [text("status_news_referred_to", reference=pitch.reference, to=referral)]
    else:
        blocks = [text(f"status_news_{status}", reference=pitch.reference)]
    if word:
        blocks.append(text("status_news_word", name=actor.name, word=word))
    return Tell(
        pitch.pitcher.chat_id, pitch.pitcher.language, Reply(tuple(blocks)), pitch.reference
    )


def _team_message(pitch: PitchView, message: str, event_id: int) -> Tell:
    reply = Reply(
        (
            text("team_message", mark=REPLY_MARK, reference=pitch.reference),
            text("staff_relay_text", text=message),
            text("team_message_footer"),
        )
    )
    pitcher = pitch.pitcher
    return Tell(pitcher.chat_id, pitcher.language, reply, pitch.reference, event_id)
