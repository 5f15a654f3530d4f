"""Telegram's flood limits, applied to what they are about: messages the bot sends.

python-telegram-bot's AIORateLimiter counts every call that names a chat, so staff
membership look-ups (getChatMember on the staff group) would eat the group's budget of
20 messages a minute and slow staff down exactly when pitches pour in. Calls that send
nothing pass straight through; sending calls get the full limiter, retries included.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram._utils.types import JSONDict
from telegram.ext import AIORateLimiter

SENDING = ("send", "copy", "forward", "edit")
"""Bot API method prefixes that put something in a chat."""

TELEGRAM_PER_SECOND = 30.0
"""Messages a bot may send per second, over all chats (Telegram's free limit)."""

MAX_RETRIES = 3
"""Times a call is retried after Telegram's RetryAfter ("too many requests")."""


def sends(endpoint: str) -> bool:
    return endpoint.startswith(SENDING)


class SendingRateLimiter(AIORateLimiter):
    """AIORateLimiter for sending calls only."""

    def __init__(self, per_second: float = TELEGRAM_PER_SECOND) -> None:
        super().__init__(overall_max_rate=per_second, max_retries=MAX_RETRIES)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if not sends(endpoint):
            return await callback(*args, **kwargs)
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
