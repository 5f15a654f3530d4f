"""An offline Telegram for tests: a recording request layer and a scripted private chat.

Updates go through python-telegram-bot's own ``Application.process_update``; every Bot
API call the bot makes is recorded as ``(method, params)`` and answered like Telegram.
"""

from __future__ import annotations

import asyncio
import copy
import html
import itertools
import json
import re
from collections.abc import Awaitable, Callable
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


def chat_dict(chat_id: int, first_name: str = "Anna") -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": first_name}
    return {"id": chat_id, "type": "supergroup", "title": "Team"}


_TAG = re.compile(r"<[^>]+>")


def plain(markup: str) -> str:
    """What Telegram keeps of an HTML message as its ``text``: tags gone, entities decoded."""
    return html.unescape(_TAG.sub("", markup))


_CAN_ADMINISTER = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
_CAN_WHEN_RESTRICTED = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
    "can_edit_tag",
    "can_react_to_messages",
)


def chat_member(user_id: int, status: str, is_member: bool = True) -> dict[str, Any]:
    """A ChatMember as getChatMember answers it, with every field its status requires."""
    member: dict[str, Any] = {
        "status": status,
        "user": {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"},
    }
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(can_be_edited=False, is_anonymous=False)
        member.update(dict.fromkeys(_CAN_ADMINISTER, True))
    elif status == "restricted":
        member.update(dict.fromkeys(_CAN_WHEN_RESTRICTED, False))
        member.update(is_member=is_member, until_date=0)
    elif status == "kicked":
        member["until_date"] = 0
    return member


class RecordingRequest(BaseRequest):
    """Answers the Bot API methods pitchbot uses and records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.results: list[Any] = []
        """What Telegram answered to each call, in the order of ``calls`` (None: an error)."""
        self.documents: list[tuple[int, str, bytes]] = []
        """Every document sent: (chat id, file name, content)."""
        self.failures: dict[str, list[tuple[int, str]]] = {}
        self.chat_failures: dict[tuple[str, int], list[tuple[int, str]]] = {}
        self.members: dict[tuple[int, int], str] = {}
        self.held: dict[int, asyncio.Event] = {}
        self.in_wait: dict[int, int] = {}
        """getChatMember's answer per (chat id, user id): "member", "administrator",
        "creator", "restricted" (still a member), "left" (the default) or "kicked"."""
        self.forums: set[int] = set()
        """Supergroups with topics (getChat says ``is_forum``)."""
        self.managers: set[int] = set()
        """Chats where the bot is an administrator that may manage topics and pin."""
        self.topics: dict[int, dict[str, Any]] = {}
        """Every topic opened: its thread id → chat_id, name, closed, deleted."""
        self.pinned: list[tuple[int, int]] = []
        self.webhook: dict[str, Any] = {"url": ""}
        """getWebhookInfo's answer (setWebhook and deleteWebhook change its url)."""
        """(chat id, message id) of every pinned message."""

    def forum(self, chat_id: int, *, may_manage: bool = True) -> None:
        """``chat_id`` has topics; the bot is an administrator there that may manage them
        (or, without ``may_manage``, a plain member)."""
        self.forums.add(chat_id)
        if may_manage:
            self.members[(chat_id, BOT_USER["id"])] = "administrator"
            self.managers.add(chat_id)

    def topic_of(self, message: Sent) -> int | None:
        """The forum topic a sent message went to (None: the chat itself, or General)."""
        thread = message.params.get("message_thread_id")
        return int(thread) if thread is not None else None

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

    def fail_chat(
        self,
        chat_id: int,
        code: int,
        description: str,
        times: int = 1,
        method: str = "sendMessage",
    ) -> None:
        """The next ``times`` calls of ``method`` to ``chat_id`` fail; other chats work."""
        self.chat_failures.setdefault((method, chat_id), []).extend([(code, description)] * times)

    def hold(self, chat_id: int) -> asyncio.Event:
        """Messages to ``chat_id`` wait (a slow network, a rate limiter's queue) until the
        returned event is set; ``waiting`` tells how many are waiting."""
        return self.held.setdefault(chat_id, asyncio.Event())

    def waiting(self, chat_id: int) -> int:
        """How many calls to ``chat_id`` wait for it to be released."""
        return self.in_wait.get(chat_id, 0)

    def heal_chat(self, chat_id: int, method: str = "sendMessage") -> None:
        """``chat_id`` accepts ``method`` again."""
        self.chat_failures.pop((method, chat_id), None)

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
        if name == "sendDocument" and request_data is not None and request_data.contains_files:
            for file_name, content, _ in (request_data.multipart_data or {}).values():
                data = content if isinstance(content, bytes) else content.read()
                self.documents.append((int(params["chat_id"]), file_name, data))
        index = len(self.calls)
        self.calls.append((name, params))
        self.results.append(None)
        chat_id = _chat_id(params)
        held = self.held.get(chat_id) if chat_id is not None else None
        if held is not None and chat_id is not None and not held.is_set():
            self.in_wait[chat_id] = self.in_wait.get(chat_id, 0) + 1
            await held.wait()
            self.in_wait[chat_id] -= 1
        chat_failures = self.chat_failures.get((name, chat_id)) if chat_id is not None else None
        failures = chat_failures or self.failures.get(name)
        if failures:
            code, description = failures.pop(0)
            body = {"ok": False, "error_code": code, "description": description}
            return code, json.dumps(body).encode()
        result = self._result(name, params)
        self.results[index] = result
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _result(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return BOT_USER
        if name == "getWebhookInfo":
            return {"has_custom_certificate": False, "pending_update_count": 0, **self.webhook}
        if name in ("setWebhook", "deleteWebhook"):
            self.webhook = {"url": params.get("url", "")}
            return True
        if name in ("sendMessage", "editMessageText", "sendDocument"):
            chat_id = int(params.get("chat_id", 0))
            message: dict[str, Any] = {
                "message_id": int(params.get("message_id", next(_message_ids))),
                "date": NOW,
                "chat": chat_dict(chat_id),
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
            markup = _markup(params)
            if isinstance(markup, dict) and "inline_keyboard" in markup:
                message["reply_markup"] = markup  # a message keeps only inline keyboards
            if params.get("message_thread_id") is not None and chat_id in self.forums:
                message.update(message_thread_id=int(params["message_thread_id"]))
                message["is_topic_message"] = True
            return message
        if name == "copyMessage":
            return {"message_id": next(_message_ids)}
        if name == "getChatMember":
            key = (int(params["chat_id"]), int(params["user_id"]))
            member = chat_member(key[1], self.members.get(key, "left"))
            if member["status"] == "administrator" and key[0] in self.managers:
                member.update(can_manage_topics=True, can_pin_messages=True)
            return member
        if name == "getChat":
            return self._chat(int(params["chat_id"]))
        if name == "createForumTopic":
            return self._open_topic(params)
        if name in ("closeForumTopic", "reopenForumTopic", "deleteForumTopic"):
            topic = self.topics[int(params["message_thread_id"])]
            topic.update(closed=name == "closeForumTopic", deleted=name == "deleteForumTopic")
        if name == "pinChatMessage":
            self.pinned.append((int(params["chat_id"]), int(params["message_id"])))
        return True

    def _chat(self, chat_id: int) -> dict[str, Any]:
        gifts = dict.fromkeys(
            ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription"), False
        )
        return {
            **chat_dict(chat_id),
            "is_forum": chat_id in self.forums or None,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {**gifts, "gifts_from_channels": False},
        }

    def _open_topic(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        thread = next(_message_ids)  # a topic's id is its creation message's, as on Telegram
        self.topics[thread] = {
            "chat_id": chat_id,
            "name": params["name"],
            "closed": False,
            "deleted": False,
        }
        return {"message_thread_id": thread, "name": params["name"], "icon_color": 7322096}

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    def shown(self, since: int = 0) -> list[Sent]:
        """Messages sent or edited (successfully) from call number ``since`` on."""
        return [
            _sent(params, name, result)
            for (name, params), result in zip(self.calls[since:], self.results[since:], strict=True)
            if name in ("sendMessage", "editMessageText") and result is not None
        ]

    def messages_to(self, chat_id: int, since: int = 0) -> list[Sent]:
        """What ``chat_id`` was sent or shown (successfully) from call number ``since`` on."""
        return [s for s in self.shown(since) if s.chat_id == chat_id]

    def asked(self, method: str) -> int:
        """How often ``method`` was called."""
        return sum(1 for name, _ in self.calls if name == method)


def _chat_id(params: dict[str, Any]) -> int | None:
    try:
        return int(params["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None


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
    message_id: int | None = None
    """The message's id, as Telegram answered (None when the call failed)."""

    @property
    def chat_id(self) -> int | None:
        return _chat_id(self.params)

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


def _markup(params: dict[str, Any]) -> Any:
    markup = params.get("reply_markup") or {}
    return json.loads(markup) if isinstance(markup, str) else markup


def _sent(params: dict[str, Any], method: str = "sendMessage", result: Any = None) -> Sent:
    markup = _markup(params)
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    buttons = [(b["text"], b.get("callback_data", "")) for row in rows for b in row]
    message_id = result.get("message_id") if isinstance(result, dict) else None
    return Sent(str(params.get("text", "")), buttons, method, params, message_id)


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
        username: str | None = None,
        settle: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.app = app
        self.request = request
        self.settle = settle
        """Waits for what the bot does beside the handlers (the staff group's sender), so
        an update's result includes the group messages it caused."""
        self.user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            self.user["language_code"] = language_code
        if username:
            self.user["username"] = username
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
        if self.settle is not None:
            await self.settle()
        new = self.request.calls[before:]
        sent = [
            _sent(p, name, result)
            for (name, p), result in zip(new, self.request.results[before:], strict=True)
            if name in ("sendMessage", "editMessageText")
        ]
        here = [s for s in sent if s.chat_id in (None, self.chat["id"])]
        self.keyboard = next((s for s in reversed(here) if s.buttons), self.keyboard)
        return sent

    async def redeliver(self, update: dict[str, Any] | None = None) -> list[Sent]:
        """Telegram sends the last update (or an earlier one kept by the test) again,
        unchanged (same update id)."""
        payload = copy.deepcopy(update or self.last_update)
        assert payload is not None, "nothing was sent yet"
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

    async def reply(self, to: Sent, text: str) -> list[Sent]:
        """Telegram's "reply" on the bot message ``to``, in this chat."""
        assert to.message_id is not None, "that message never arrived"
        original = {
            "message_id": to.message_id,
            "date": NOW,
            "chat": self.chat,
            "from": BOT_USER,
            "text": plain(to.text),
        }
        return await self._process({"message": self.message(text=text, reply_to_message=original)})

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
        if text.startswith("/"):
            length = len(text.split()[0])
            edited["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
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
        on: Sent | None = None,
    ) -> list[Sent]:
        """Press a button with any callback data (also stale or forged ones).

        ``on`` is the bot message that shows the button (its text and keyboard come
        along, as Telegram sends them); without it, a message with no keyboard.
        """
        message: dict[str, Any] = {
            "message_id": next(_message_ids),
            "date": NOW,
            "chat": self.chat,
            "from": BOT_USER,
            "text": "…",
        }
        if on is not None:
            assert on.message_id is not None, "that message never arrived"
            message.update(message_id=on.message_id, text=plain(on.text) or "…")
            if isinstance(_markup(on.params), dict) and _markup(on.params):
                message["reply_markup"] = _markup(on.params)
            if on.params.get("message_thread_id") is not None:  # a card in its topic
                message.update(message_thread_id=on.params["message_thread_id"])
                message["is_topic_message"] = True
        query = {
            "id": str(next(_update_ids)),
            "from": from_user or self.user,
            "chat_instance": "instance",
            "data": data,
            "message": message,
        }
        return await self._process({"callback_query": query}, update_id)

    async def tap_on(self, message: Sent, label_part: str) -> list[Sent]:
        """Press the button of ``message`` whose label contains ``label_part``."""
        return await self.press(message.data(label_part), on=message)

    def toast(self) -> str | None:
        """Text of the last answerCallbackQuery, if any."""
        answers = self.request.sent("answerCallbackQuery")
        return answers[-1].get("text") if answers else None


class GroupChat(PrivateChat):
    """One member writing in a group (the staff supergroup): the chat is the group's."""

    def __init__(
        self,
        app: Application,  # type: ignore[type-arg]
        request: RecordingRequest,
        chat_id: int,
        user_id: int,
        first_name: str,
        language_code: str | None = "nl",
        username: str | None = None,
        settle: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        assert chat_id < 0, "group chat ids are negative"
        super().__init__(
            app,
            request,
            user_id,
            first_name,
            language_code,
            chat_id=chat_id,
            username=username,
            settle=settle,
        )

    thread_id: int | None = None
    """The forum topic this member writes in (None: the group itself, or General)."""

    def in_topic(self, thread_id: int) -> GroupChat:
        """The same member writing in a topic of the (forum) group."""
        there = copy.copy(self)
        there.chat = {**self.chat, "is_forum": True}
        there.thread_id = thread_id
        return there

    def message(self, **fields: Any) -> dict[str, Any]:
        message = super().message(**fields)
        if self.thread_id is not None:
            # as Telegram sends it: in the topic, "replying" to its creation unless to another
            created = {
                "message_id": self.thread_id,
                "date": NOW,
                "chat": self.chat,
                "from": BOT_USER,
                "forum_topic_created": {"name": "…", "icon_color": 7322096},
                "message_thread_id": self.thread_id,
                "is_topic_message": True,
            }
            message.update(message_thread_id=self.thread_id, is_topic_message=True)
            message.setdefault("reply_to_message", created)
        return message


def message_update(text: str, user_id: int = 1001) -> dict[str, Any]:
    """A whole update of ``text`` typed by ``user_id`` in their private chat, as Telegram
    delivers it (for webhooks, queues and benchmarks, where no PrivateChat drives it)."""
    user = {"id": user_id, "is_bot": False, "first_name": "Anna", "language_code": "nl"}
    fields: dict[str, Any] = {
        "message_id": new_update_id(),
        "date": 1_780_000_000,
        "chat": chat_dict(user_id),
        "from": user,
        "text": text,
    }
    if text.startswith("/"):
        length = len(text.split()[0])
        fields["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"update_id": new_update_id(), "message": fields}


def press_update(data: str, user_id: int = 1001) -> dict[str, Any]:
    """A whole update of ``user_id`` pressing a button with ``data``."""
    user = {"id": user_id, "is_bot": False, "first_name": "Anna", "language_code": "nl"}
    on = {"message_id": 1, "date": 1_780_000_000, "chat": chat_dict(user_id), "from": BOT_USER}
    query = {"id": str(new_update_id()), "from": user, "chat_instance": "i", "data": data}
    return {"update_id": new_update_id(), "callback_query": {**query, "message": on}}
