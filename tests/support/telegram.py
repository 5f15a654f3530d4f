"""An offline Telegram for tests: a recording request layer and a scripted private chat.

Updates go through python-telegram-bot's own ``Application.process_update``; every Bot
API call the bot makes is recorded as ``(method, params)`` and answered like Telegram.
"""

from __future__ import annotations

import copy
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

BOT_USER: dict[str, Any] = {
    "id": 666,
    "is_bot": True,
    "first_name": "Pitchbot",
    "username": "PitchTestBot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
NOW = 1_764_150_000

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


def new_update_id() -> int:
    """A fresh update id, higher than any sent so far (to send one update twice)."""
    return next(_update_ids)


def chat_type(chat_id: int) -> str:
    return "private" if chat_id > 0 else "supergroup"


def chat_dict(chat_id: int, first_name: str = "Anna") -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": first_name}
    return {"id": chat_id, "type": "supergroup", "title": "Team"}


class RecordingRequest(BaseRequest):
    """Answers the Bot API methods pitchbot uses and records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.failures: dict[str, list[tuple[int, str]]] = {}

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float | None:
        return None

    def fail_next(self, method: str, code: int, description: str) -> None:
        """The next call of ``method`` answers with this Bot API error."""
        self.failures.setdefault(method, []).append((code, description))

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append((name, params))
        if self.failures.get(name):
            code, description = self.failures[name].pop(0)
            body = {"ok": False, "error_code": code, "description": description}
            return code, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(name, params)}).encode()

    def _result(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return BOT_USER
        if name in ("sendMessage", "editMessageText", "sendDocument"):
            chat_id = int(params.get("chat_id", 0))
            message: dict[str, Any] = {
                "message_id": int(params.get("message_id", next(_message_ids))),
                "date": NOW,
                "chat": chat_dict(chat_id),
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            return message
        return True

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]


@dataclass
class Sent:
    """A bot message as the person sees it."""

    text: str
    buttons: list[tuple[str, str]] = field(default_factory=list)
    """(label, callback data) for every inline button."""
    method: str = "sendMessage"
    """sendMessage for a new message, editMessageText when a shown message changed."""
    params: dict[str, Any] = field(default_factory=dict)
    """The Bot API parameters as sent."""

    def data(self, label_part: str) -> str:
        """Callback data of the button whose label contains ``label_part``."""
        matches = [data for label, data in self.buttons if label_part in label]
        assert matches, f"no button with {label_part!r} in {self.buttons}"
        return matches[0]

    def has_button(self, data: str) -> bool:
        return any(d == data for _, d in self.buttons)

    def label(self, data: str) -> str:
        """Label of the button that sends ``data``."""
        matches = [label for label, d in self.buttons if d == data]
        assert matches, f"no button sending {data!r} in {self.buttons}"
        return matches[0]


def _sent(params: dict[str, Any], method: str = "sendMessage") -> Sent:
    markup = params.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    buttons = [(b["text"], b.get("callback_data", "")) for row in rows for b in row]
    return Sent(str(params.get("text", "")), buttons, method, params)


class PrivateChat:
    """One person in a private chat with the bot; each action returns what the bot said."""

    def __init__(
        self,
        app: Application,  # type: ignore[type-arg]
        request: RecordingRequest,
        user_id: int = 1001,
        first_name: str = "Anna",
        language_code: str | None = "nl",
        chat_id: int | None = None,
    ) -> None:
        self.app = app
        self.request = request
        self.user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            self.user["language_code"] = language_code
        self.chat = chat_dict(chat_id if chat_id is not None else user_id, first_name)
        self.last_message_id = 0
        self.keyboard: Sent | None = None
        """The latest bot message with buttons: what the person can tap now."""
        self.last_update: dict[str, Any] | None = None

    async def _process(self, payload: dict[str, Any], update_id: int | None = None) -> list[Sent]:
        before = len(self.request.calls)
        payload["update_id"] = update_id if update_id is not None else next(_update_ids)
        self.last_update = copy.deepcopy(payload)
        await self.app.process_update(Update.de_json(payload, self.app.bot))
        new = self.request.calls[before:]
        sent = [_sent(p, name) for name, p in new if name in ("sendMessage", "editMessageText")]
        self.keyboard = next((s for s in reversed(sent) if s.buttons), self.keyboard)
        return sent

    async def redeliver(self) -> list[Sent]:
        """Telegram sends the last update again, unchanged (same update id)."""
        assert self.last_update is not None, "nothing was sent yet"
        payload = copy.deepcopy(self.last_update)
        return await self._process(payload, payload["update_id"])

    def message(self, **fields: Any) -> dict[str, Any]:
        self.last_message_id = next(_message_ids)
        return {
            "message_id": self.last_message_id,
            "date": NOW,
            "chat": self.chat,
            "from": self.user,
            **fields,
        }

    async def send(self, text: str, update_id: int | None = None) -> list[Sent]:
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0])
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return await self._process({"message": self.message(**fields)}, update_id)

    async def send_raw(self, update_id: int | None = None, **fields: Any) -> list[Sent]:
        return await self._process({"message": self.message(**fields)}, update_id)

    async def edit(self, message_id: int, text: str) -> list[Sent]:
        """The person edits their earlier message ``message_id`` to read ``text``."""
        edited = {
            "message_id": message_id,
            "date": NOW,
            "edit_date": NOW + 5,
            "chat": self.chat,
            "from": self.user,
            "text": text,
        }
        return await self._process({"edited_message": edited})

    async def tap(self, label_part: str) -> list[Sent]:
        """Press a button the bot is showing right now, found by (part of) its label."""
        assert self.keyboard is not None, "the bot shows no buttons"
        return await self.press(self.keyboard.data(label_part))

    async def tap_data(self, data: str) -> list[Sent]:
        """Press the shown button that sends ``data`` (asserting it is shown)."""
        assert self.keyboard is not None, "the bot shows no buttons"
        assert self.keyboard.has_button(data), f"{data!r} not in {self.keyboard.buttons}"
        return await self.press(data)

    async def press(
        self,
        data: str,
        from_user: dict[str, Any] | None = None,
        update_id: int | None = None,
    ) -> list[Sent]:
        """Press a button with any callback data (also stale or forged ones)."""
        query = {
            "id": str(next(_update_ids)),
            "from": from_user or self.user,
            "chat_instance": "instance",
            "data": data,
            "message": {
                "message_id": next(_message_ids),
                "date": NOW,
                "chat": self.chat,
                "from": BOT_USER,
                "text": "…",
            },
        }
        return await self._process({"callback_query": query}, update_id)

    def toast(self) -> str | None:
        """Text of the last answerCallbackQuery, if any."""
        answers = self.request.sent("answerCallbackQuery")
        return answers[-1].get("text") if answers else None
