"""Staff buttons and replies. Callback data carries only an action and a pitch id
(``st:42:in_review``); rights and the pitch's existence are checked again on every press.
"""

from __future__ import annotations

import re

from telegram import CallbackQuery, Chat, Message, Update
from telegram.ext import ContextTypes

from bot.sending import answer_query, send_replies
from bot.staff import cards
from bot.staff.actions import change_status, erase, reply_prompt, reply_to_pitcher
from bot.staff.cards import STAFF_STATUSES
from bot.staff.commands import new_page
from bot.staff.team import Team, stop
from bot.threads import answered_reference
from dialogs.replies import Reply, text

_STAFF_DATA = re.compile(r"^(tk|st|rp|sh|nx|pv|er):")


def is_staff_data(data: object) -> bool:
    """Staff button data; everything else belongs to the pitch conversation."""
    return isinstance(data, str) and _STAFF_DATA.match(data) is not None


def _pitch_id(value: str) -> int | None:
    return int(value) if value.isdecimal() and len(value) <= 18 else None


def _is_card(query: CallbackQuery) -> bool:
    """A short group card carries a "show all" button; the full pitch does not."""
    message = query.message
    markup = message.reply_markup if isinstance(message, Message) else None
    rows = markup.inline_keyboard if markup is not None else ()
    return any(str(b.callback_data or "").startswith("sh:") for row in rows for b in row)


class StaffButtons:
    def __init__(self, team: Team) -> None:
        self.team = team

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, chat, user = update.callback_query, update.effective_chat, update.effective_user
        if query is None or chat is None or user is None or not is_staff_data(query.data):
            return  # the pitch conversation's button (python-telegram-bot lets empty data in)
        team = self.team
        if not await team.admit(context.bot, update):
            await answer_query(query, team.label(chat, user, text("staff_only")))
            raise stop()
        action, _, rest = (query.data or "").partition(":")
        raw_id, _, status = rest.partition(":")
        pitch_id = _pitch_id(raw_id)
        choices = {"st": STAFF_STATUSES, "er": ("yes", "no")}.get(action)
        known = pitch_id is not None and (status in choices if choices else not status)
        pitch = await team.desk.pitch(pitch_id) if known and pitch_id is not None else None
        if pitch is None or pitch_id is None:
            await answer_query(query, team.label(chat, user, text("staff_button_unknown")))
            raise stop()
        language = team.language(chat, user)
        replies: list[Reply] = []
        notice = None
        match action:
            case "nx" | "pv":
                after, before = (pitch_id, None) if action == "nx" else (None, pitch_id)
                page = await new_page(team, after_id=after, before_id=before)
                replies.append(Reply(page.blocks, page.buttons, replace=True))
            case "sh":
                file = await team.desk.file(pitch_id=pitch_id)
                if file is not None:
                    replies.append(cards.full(file, team.flow, language))
            case "rp":
                replies.append(reply_prompt(pitch.reference or "", user.first_name))
            case "tk":
                claim = await team.desk.claim(pitch_id, user.id)
                assert claim is not None
                if claim.won:
                    notice = text("staff_claim_won", reference=pitch.reference or "")
                else:
                    holder = cards.who(claim.holder, claim.holder_id)
                    notice = text("staff_claim_taken", reference=pitch.reference or "", name=holder)
                replies.extend(await self._refreshed(query, pitch_id, language))
            case "er" if status == "yes":
                done = await erase(team, context.bot, pitch_id, pitch.reference or "", user.id)
                replies.append(Reply(done.blocks, replace=True))
            case "er":
                kept = text("staff_erase_kept", reference=pitch.reference or "")
                replies.append(Reply((kept,), replace=True))
            case "st":
                result = await change_status(team, context.bot, pitch_id, status, user.id)
                notice = result.blocks[0]
                if len(result.blocks) > 1:
                    replies.append(result)  # the pitcher could not be told: say so plainly
                replies.extend(await self._refreshed(query, pitch_id, language))
        await answer_query(query, team.label(chat, user, notice) if notice else None)
        await send_replies(context.bot, team.catalog, chat.id, language, replies, query)
        raise stop()

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
        if message is None or chat is None or user is None or message.text is None:
            return
        reference = answered_reference(message, context.bot.id)
        if reference is None:
            return
        if not await self.team.admit(context.bot, update):
            return
        file = await self.team.desk.file(reference=reference)
        if file is None:
            return
        if chat.type == Chat.PRIVATE and file.pitch.pitcher.telegram_user_id == user.id:
            return
        reply = await reply_to_pitcher(self.team, context.bot, file.pitch.id, message.text, user.id)
        await self.team.say(context.bot, chat, user, reply)
        raise stop()
