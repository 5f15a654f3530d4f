"""Staff buttons and replies. Callback data names the pitch by its reference (see
:mod:`bot.staff.callbacks`); rights and the pitch's existence are checked again on every
press, so a button drawn for a pitch that is gone finds nothing and says so. Each action
is one small method: the use case (one unit of work), then what to show.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import CallbackQuery, Chat, Message, Update, User
from telegram.ext import ContextTypes

from bot.sending import answer_query, send_replies
from bot.staff import cards
from bot.staff.actions import Actions, reply_prompt
from bot.staff.callbacks import (
    Decide,
    Drawn,
    Erase,
    Outdated,
    Page,
    SetStatus,
    Show,
    StaffAction,
    Take,
    Write,
    is_staff_data,
    parse,
)
from bot.staff.cards import meanwhile
from bot.staff.team import Team, stop
from bot.threads import answered_reference, thread_of
from bot.updates import text_of
from dialogs.replies import Reply, Text, text
from dialogs.threads import STATUS_MARK
from services.outcomes import (
    Actor,
    Change,
    Expired,
    Gone,
    PitchFile,
    Proposed,
    Repeated,
    Theirs,
)


def _is_card(query: CallbackQuery) -> bool:
    """A short group card carries a "show all" button; the full pitch does not."""
    message = query.message
    markup = message.reply_markup if isinstance(message, Message) else None
    rows = markup.inline_keyboard if markup is not None else ()
    return any(isinstance(parse(str(b.callback_data)), Show) for row in rows for b in row)


def _refusal(action: StaffAction | Outdated | None) -> Text:
    """Why a press does nothing; a pitch that is gone is named, so nobody guesses."""
    match action:
        case Outdated():
            return text("staff_button_outdated")
        case None | Page():
            return text("staff_button_unknown")
        case _:
            return text("staff_button_gone", reference=action.reference)


@dataclass(frozen=True)
class Press:
    """One staff button press: who, where, on which message."""

    query: CallbackQuery
    chat: Chat
    user: User
    actor: Actor
    language: str
    pressed: int | None
    """The pressed message when it is in the staff group (where a pitch's card lives)."""


@dataclass(frozen=True)
class Shown:
    """What a press shows: a toast, replies, or the refusal when its pitch is gone."""

    notice: Text | None = None
    replies: tuple[Reply, ...] = ()
    gone: bool = False


class StaffButtons:
    def __init__(self, team: Team, actions: Actions) -> None:
        self.team = team
        self.actions = actions

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Check rights now, act on the pitch the button names, redraw what changed."""
        query, chat, user = update.callback_query, update.effective_chat, update.effective_user
        if query is None or chat is None or user is None or not is_staff_data(query.data):
            return  # the pitch conversation's button (python-telegram-bot lets empty data in)
        team = self.team
        actor = await team.admit(context.bot, update)
        if actor is None:
            await answer_query(query, team.label(chat, user, text("staff_only")))
            raise stop()
        action = parse(query.data or "")
        in_group = chat.id == team.staff_chat_id and query.message is not None
        pressed = query.message.message_id if in_group and query.message else None
        press = Press(query, chat, user, actor, team.language(chat, user), pressed)
        try:
            shown = await self._act(context, press, action)
        except Repeated:
            raise stop() from None
        except Gone as gone:  # the pitch was erased: say when and why
            await answer_query(query, team.label(chat, user, cards.tombstone(gone.tombstone)))
            raise stop() from None
        if shown.gone:
            await answer_query(query, team.label(chat, user, _refusal(action)))
            raise stop()
        notice = team.label(chat, user, shown.notice) if shown.notice else None
        await answer_query(query, notice)
        await send_replies(
            context.bot,
            team.catalog,
            chat.id,
            press.language,
            shown.replies,
            query,
            thread=thread_of(query.message),
        )
        raise stop()

    async def _act(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        press: Press,
        action: StaffAction | Outdated | None,
    ) -> Shown:
        desk, bot, actor = self.team.desk, context.bot, press.actor
        match action:
            case None | Outdated():
                await desk.seen(actor)
                return Shown(gone=True)
            case Page(pitch_id, forward):
                after, before = (pitch_id, None) if forward else (None, pitch_id)
                page = await self.actions.new_page(actor, after_id=after, before_id=before)
                if page is None:
                    return Shown(gone=True)
                return Shown(replies=(Reply(page.blocks, page.buttons, replace=True),))
            case Show(reference):
                shown = await self.actions.show(bot, actor, reference, press.chat, press.user)
                if shown is None:
                    return Shown(gone=True)
                return Shown(replies=(shown,))
            case Write(reference):
                if await desk.file(actor, reference) is None:
                    return Shown(gone=True)
                return Shown(replies=(reply_prompt(reference, press.user.first_name),))
            case Take(reference, drawn):
                change = await self.actions.take(bot, actor, reference, pressed=press.pressed)
                if change is None:
                    return Shown(gone=True)
                if change.won:
                    notice = text("staff_claim_won", reference=reference)
                else:
                    holder = change.previous or "–"
                    notice = text("staff_claim_taken", reference=reference, name=holder)
                redrawn = self._redrawn(press, change.file)
                return Shown(notice, (*self._meanwhile(drawn, change), redrawn))
            case Erase(reference, confirmed=True):
                done = await self.actions.erase(bot, actor, reference)
                if done is None:
                    return Shown(gone=True)
                return Shown(replies=(Reply(done.blocks, replace=True),))
            case Erase(reference):
                if await desk.erasure(actor, reference) is None:
                    return Shown(gone=True)
                kept = text("staff_erase_kept", reference=reference)
                return Shown(replies=(Reply((kept,), replace=True),))
            case SetStatus(reference, status, drawn):
                result, outcome = await self.actions.set_status(
                    bot, actor, reference, status, pressed=press.pressed
                )
                match outcome:
                    case None:
                        return Shown(gone=True)
                    case Proposed():  # the message the pitcher would get, and the choices
                        now = outcome.file.pitch
                        changed = meanwhile(drawn, now.status, now.assignee_id, outcome.file)
                        return Shown(replies=(*((changed,) if changed else ()), result))
                # the pitcher could not be told: say so plainly, not only in a toast
                told = (result,) if len(result.blocks) > 1 else ()
                redrawn = self._redrawn(press, outcome.file)
                return Shown(result.blocks[0], (*self._meanwhile(drawn, outcome), *told, redrawn))
            case Decide(reference, choice):
                result, decided = await self.actions.decide(bot, actor, reference, choice)
                match decided:
                    case None:
                        return Shown(gone=True)
                    case Expired():
                        return Shown(result.blocks[0])
                    case Proposed():  # a personal word first: asked for below the preview
                        return Shown(replies=(result,))
                # the preview becomes what was done (its buttons go)
                return Shown(result.blocks[0], (Reply(result.blocks, replace=True),))
        return Shown(gone=True)

    def _meanwhile(self, drawn: Drawn | None, change: Change) -> tuple[Reply, ...]:
        """What changed between drawing the pressed message and the press, if anything."""
        before = change.before
        if before is None:
            return ()
        changed = meanwhile(drawn, before.status, before.assignee_id, change.file)
        return (changed,) if changed is not None else ()

    def _redrawn(self, press: Press, file: PitchFile) -> Reply:
        """The pressed card or pitch redrawn with the current state."""
        flow, language = self.team.flow, press.language
        if _is_card(press.query):
            shown = cards.card(file.pitch, flow, language, file.names)
        else:
            shown = cards.full(file, flow, language)
        return Reply(shown.blocks, shown.buttons, replace=True)

    async def on_reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A staff member's reply to a marked message goes to that pitch's pitcher; a reply
        to a status prompt (to whom? your personal word?) belongs to that status change.

        Not staff, or staff answering the team about a pitch of their own in their private
        chat: left alone, so the pitcher's reply reaches the pitch conversation.
        """
        message, chat, user = update.message, update.effective_chat, update.effective_user
        said = text_of(message) if message is not None else None
        if message is None or chat is None or user is None or said is None:
            return
        proposed = answered_reference(message, context.bot.id, STATUS_MARK)
        reference = proposed or answered_reference(message, context.bot.id)
        if reference is None:
            return
        actor = await self.team.admit(context.bot, update)
        if actor is None:
            return
        private = chat.type == Chat.PRIVATE
        try:
            if proposed is not None:  # to whom a pitch is referred, or a personal word
                reply = await self.actions.answer_proposal(context.bot, actor, proposed, said)
            else:
                reply = await self.actions.reply(context.bot, actor, reference, said, private)
        except Repeated:
            raise stop() from None
        except Theirs:
            return
        except Gone as gone:
            reply = Reply((cards.tombstone(gone.tombstone),))
        await self.team.say(context.bot, chat, user, reply, thread=actor.topic)
        raise stop()
