"""Who is staff, checked at the moment of every command and every button press.

Configured ids are always staff. Members of the staff group are staff too. When Telegram
tells the bot that someone joined, left or was removed (a ``chat_member`` update, sent
to a bot that administers the group, or a "left the group" service message), that is
believed at once. Otherwise membership is asked from Telegram and cached briefly, so in a
group where the bot is no administrator someone removed loses access within
:data:`MEMBERSHIP_TTL` seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram import Bot, ChatMember, ChatMemberRestricted, Update
from telegram.error import TelegramError

from bot.logs import ids

log = logging.getLogger(__name__)

MEMBERSHIP_TTL = 120.0
"""Seconds a staff-group membership answer is trusted."""

_MEMBER = {ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER}


class StaffGate:
    """Answers "is this user staff?" for one bot."""

    def __init__(
        self,
        staff_ids: frozenset[int],
        staff_chat_id: int | None,
        *,
        ttl: float = MEMBERSHIP_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.staff_ids = staff_ids
        self.staff_chat_id = staff_chat_id
        self.ttl = ttl
        self.clock = clock
        self._members: dict[int, tuple[bool, float]] = {}

    async def is_staff(self, bot: Bot, user_id: int) -> bool:
        if user_id in self.staff_ids:
            return True
        if self.staff_chat_id is None:
            return False
        now = self.clock()
        cached = self._members.get(user_id)
        if cached is not None and now - cached[1] < self.ttl:
            return cached[0]
        try:
            member = await bot.get_chat_member(self.staff_chat_id, user_id)
        except TelegramError as error:
            # fail closed, and ask again next time rather than caching a network hiccup
            log.warning(
                "could not check staff membership of %s: %s",
                user_id,
                error,
                extra=ids(user_id=user_id),
            )
            return False
        is_member = _counts(member)
        self._members[user_id] = (is_member, now)
        return is_member

    async def on_chat_member(self, update: Update, _context: object) -> None:
        """Telegram says a member of the staff group changed: believe it now."""
        change = update.chat_member
        if change is not None and change.chat.id == self.staff_chat_id:
            member = change.new_chat_member
            self._members[member.user.id] = (_counts(member), self.clock())

    async def on_member_left(self, update: Update, _context: object) -> None:
        """The staff group's "… left the group" service message: access goes with them."""
        message = update.message
        left = message.left_chat_member if message is not None else None
        if left is not None and message is not None and message.chat.id == self.staff_chat_id:
            self._members[left.id] = (False, self.clock())


def _counts(member: ChatMember) -> bool:
    """Whether a membership makes someone staff (restricted members still belong)."""
    return member.status in _MEMBER or (
        isinstance(member, ChatMemberRestricted) and member.is_member
    )
