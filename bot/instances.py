"""One long-polling process per token: the one that started second leaves.

Telegram answers a ``getUpdates`` with 409 Conflict when another one is waiting for the
same bot, to whichever asked first, so two polling processes would take turns failing for
ever. The process that has not fetched anything yet is the newcomer: it says so and stops
(``pitchbot run`` then exits non-zero); the one that was already running carries on.
"""

from __future__ import annotations

import logging

from telegram.error import Conflict
from telegram.ext import ContextTypes

from bot.inbox import Inbox

log = logging.getLogger(__name__)

ANOTHER_INSTANCE = (
    "another pitchbot is already polling Telegram with this token; this one stops "
    "(run one polling process per bot, or use webhook mode for several workers)"
)


class OneInstance:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox
        self.conflict = False
        """Set when this process stopped because another one was polling first."""

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update is not None or not isinstance(context.error, Conflict):
            return
        if self.inbox.fetched:
            log.warning("another process polled with this token; still polling here")
            return
        if not self.conflict:
            self.conflict = True
            log.warning(ANOTHER_INSTANCE)
            context.application.stop_running()
