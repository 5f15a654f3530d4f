"""The `pitchbot` command: run the bot, chat in the terminal, export, and operate it
(check, db, backup, purge)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError
from telegram import Bot, Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

from bot.app import build_application
from bot.inbox import Inbox
from bot.instances import ANOTHER_INSTANCE, OneInstance
from bot.logs import secrets_of, setup_logging
from bot.settings import Settings
from bot.webhook import HEALTH_PATH, Webhook, serve
from cli.backup import backup
from cli.check import FAIL, Check, check
from cli.console import run_console
from cli.db import DatabaseUnreachable, current, history
from cli.lock import AnotherProcess, one_process_per_file
from cli.purge import purge
from dialogs.catalog import Catalog
from dialogs.flow import Flow, FlowError, load_flow
from dialogs.privacy import PrivacyTerms
from services.conversation import Conversations
from services.export_options import add_export_arguments, options_from_arguments
from services.exporting import ExportError, Progress, export_to_path, write_csv
from services.received import Received
from storage.database import Database, create_database, is_sqlite, shown_url
from storage.migrate import pending, upgrade

log = logging.getLogger("pitchbot")

EXIT_USAGE = 2
EXIT_ANOTHER_INSTANCE = 3

NO_TOKEN = """TELEGRAM_BOT_TOKEN is not set, so pitchbot cannot talk to Telegram.
Get a token from @BotFather in Telegram (send /newbot), then put it in .env:
    TELEGRAM_BOT_TOKEN=123456:ABC...
or try the conversation without Telegram: pitchbot chat"""


class StartupError(Exception):
    """A problem an operator fixes in configuration; printed without a traceback."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pitchbot",
        description="Pitch ons je idee en we denken er samen op door. "
        "Without a command: run on Telegram if TELEGRAM_BOT_TOKEN is set, "
        "otherwise chat in the terminal.",
    )
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="run the bot on Telegram (long polling)")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="take updates on a webhook (PITCHBOT_WEBHOOK_URL, _LISTEN, _PORT, _SECRET) "
        "instead of polling; several such workers may share a PostgreSQL database",
    )
    run.add_argument(
        "--replace-webhook",
        action="store_true",
        help="poll even though a webhook is set (it is deleted): only once no webhook "
        "worker runs any more",
    )
    commands.add_parser("chat", help="try the pitch conversation in the terminal, no token")
    add_export_arguments(
        commands.add_parser("export", help="write pitches to a CSV file or standard output")
    )
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply pending schema migrations")
    db_commands.add_parser("current", help="the schema's revision; exit 1 when behind")
    db_commands.add_parser("history", help="the migrations, newest first")
    checking = commands.add_parser(
        "check", help="settings, flow, database, schema, token, staff group; exit 1 on a FAIL"
    )
    checking.add_argument("--quiet", action="store_true", help="print failures only")
    copying = commands.add_parser(
        "backup", help="a checked copy of the SQLite database, safe while the bot runs"
    )
    copying.add_argument("file", type=Path, help="the copy to write")
    copying.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    purging = commands.add_parser(
        "purge",
        help="retention: delete stale drafts, erase pitchers of long-closed pitches (counts only)",
    )
    purging.add_argument(
        "--dry-run", action="store_true", help="count what would go, change nothing"
    )
    return parser


async def prepare_database(settings: Settings, *, migrate: bool) -> None:
    """Migrate (or, for a server database, check) the schema before the bot starts.

    The embedded SQLite default is migrated automatically; a PostgreSQL schema is changed
    only by an explicit `pitchbot db upgrade`, so a deploy never migrates by surprise.
    """
    database = create_database(settings.database_url)
    try:
        if migrate or is_sqlite(settings.database_url):
            await upgrade(database)
        elif await pending(database):
            raise StartupError(
                "the database schema is not up to date: run `pitchbot db upgrade` first"
            )
    finally:
        await database.dispose()


async def check_telegram(settings: Settings) -> str:
    """Say plainly when the token is wrong or the Bot API unreachable, before polling
    starts (python-telegram-bot would log a traceback and give up); the webhook's URL
    Telegram posts updates to ("" when none is set)."""
    assert settings.telegram_bot_token is not None
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.api_base_url,
        base_file_url=settings.file_base_url,
    )
    try:
        async with bot:  # initialising asks getMe
            return (await bot.get_webhook_info()).url
    except InvalidToken:
        raise StartupError(
            "Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather"
        ) from None
    except NetworkError as error:
        raise StartupError(
            f"cannot reach the Telegram Bot API at {settings.telegram_api_url}: {error}"
        ) from None


def _load(settings: Settings) -> tuple[Flow, Catalog]:
    try:
        return load_flow(settings.flow_file), Catalog.load()
    except FlowError as error:
        raise StartupError(str(error)) from None


def _run(settings: Settings, *, webhook: bool, replace_webhook: bool = False) -> int:
    if settings.telegram_bot_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return EXIT_USAGE
    if webhook:
        _webhook_settings(settings)
    flow, catalog = _load(settings)
    try:
        with one_process_per_file(settings.database_url):
            return _run_alone(settings, flow, catalog, webhook, replace_webhook)
    except AnotherProcess as error:
        print(f"pitchbot: {error}", file=sys.stderr)
        return EXIT_ANOTHER_INSTANCE


def _run_alone(
    settings: Settings, flow: Flow, catalog: Catalog, webhook: bool, replace_webhook: bool
) -> int:
    asyncio.run(prepare_database(settings, migrate=False))
    hooked = asyncio.run(check_telegram(settings))
    if hooked and not webhook and not replace_webhook:
        raise AnotherProcess(
            f"a webhook is set ({hooked}): Telegram posts the updates to webhook workers, "
            "so polling would get none. Stop the workers, then `pitchbot run "
            "--replace-webhook` deletes the webhook and polls"
        )
    database = create_database(settings.database_url)
    conversations = _conversations(settings, database, flow)
    inbox = Inbox(Received(database, conversations.clock))
    application = build_application(settings, conversations, catalog, inbox=inbox, webhook=webhook)
    mode = f"webhook {settings.webhook_url}" if webhook else "polling"
    group = settings.staff_chat_id or "none"
    log.info("pitchbot %s on %s, staff group %s", mode, shown_url(settings.database_url), group)
    if webhook:
        return _serve_webhook(settings, application, inbox, database)
    one = OneInstance(inbox)
    application.add_error_handler(one.on_error)
    # deletes the webhook first when asked to replace it (Telegram refuses polling then)
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    if one.conflict:
        print(f"pitchbot: {ANOTHER_INSTANCE}", file=sys.stderr)
        return EXIT_ANOTHER_INSTANCE
    return 0


def _conversations(settings: Settings, database: Database, flow: Flow) -> Conversations:
    """The conversations with this organisation's privacy terms."""
    terms = PrivacyTerms(
        contact=settings.privacy_contact or settings.organisation_contact,
        draft_days=settings.draft_retention_days,
        closed_days=settings.closed_retention_days,
    )
    return Conversations(
        database,
        flow,
        default_language=settings.default_language,
        terms=terms,
        draft_days=settings.draft_retention_days,
    )


def _webhook_settings(settings: Settings) -> None:
    missing = [
        name
        for name, value in (
            ("PITCHBOT_WEBHOOK_URL", settings.webhook_url),
            ("PITCHBOT_WEBHOOK_SECRET", settings.webhook_secret),
        )
        if value is None
    ]
    if missing:
        raise StartupError(
            f"webhook mode needs {' and '.join(missing)} (see .env.example); "
            "or run `pitchbot run` to poll instead"
        )
    if settings.webhook_path == HEALTH_PATH:
        raise StartupError(f"PITCHBOT_WEBHOOK_URL: the path {HEALTH_PATH} is the health check's")


def _serve_webhook(
    settings: Settings,
    application: Application,  # type: ignore[type-arg]
    inbox: Inbox,
    database: Database,
) -> int:
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    hook = Webhook(
        application,
        inbox,
        database,
        path=settings.webhook_path,
        secret=settings.webhook_secret.get_secret_value(),
    )
    listen, port = settings.webhook_listen, settings.webhook_port
    asyncio.run(serve(application, hook, url=settings.webhook_url, listen=listen, port=port))
    return 0


def _chat(settings: Settings) -> int:
    flow, catalog = _load(settings)

    async def chat() -> None:
        await prepare_database(settings, migrate=False)
        database = create_database(settings.database_url)
        try:
            conversations = _conversations(settings, database, flow)
            contact = settings.organisation_contact
            await run_console(conversations, catalog, documents=Path.cwd(), contact=contact)
        finally:
            await database.dispose()

    asyncio.run(chat())
    return 0


def _export(settings: Settings, args: argparse.Namespace) -> int:
    """`pitchbot export`: rows go to the file or stdout; everything said goes to stderr,
    except the closing count when the rows went to a file."""
    flow = _load(settings)[0]
    target = None if args.output == "-" else Path(args.output)
    try:
        options = options_from_arguments(args, default_language=settings.default_language)
        if target is not None and not target.parent.is_dir():
            raise ExportError("cannot_write", f"cannot write {target}: no folder {target.parent}")
    except ExportError as error:
        raise StartupError(str(error)) from None
    progress = _progress() if sys.stderr.isatty() else None

    async def export() -> int:
        await prepare_database(settings, migrate=False)
        database = create_database(settings.database_url)
        try:
            if target is not None:
                return await export_to_path(database, flow, options, target, progress=progress)
            sys.stdout.flush()
            return await write_csv(database, flow, options, sys.stdout.buffer, progress=progress)
        finally:
            await database.dispose()

    try:
        count = asyncio.run(export())
    except ExportError as error:
        raise StartupError(str(error)) from None
    except BrokenPipeError:
        return _reader_left()
    finally:
        if progress is not None:
            print(file=sys.stderr)  # end the progress line
    done = f"{count} {'pitch' if count == 1 else 'pitches'} exported to"
    if target is None:
        print(f"{done} standard output", file=sys.stderr)
    else:
        print(f"{done} {target}")
    return 0


def _db(settings: Settings, command: str) -> int:
    try:
        if command == "current":
            return current(settings)
        if command == "history":
            return history(settings)
    except DatabaseUnreachable as error:
        raise StartupError(str(error)) from None
    except BrokenPipeError:
        return _reader_left()
    asyncio.run(prepare_database(settings, migrate=True))
    print(f"database {shown_url(settings.database_url)} is migrated to the newest schema")
    return 0


def _reader_left() -> int:
    """The reader stopped early (`pitchbot export | head`): leave quietly, as `cat` does,
    and keep Python from complaining when it flushes stdout at exit."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1


def _progress() -> Progress:
    """A count on one terminal line, rewritten after every batch."""

    def show(count: int) -> None:
        print(f"\r{count} pitches exported…", end="", file=sys.stderr, flush=True)

    return show


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        if args.command == "check":  # one FAIL line each, and exit 1 like any failed check
            for problem in Settings.problems(error):
                print(Check(FAIL, "settings", problem).line())
            return 1
        for problem in Settings.problems(error):
            print(f"pitchbot: {problem}", file=sys.stderr)
        return EXIT_USAGE
    token = settings.telegram_bot_token
    chatting = args.command == "chat" or (args.command is None and token is None)
    quiet = chatting or args.command in ("export", "check", "backup", "db", "purge")
    hook_secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    setup_logging(
        *secrets_of(token.get_secret_value() if token else None),
        *((hook_secret,) if hook_secret else ()),
        level=settings.log_level,
        form=settings.log_format,
        quiet=quiet,
    )
    try:
        if args.command == "export":
            return _export(settings, args)
        if args.command == "db":
            return _db(settings, args.db_command)
        if args.command == "check":
            return check(settings, quiet=args.quiet)
        if args.command == "backup":
            return backup(settings, args.file, force=args.force)
        if args.command == "purge":
            asyncio.run(prepare_database(settings, migrate=False))
            return purge(settings, dry_run=args.dry_run)
        if chatting:
            if args.command is None:
                print("No TELEGRAM_BOT_TOKEN set: starting the terminal chat.")
                print("(Set it and use `pitchbot run` to run on Telegram.)")
            return _chat(settings)
        return _run(
            settings,
            webhook=getattr(args, "webhook", False),
            replace_webhook=getattr(args, "replace_webhook", False),
        )
    except StartupError as error:
        print(f"pitchbot: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
