"""`pitchbot check`: is everything in place to run? One line per check, ``ok``, ``FAIL``
or ``skip`` and a short detail; fast enough for a container's health check.

Every network question has a timeout of a few seconds. The token is never printed:
Telegram errors are reduced to their message, and every line is scrubbed of it anyway.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from telegram import Bot, ChatMember, ChatMemberRestricted
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.request import BaseRequest, HTTPXRequest

from bot.settings import Settings
from bot.staff.topics import may_manage_topics
from dialogs.catalog import Catalog, CatalogError
from dialogs.flow import FlowError, load_flow
from storage.database import create_database, is_sqlite, shown_url, sqlite_file
from storage.health import DatabaseProblem, ping, schema
from storage.migrate import SchemaState

OK, FAIL, SKIP = "ok", "FAIL", "skip"
TIMEOUT = 5.0
"""Seconds each network check may take."""
NO_TOPIC_RIGHTS = "make the bot an administrator with 'Manage topics'"


@dataclass(frozen=True)
class Check:
    outcome: str
    """``ok``, ``FAIL`` or ``skip``."""
    name: str
    detail: str

    def line(self) -> str:
        return f"{self.outcome:<4}  {self.name:<12}  {self.detail}"


def telegram_request(timeout: float) -> BaseRequest:
    """The Bot API connection for the checks (tests put an offline one in its place)."""
    return HTTPXRequest(
        connection_pool_size=1,
        connect_timeout=timeout,
        read_timeout=timeout,
        write_timeout=timeout,
        pool_timeout=timeout,
    )


def check(settings: Settings, *, quiet: bool = False, timeout: float = TIMEOUT) -> int:
    """Run every check and print its line (with ``quiet``, failures only): 1 if any failed."""
    # the library logs a traceback when an answer is not the Bot API's: the line says it
    library = logging.getLogger("telegram")
    level = library.level
    library.setLevel(logging.CRITICAL)
    try:
        checks = asyncio.run(run_checks(settings, timeout))
    finally:
        library.setLevel(level)
    token = settings.telegram_bot_token
    secret = token.get_secret_value() if token is not None else ""
    for found in checks:
        if not quiet or found.outcome == FAIL:
            line = found.line()
            print(line.replace(secret, "[redacted]") if secret else line)
    return 1 if any(found.outcome == FAIL for found in checks) else 0


async def run_checks(settings: Settings, timeout: float = TIMEOUT) -> list[Check]:
    source = "environment and .env" if Path(".env").is_file() else "environment"
    return [
        Check(OK, "settings", f"valid ({source})"),  # main() stops before this otherwise
        _flow(settings),
        *await _database(settings, timeout),
        *await _telegram(settings, timeout),
    ]


def _flow(settings: Settings) -> Check:
    try:
        flow = load_flow(settings.flow_file)
        Catalog.load()
    except (FlowError, CatalogError) as error:
        return Check(FAIL, "flow", str(error))
    source = settings.flow_file or "built-in"
    return Check(OK, "flow", f"{len(flow.questions)} questions ({source})")


async def _database(settings: Settings, timeout: float) -> list[Check]:
    url = settings.database_url
    on_sqlite = is_sqlite(url)
    file = sqlite_file(url)
    if file is not None and not file.exists():
        # not created here: the bot makes (and migrates) it at start
        if not file.parent.is_dir():
            missing = Check(FAIL, "database", f"no folder {file.parent} for the SQLite file")
            return [missing, Check(SKIP, "migrations", "no database")]
        return [
            Check(SKIP, "database", f"no file {file} yet: created at start"),
            Check(SKIP, "migrations", "applied at start (SQLite)"),
        ]
    database = create_database(url)
    try:
        try:
            await ping(database, timeout)
        except DatabaseProblem as problem:
            failed = Check(FAIL, "database", f"{shown_url(url)}: {problem}")
            return [failed, Check(SKIP, "migrations", "database unreachable")]
        reached = Check(OK, "database", f"{shown_url(url)} reachable")
        try:
            state = await schema(database, timeout)
        except DatabaseProblem as problem:
            return [reached, Check(FAIL, "migrations", str(problem))]
        return [reached, _migrations(state, on_sqlite)]
    finally:
        await database.dispose()


def _migrations(state: SchemaState, on_sqlite: bool) -> Check:
    if state.unknown:
        unknown = ", ".join(state.unknown)
        return Check(FAIL, "migrations", f"at {unknown}, unknown here: a newer pitchbot?")
    if state.at_head:
        return Check(OK, "migrations", f"at head ({', '.join(state.current)})")
    pending = f"{len(state.pending)} migration(s) pending"
    if on_sqlite:
        return Check(SKIP, "migrations", f"{pending}: upgraded at start (SQLite)")
    return Check(FAIL, "migrations", f"{pending}: run `pitchbot db upgrade`")


async def _telegram(settings: Settings, timeout: float) -> list[Check]:
    if settings.telegram_bot_token is None:
        return [
            Check(FAIL, "token", "TELEGRAM_BOT_TOKEN not set (the terminal chat needs none)"),
            Check(SKIP, "staff group", "needs the token"),
        ]
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.api_base_url,
        base_file_url=settings.file_base_url,
        request=telegram_request(timeout),
        get_updates_request=telegram_request(timeout),
    )
    try:
        async with bot:  # initialising asks getMe
            me = Check(OK, "token", f"@{bot.username} (id {bot.id})")
            hook = await _webhook(bot, settings)
            return [me, hook, *await _staff_group(bot, settings.staff_chat_id)]
    except InvalidToken:  # its message repeats the token
        said = (
            "rejected by Telegram: check TELEGRAM_BOT_TOKEN with @BotFather (and that "
            "PITCHBOT_TELEGRAM_API_URL is the Bot API's root, with no /bot at the end)"
        )
        token = Check(FAIL, "token", said)
    except NetworkError as error:
        said = f"cannot reach the Bot API at {settings.telegram_api_url}: {error.message}"
        token = Check(FAIL, "token", said)
    except TelegramError as error:
        token = Check(FAIL, "token", error.message)
    return [token, Check(SKIP, "staff group", "needs a working token")]


async def _webhook(bot: Bot, settings: Settings) -> Check:
    """Where Telegram delivers updates, against the mode these settings run in: a webhook
    left set makes a polling bot deaf; one set elsewhere starves the workers."""
    wanted = settings.webhook_url
    if wanted is not None and settings.webhook_secret is None:
        return Check(FAIL, "webhook", "PITCHBOT_WEBHOOK_SECRET not set: webhook mode needs it")
    try:
        info = await bot.get_webhook_info()
    except TelegramError as error:
        return Check(FAIL, "webhook", error.message)
    problem = (
        f"; last delivery failed: {info.last_error_message}" if info.last_error_message else ""
    )
    waiting = f"{info.pending_update_count} update(s) waiting"
    if wanted is None and info.url:
        said = (
            f"set to {info.url} ({waiting}): webhook workers get the updates, `pitchbot run` "
            "refuses to poll (stop them, then `pitchbot run --replace-webhook`)"
        )
        return Check(FAIL, "webhook", said)
    if wanted is None:
        return Check(OK, "webhook", f"none: polling ({waiting})")
    if not info.url:
        return Check(SKIP, "webhook", "not set yet: `pitchbot run --webhook` sets it")
    if info.url != wanted:
        return Check(FAIL, "webhook", f"Telegram posts to {info.url}, not {wanted}")
    outcome = FAIL if problem else OK
    return Check(outcome, "webhook", f"{info.url} ({waiting}{problem})")


async def _staff_group(bot: Bot, chat_id: int | None) -> list[Check]:
    if chat_id is None:
        return [Check(SKIP, "staff group", "PITCHBOT_STAFF_CHAT_ID not set")]
    try:
        chat = await bot.get_chat(chat_id)
    except TelegramError as error:
        said = f"{chat_id}: {error.message} (is the bot in the group, is the id right?)"
        return [Check(FAIL, "staff group", said), Check(SKIP, "staff rights", "no group")]
    kind = f"{chat.type}, forum" if chat.is_forum else chat.type
    group = Check(OK, "staff group", f"{chat.title or chat_id} ({kind}, {chat_id})")
    try:
        member = await bot.get_chat_member(chat_id, bot.id)
    except TelegramError as error:
        return [group, Check(FAIL, "staff rights", error.message)]
    return [group, _rights(member, forum=bool(chat.is_forum))]


def _rights(member: ChatMember, *, forum: bool) -> Check:
    if not may_post(member):
        fix = "let it send messages" if member.status == ChatMember.RESTRICTED else "add it"
        return Check(FAIL, "staff rights", f"the bot may not post ({member.status}): {fix}")
    if forum and not may_manage_topics(member):
        said = f"the bot may not manage topics ({member.status}): {NO_TOPIC_RIGHTS}"
        return Check(FAIL, "staff rights", said)
    rights = "may post and manage topics" if forum else "may post"
    return Check(OK, "staff rights", f"{member.status}: {rights}")


def may_post(member: ChatMember) -> bool:
    """Whether a member of a group (the bot) may send messages there."""
    if isinstance(member, ChatMemberRestricted):
        return member.is_member and member.can_send_messages
    return member.status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER)
