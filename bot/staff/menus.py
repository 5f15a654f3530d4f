"""The staff commands in Telegram's "/" menu, only where staff are (command scopes).

The staff group gets them in the team's default language; each staff member's private
chat gets the pitcher's commands and the staff commands in every language: the configured
staff ids at start, a member of the staff group the first time they use a staff command
in their private chat (once per run). Everyone else keeps seeing only the pitcher's menu.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.render import render_label
from dialogs.catalog import Catalog
from dialogs.engine import KNOWN_COMMANDS
from dialogs.languages import LANGUAGES
from dialogs.replies import text

log = logging.getLogger(__name__)

STAFF_COMMANDS = (
    "new",
    "mine",
    "waiting",
    "pitches",
    "pitch",
    "status",
    "assign",
    "note",
    "reply",
    "stats",
    "export",
    "erase",
    "staffhelp",
)
"""Every staff command, in the order of the menu and of /staffhelp."""


class StaffMenus:
    def __init__(
        self,
        catalog: Catalog,
        staff_ids: frozenset[int],
        staff_chat_id: int | None,
        default_language: str,
    ) -> None:
        self.catalog = catalog
        self.staff_ids = staff_ids
        self.staff_chat_id = staff_chat_id
        self.default_language = default_language
        self._given: set[int] = set()

    def commands(self, language: str, *, private: bool) -> list[BotCommand]:
        """The menu of a staff member's private chat (theirs as a pitcher too), or of the
        staff group (staff commands only)."""
        label = self.catalog
        staff = [
            BotCommand(name, render_label(label, language, text(f"staff_command_{name}")))
            for name in STAFF_COMMANDS
        ]
        if not private:
            return staff
        own = [
            BotCommand(name, render_label(label, language, text(f"command_{name}")))
            for name in KNOWN_COMMANDS
        ]
        return [*own, *staff]

    async def register(self, bot: Bot) -> None:
        """At start: the staff group and the configured staff members' private chats."""
        if self.staff_chat_id is not None:
            group = self.commands(self.default_language, private=False)
            await bot.set_my_commands(group, scope=BotCommandScopeChat(self.staff_chat_id))
        for user_id in sorted(self.staff_ids):
            await self.give(bot, user_id)

    async def give(self, bot: Bot, user_id: int) -> None:
        """A staff member's private chat shows the staff commands (once per run)."""
        if user_id in self._given:
            return
        self._given.add(user_id)
        scope = BotCommandScopeChat(user_id)
        try:
            for language in (None, *LANGUAGES):
                menu = self.commands(language or self.default_language, private=True)
                await bot.set_my_commands(menu, scope=scope, language_code=language)
        except TelegramError as error:  # no private chat yet, or Telegram busy: next run
            self._given.discard(user_id)
            log.info("could not set the staff menu for %s: %s", user_id, error)
