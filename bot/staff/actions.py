"""Staff actions reached both by command and by button, so each has one implementation:
call the use case, redraw the staff group's card when the pitch changed, tell the pitcher
what they are to hear, and say in one reply what happened."""

from __future__ import annotations

from typing import get_args

from telegram import Bot, Chat, User

from bot.staff import cards
from bot.staff.callbacks import Decide, Erase, Page, encode
from bot.staff.team import Team
from dialogs.languages import known
from dialogs.replies import Button, Reply, text
from dialogs.threads import REPLY_MARK, STATUS_MARK
from services.desk import NEWS_STATUSES
from services.outcomes import Actor, Change, Choice, Expired, Proposed
from services.statuses import status_text
from storage.workflow import Erasure


class Actions:
    def __init__(self, team: Team) -> None:
        self.team = team

    async def new_page(
        self, actor: Actor, *, after_id: int | None = None, before_id: int | None = None
    ) -> Reply | None:
        """Ten new pitches, oldest first, with previous/next buttons (keyset paging); None
        when the page's pitch is gone."""
        found = await self.team.desk.new_page(actor, after_id=after_id, before_id=before_id)
        if found is None:
            return None
        page, names = found
        paging: list[Button] = []
        if page.pitches and page.has_previous:
            back = Page(page.pitches[0].id, forward=False)
            paging.append(Button(text("staff_button_previous"), encode(back)))
        if page.pitches and page.has_next:
            on = Page(page.pitches[-1].id, forward=True)
            paging.append(Button(text("staff_button_next"), encode(on)))
        title, empty = text("staff_new_title"), text("staff_new_empty")
        return cards.listing(title, page.pitches, self.team.flow, empty, names, tuple(paging))

    async def show(
        self, bot: Bot, actor: Actor, reference: str, chat: Chat, user: User
    ) -> Reply | None:
        """/pitch and "📄 show all": the whole pitch. In the group its contact details are
        left out and sent to the member privately; None when the pitch is gone."""
        team = self.team
        file = await team.desk.file(actor, reference)
        if file is None:
            return None
        if not team.in_group(chat):
            return cards.full(file, team.flow, team.language(chat, user))
        whole = cards.full(file, team.flow, team.own_language(user))
        sent = await team.privately(bot, user, whole)
        note = text("staff_contact_sent_privately") if sent else team.open_private(bot)
        return cards.full(file, team.flow, team.language(chat, user), contact=note)

    async def take(
        self, bot: Bot, actor: Actor, reference: str, *, pressed: int | None = None
    ) -> Change | None:
        """ "Take it"; the group's card shows the new holder at once (unless it is the
        ``pressed`` message, which the caller redraws)."""
        change = await self.team.desk.take(actor, reference)
        if change is not None:
            await self._redraw(bot, change, pressed)
        return change

    async def set_status(
        self, bot: Bot, actor: Actor, reference: str, status: str, *, pressed: int | None = None
    ) -> tuple[Reply, Change | Proposed | None]:
        """Set a status from whatever the pitch has now; one the pitcher hears about is
        shown first (the message they will get, and three choices)."""
        outcome = await self.team.desk.set_status(actor, reference, status)
        return await self._settle(bot, actor, outcome, pressed), outcome

    async def decide(
        self, bot: Bot, actor: Actor, reference: str, choice: Choice
    ) -> tuple[Reply, Change | Proposed | Expired | None]:
        """Send the message of a proposed status, ask for a personal word, or change it
        without telling."""
        outcome = await self.team.desk.decide(actor, reference, choice)
        return await self._settle(bot, actor, outcome, None), outcome

    async def answer_proposal(self, bot: Bot, actor: Actor, reference: str, said: str) -> Reply:
        """To whom a pitch is referred, or the personal word, typed as a reply."""
        outcome = await self.team.desk.answer_proposal(actor, reference, said)
        return await self._settle(bot, actor, outcome, None)

    async def _settle(
        self,
        bot: Bot,
        actor: Actor,
        outcome: Change | Proposed | Expired | None,
        pressed: int | None,
    ) -> Reply:
        """What the member reads after a status step; the pitcher is told when it is done."""
        match outcome:
            case None:
                return Reply((text("staff_not_found"),))
            case Expired():
                return Reply((text("staff_proposal_expired"),))
            case Proposed():
                return self._proposal(outcome, actor.name)
        reference = outcome.file.pitch.reference
        status = outcome.file.pitch.status
        if not outcome.won:
            return Reply(
                (text("staff_status_same", reference=reference, status=status_text(status)),)
            )
        old, new = status_text(outcome.previous or ""), status_text(status)
        quiet = status in NEWS_STATUSES and outcome.tell is None
        key = "staff_status_set_quiet" if quiet else "staff_status_set"
        blocks = [text(key, reference=reference, old=old, new=new)]
        await self._redraw(bot, outcome, pressed)
        told = await self.team.notifier.tell(bot, outcome.tell)
        if told in ("failed", "queued"):
            blocks.append(text(f"staff_notify_{told}", reference=reference))
        elif told == "sent":
            blocks.append(text("staff_status_told", reference=reference))
        return Reply(tuple(blocks))

    def _proposal(self, proposed: Proposed, name: str) -> Reply:
        """The next step of a status the pitcher will hear of: to whom? the message with
        three choices? the personal word?"""
        reference = proposed.file.pitch.reference
        if proposed.asks != "choice":
            key = "staff_referral_prompt" if proposed.asks == "referral" else "staff_word_prompt"
            asked = text(key, mark=STATUS_MARK, reference=reference, name=name)
            return Reply((asked,), expects_reply=True)
        news = proposed.news
        assert news is not None, "only news is proposed"
        language = news.language if known(news.language) else self.team.default_language
        catalog = self.team.catalog
        preview = "\n\n".join(catalog.render_plain(language, b) for b in news.reply.blocks)
        head = text(
            "staff_status_preview",
            reference=reference,
            new=status_text(proposed.status),
            language=text(f"language_{language}"),
        )
        choices = [
            (Button(text(f"staff_button_{choice}"), encode(Decide(reference, choice))),)
            for choice in get_args(Choice)
        ]
        return Reply((head, text("staff_relay_text", text=preview)), tuple(choices))

    async def assign(self, bot: Bot, actor: Actor, reference: str, staff_id: int) -> Reply:
        change = await self.team.desk.assign(actor, reference, staff_id)
        if change is None:
            return Reply((text("staff_not_found"),))
        await self._redraw(bot, change, None)
        pitch, name = change.file.pitch, change.file.name(staff_id)
        if change.won and staff_id != actor.person.user_id:
            # the new assignee hears of it in their private chat, when they have one
            given = text(
                "staff_assigned_to_you",
                reference=pitch.reference,
                name=actor.person.first_name or change.file.name(actor.person.user_id),
                idea=cards.headline(pitch, self.team.flow),
            )
            await self.team.notifier.tell_staff(bot, staff_id, Reply((given,)))
        said = text("staff_assigned", reference=pitch.reference, name=name)
        if change.previous is not None:
            said = text(
                "staff_assigned_over", reference=pitch.reference, name=name, was=change.previous
            )
        return Reply((said,))

    async def _redraw(self, bot: Bot, change: Change, pressed: int | None) -> None:
        """The group's card of a changed pitch, unless it is the message just pressed; a
        pitch with a forum topic may have had a line queued for it: the sender posts it."""
        card = change.card
        if card is not None and card.pitch.card_message_id not in (None, pressed):
            await self.team.notifier.redraw(bot, card)
        if card is not None and card.pitch.topic_id is not None:
            self.team.notifier.sending.wake(bot)

    async def note(self, bot: Bot, actor: Actor, reference: str, note: str) -> Reply:
        change = await self.team.desk.note(actor, reference, note)
        if change is None:
            return Reply((text("staff_not_found"),))
        await self._redraw(bot, change, None)
        return Reply((text("staff_noted", reference=change.file.pitch.reference),))

    async def reply(
        self, bot: Bot, actor: Actor, reference: str, message: str, as_pitcher: bool = False
    ) -> Reply:
        """Store the team's message first, then deliver it; say whether it arrived."""
        change = await self.team.desk.reply(actor, reference, message, as_pitcher=as_pitcher)
        if change is None or change.tell is None:
            return Reply((text("staff_not_found"),))
        await self._redraw(bot, change, None)
        told = await self.team.notifier.tell(bot, change.tell)
        if told == "sent" and change.event_id is not None:  # queued: marked when it arrives
            await self.team.desk.delivered(change.event_id)
        return Reply((text(f"staff_reply_{told}", reference=change.file.pitch.reference),))

    async def erase_prompt(self, actor: Actor, reference: str) -> Reply:
        """Erasure is for good: show what goes, and ask for a press before doing it."""
        erasure = await self.team.desk.erasure(actor, reference)
        if erasure is None:
            return Reply((text("staff_not_found"),))
        confirm = text("staff_erase_confirm", reference=reference, references=_listed(erasure))
        buttons = (
            Button(text("staff_button_erase_yes"), encode(Erase(reference, confirmed=True))),
            Button(text("staff_button_erase_no"), encode(Erase(reference, confirmed=False))),
        )
        return Reply((confirm,), (buttons,))

    async def erase(self, bot: Bot, actor: Actor, reference: str) -> Reply | None:
        """Erase the pitcher behind a pitch (their right to erasure), then tell them; the
        group's cards of their pitches keep only the reference. None: already gone."""
        erased = await self.team.desk.erase(actor, reference)
        if erased is None:
            return None
        for message_id, shown in erased.cards:
            await self.team.notifier.erase_card(bot, message_id, shown)
        for topic in erased.erasure.topics:  # a topic goes with everything said in it
            await self.team.notifier.topics.delete(bot, topic)
        told = await self.team.notifier.tell(bot, erased.tell)
        key = {"sent": "staff_erased", "queued": "staff_erased_queued"}.get(
            told or "", "staff_erased_untold"
        )
        return Reply((text(key, reference=reference, references=_listed(erased.erasure)),))


def reply_prompt(reference: str, name: str) -> Reply:
    return Reply(
        (text("staff_reply_prompt", mark=REPLY_MARK, reference=reference, name=name),),
        expects_reply=True,
    )


def _listed(erasure: Erasure) -> str:
    return ", ".join(erasure.references) or "–"
