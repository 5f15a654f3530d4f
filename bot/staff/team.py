"""What every staff handler shares: the services, the check, and how to answer."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from telegram import Bot, Chat, Update, User
from telegram.error import BadRequest, Forbidden
from telegram.ext import ApplicationHandlerStop

from bot.render import render_label
from bot.sending import send_replies
from bot.staff.access import StaffGate
from bot.staff.menus import StaffMenus
from bot.staff.notify import TeamNotifier
from bot.threads import thread_of
from bot.updates import person_of
from dialogs.catalog import Catalog
from dialogs.flow import Flow
from dialogs.languages import resolve
from dialogs.replies import Reply, Text, text
from services.desk import StaffDesk
from services.outcomes import Actor
from services.statuses import StatusNames

log = logging.getLogger(__name__)


@dataclass
class Team:
    """The staff side's services, built once and shared by its handlers."""

    gate: StaffGate
    desk: StaffDesk
    notifier: TeamNotifier
    catalog: Catalog
    flow: Flow
    default_language: str
    staff_chat_id: int | None
    menus: StaffMenus
    statuses: StatusNames = field(init=False)
    """Status names as staff may type them: keys, or the names cards show."""

    def __post_init__(self) -> None:
        self.statuses = StatusNames(self.catalog)

    def language(self, chat: Chat, user: User) -> str:
        """The group reads the default language; a private chat the member's own."""
        if chat.type != Chat.PRIVATE:
            return self.default_language
        return self.own_language(user)

    def in_team_place(self, chat: Chat) -> bool:
        return chat.type == Chat.PRIVATE or chat.id == self.staff_chat_id

    async def admit(self, bot: Bot, update: Update) -> Actor | None:
        """Check staff rights now: the acting member, or None for anyone else.

        The use case then claims the update (a redelivered one raises
        :class:`~services.desk.Repeated`) and remembers the member's names.
        """
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None or not self.in_team_place(chat):
            return None
        if not await self.gate.is_staff(bot, user.id):
            return None
        if chat.type == Chat.PRIVATE:
            await self.menus.give(bot, user.id)  # "/" shows them the staff commands too
        topic = thread_of(update.message) if chat.id == self.staff_chat_id else None
        return Actor(person_of(user, chat.id), update.update_id, topic)

    def in_group(self, chat: Chat) -> bool:
        return chat.type != Chat.PRIVATE

    def own_language(self, user: User) -> str:
        """The language of the member's private chat with the bot."""
        return resolve(user.language_code, self.default_language)

    async def privately(self, bot: Bot, user: User, *replies: Reply) -> bool:
        """Send to the member's private chat, in their language; False when the bot may
        not write there (they never started a private chat with it)."""
        language = self.own_language(user)
        try:
            await send_replies(bot, self.catalog, user.id, language, replies)
        except (Forbidden, BadRequest) as error:
            log.info("could not reach staff member %s privately: %s", user.id, error)
            return False
        return True

    def open_private(self, bot: Bot) -> Text:
        """The line that asks a member to open a private chat with the bot first."""
        return text("staff_open_private", link=f"https://t.me/{bot.username}")

    async def say(
        self, bot: Bot, chat: Chat, user: User, *replies: Reply, thread: int | None = None
    ) -> None:
        """Answer where the member asked (``thread``: the forum topic they wrote in)."""
        language = self.language(chat, user)
        await send_replies(bot, self.catalog, chat.id, language, replies, thread=thread)

    def label(self, chat: Chat, user: User, item: Text) -> str:
        return render_label(self.catalog, self.language(chat, user), item)


def refuse() -> Reply:
    """The one neutral line strangers get, whatever they asked."""
    return Reply((text("staff_only"),))


def stop() -> ApplicationHandlerStop:
    """Handled here: no other handler (the pitch conversation) sees this update."""
    return ApplicationHandlerStop()
