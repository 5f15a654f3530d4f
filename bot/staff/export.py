"""`/export` for staff: the CSV as a Telegram document, zipped when it is too big.

The file is written by the same code as `pitchbot export`, streamed in batches, so the
bot keeps answering others while it runs; it lives in a private temporary folder that
is removed once the document is sent.
"""

from __future__ import annotations

import asyncio
import shlex
import tempfile
from pathlib import Path

from telegram import Bot, Chat, User
from telegram.error import BadRequest, Forbidden

from bot.render import render_text
from bot.staff.team import Team
from dialogs.replies import Reply, text
from services.exporting import (
    TELEGRAM_DOCUMENT_LIMIT,
    ExportError,
    ExportOptions,
    export_to_path,
    file_name,
    parse_export_command,
    zip_file,
)

DOCUMENT_LIMIT = TELEGRAM_DOCUMENT_LIMIT
"""Bytes Telegram accepts for a document sent by a bot."""


def cli_equivalent(options: ExportOptions) -> str:
    """The `pitchbot export` command that writes the same file on the server."""
    words = ["pitchbot", "export"]
    for status in options.statuses:
        words += ["--status", status]
    if options.since:
        words += ["--since", options.since.isoformat()]
    if options.until:
        words += ["--until", options.until.isoformat()]
    flags = {
        "--include-drafts": options.include_drafts,
        "--anonymous": options.anonymous,
        "--excel": options.excel,
    }
    words += [flag for flag, on in flags.items() if on]
    words += ["--language", options.language, "-o", "pitches.csv"]
    return shlex.join(words)


class ChatExport:
    """Runs one export for a staff member and sends the result to their chat."""

    def __init__(self, team: Team) -> None:
        self.team = team

    async def run(
        self, bot: Bot, chat: Chat, user: User, argument: str, thread: int | None = None
    ) -> None:
        """``thread``: the forum topic it was asked in, where its answers go."""
        team = self.team
        language = team.language(chat, user)
        try:
            statuses, rest = team.statuses.pick(argument.split())  # "nieuw" as well as "new"
            options = parse_export_command([*statuses, *rest], language=language)
        except ExportError as error:
            reason = text(f"export_error_{error.problem}", **error.values)
            await team.say(bot, chat, user, Reply((reason, text("export_usage"))), thread=thread)
            return
        with tempfile.TemporaryDirectory(prefix="pitchbot-export-") as folder:
            path = Path(folder) / file_name(options, team.desk.clock().date())
            count = await export_to_path(team.desk.database, team.flow, options, path)
            if path.stat().st_size > DOCUMENT_LIMIT:
                path = await asyncio.to_thread(zip_file, path)
                if path.stat().st_size > DOCUMENT_LIMIT:
                    command = cli_equivalent(options)
                    too_big = Reply((text("export_too_big", command=command),))
                    await team.say(bot, chat, user, too_big, thread=thread)
                    return
            # the file holds contact details: from the group it goes to the member privately
            target = user.id if team.in_group(chat) else chat.id
            shown = team.own_language(user) if team.in_group(chat) else language
            caption = render_text(team.catalog, shown, text("export_done", count=count))
            try:
                with path.open("rb") as document:
                    await bot.send_document(target, document, filename=path.name, caption=caption)
            except (Forbidden, BadRequest):
                if not team.in_group(chat):
                    raise
                await team.say(bot, chat, user, Reply((team.open_private(bot),)), thread=thread)
                return
        if team.in_group(chat):
            await team.say(bot, chat, user, Reply((text("export_sent_privately"),)), thread=thread)
