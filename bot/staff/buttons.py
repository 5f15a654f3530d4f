"""Staff buttons and replies. Callback data names the pitch by its reference (see
:mod:`bot.staff.callbacks`); rights and the pitch's existence are checked again on every
press, so a button drawn for a pitch that is gone finds nothing and says so.
"""

from __future__ import annotations

from telegram import CallbackQuery, Chat, Message, Update
from telegram.ext import ContextTypes

from bot.sending import answer_query, send_replies
from bot.staff import cards
from bot.staff.actions import change_status, erase, reply_prompt, reply_to_pitcher
from bot.staff.callbacks import (
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
from bot.staff.commands import new_page
from bot.staff.team import Team, stop
from bot.threads import answered_reference
from bot.updates import text_of
from dialogs.replies import Reply, Text, text
from storage.models import Pitch


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


class StaffButtons:
    def __init__(self, team: Team) -> None:
        self.team = team

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Check rights now, find the pitch the button names, act, redraw what changed."""
        query, chat, user = update.callback_query, update.effective_chat, update.effective_user
        if query is None or chat is None or user is None or not is_staff_data(query.data):
            return  # the pitch conversation's button (python-telegram-bot lets empty data in)
        team = self.team
        if not await team.admit(context.bot, update):
            await answer_query(query, team.label(chat, user, text("staff_only")))
            raise stop()
        action = parse(query.data or "")
        pitch = await self._pitch_of(action)
        if action is None or isinstance(action, Outdated) or pitch is None:
            await answer_query(query, team.label(chat, user, _refusal(action)))
            raise stop()
        language = team.language(chat, user)
        replies: list[Reply] = []
        notice = None
        reference = pitch.reference or ""
        match action:
            case Page(pitch_id, forward):
                after, before = (pitch_id, None) if forward else (None, pitch_id)
                page = await new_page(team, after_id=after, before_id=before)
                replies.append(Reply(page.blocks, page.buttons, replace=True))
            case Show():
                file = await team.desk.file(pitch_id=pitch.id)
                if file is not None:
                    replies.append(cards.full(file, team.flow, language))
            case Write():
                replies.append(reply_prompt(reference, user.first_name))
            case Take():
                claim = await team.desk.claim(pitch.id, user.id)
                assert claim is not None
                if claim.won:
                    notice = text("staff_claim_won", reference=reference)
                else:
                    holder = cards.who(claim.holder, claim.holder_id)
                    notice = text("staff_claim_taken", reference=reference, name=holder)
                replies.extend(await self._refreshed(query, pitch.id, language))
            case Erase(confirmed=True):
                done = await erase(team, context.bot, reference, user.id)
                replies.append(Reply(done.blocks, replace=True))
            case Erase():
                kept = text("staff_erase_kept", reference=reference)
                replies.append(Reply((kept,), replace=True))
            case SetStatus(status=status):
                result = await change_status(team, context.bot, pitch.id, status, user.id)
                notice = result.blocks[0]
                if len(result.blocks) > 1:
                    replies.append(result)  # the pitcher could not be told: say so plainly
                replies.extend(await self._refreshed(query, pitch.id, language))
        await answer_query(query, team.label(chat, user, notice) if notice else None)
        await send_replies(context.bot, team.catalog, chat.id, language, replies, query)
        raise stop()

    async def _pitch_of(self, action: StaffAction | Outdated | None) -> Pitch | None:
        """The pitch a press is about: by reference, or a paging cursor's pitch."""
        match action:
            case None | Outdated():
                return None
            case Page(pitch_id):
                return await self.team.desk.pitch(pitch_id)
            case _:
                return await self.team.desk.pitch_named(action.reference)

    async def _refreshed(self, query: CallbackQuery, pitch_id: int, language: str) -> list[Reply]:
        """The pressed card or pitch redrawn with the current state."""
        file = await self.team.desk.file(pitch_id=pitch_id)
        if file is None:
            return []
        if _is_card(query):
            shown = cards.card(file.pitch, self.team.flow, language, file.names)
        else:
            shown = cards.full(file, self.team.flow, language)
        return [Reply(shown.blocks, shown.buttons, replace=True)]

    async def on_reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A staff member's reply to a marked message goes to that pitch's pitcher.

        Not staff, or staff answering the team about a pitch of their own in their private
        chat: left alone, so the pitcher's reply reaches the pitch conversation.
        """
        message, chat, user = update.message, update.effective_chat, update.effective_user
        said = text_of(message) if message is not None else None
        if message is None or chat is None or user is None or said is None:
            return
        reference = answered_reference(message, context.bot.id)
        if reference is None:
            return
        if not await self.team.admit(context.bot, update):
            return
        file = await self.team.desk.file(reference=reference)
        if file is None:  # erased since: the message must not reach anyone else
            await self.team.say(context.bot, chat, user, Reply((text("staff_not_found"),)))
            raise stop()
        if chat.type == Chat.PRIVATE and file.pitch.pitcher.telegram_user_id == user.id:
            return
        reply = await reply_to_pitcher(self.team, context.bot, file.pitch.id, said, user.id)
        await self.team.say(context.bot, chat, user, reply)
        raise stop()
