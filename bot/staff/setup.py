"""Wiring the team's side into the application: one registration function."""

from __future__ import annotations

from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.staff.actions import Actions
from bot.staff.buttons import StaffButtons
from bot.staff.callbacks import is_staff_data
from bot.staff.commands import StaffCommands
from bot.staff.menus import STAFF_COMMANDS
from bot.staff.team import Team

STAFF_GROUP = -1
"""Staff handlers run before the pitch conversation and stop it when they handle."""


def register_staff(
    application: Application,  # type: ignore[type-arg]
    team: Team,
    retry_seconds: float,
) -> None:
    place: filters.BaseFilter = filters.ChatType.PRIVATE
    if team.staff_chat_id is not None:
        place = place | filters.Chat(team.staff_chat_id)
    actions = Actions(team)
    commands, buttons = StaffCommands(team, actions), StaffButtons(team, actions)
    # new messages only: editing "/note P-2026-0042 …" must not add a second note
    fresh = place & filters.UpdateType.MESSAGE
    application.add_handler(
        CommandHandler(STAFF_COMMANDS, commands.on_command, filters=fresh), STAFF_GROUP
    )
    application.add_handler(
        CallbackQueryHandler(buttons.on_press, pattern=is_staff_data), STAFF_GROUP
    )
    application.add_handler(
        MessageHandler(filters.REPLY & filters.TEXT & ~filters.COMMAND & place, buttons.on_reply),
        STAFF_GROUP,
    )
    if team.staff_chat_id is not None:
        gate, staff_chat = team.gate, filters.Chat(team.staff_chat_id)
        application.add_handler(
            ChatMemberHandler(gate.on_chat_member, ChatMemberHandler.CHAT_MEMBER), STAFF_GROUP
        )
        application.add_handler(
            MessageHandler(staff_chat & filters.StatusUpdate.LEFT_CHAT_MEMBER, gate.on_member_left),
            STAFF_GROUP,
        )
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            team.notifier.retry_job, interval=retry_seconds, first=retry_seconds
        )
