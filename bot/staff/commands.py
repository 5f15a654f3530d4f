"""Staff commands, in a private chat with the bot or in the staff chat.

Every command checks staff rights at the moment of use; anyone else gets one neutral
line and learns nothing (not whether a reference exists, not a count, not a name).
"""

from __future__ import annotations

from telegram import Bot, Update
from telegram.ext import ContextTypes

from bot.staff import cards
from bot.staff.actions import change_status, erase_prompt, reply_to_pitcher
from bot.staff.callbacks import Page, encode
from bot.staff.cards import status_text
from bot.staff.export import ChatExport
from bot.staff.team import Team, refuse, stop
from bot.threads import find_reference
from bot.updates import command_of
from dialogs.replies import Button, Reply, text
from storage.models import SENT_STATUSES

STAFF_COMMANDS = (
    "new",
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


def usage(command: str) -> Reply:
    return Reply((text(f"staff_usage_{command}", statuses=", ".join(SENT_STATUSES)),))


async def new_page(
    team: Team, *, after_id: int | None = None, before_id: int | None = None
) -> Reply:
    """Ten new pitches, oldest first, with previous/next buttons (keyset paging)."""
    page = await team.desk.new_page(after_id=after_id, before_id=before_id)
    paging: list[Button] = []
    if page.pitches and page.has_previous:
        paging.append(
            Button(text("staff_button_previous"), encode(Page(page.pitches[0].id, forward=False)))
        )
    if page.pitches and page.has_next:
        paging.append(
            Button(text("staff_button_next"), encode(Page(page.pitches[-1].id, forward=True)))
        )
    return cards.listing(
        text("staff_new_title"), page.pitches, team.flow, text("staff_new_empty"), tuple(paging)
    )


class StaffCommands:
    """One method per command; each returns the replies for the member who asked."""

    def __init__(self, team: Team) -> None:
        self.team = team
        self.export = ChatExport(team)

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Check rights now, run the command, and keep the update from the pitch flow."""
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        if message is None or chat is None or user is None:
            raise stop()
        command = command_of(message)
        if command is None or not await self.team.admit(context.bot, update):
            await self.team.say(context.bot, chat, user, refuse())
            raise stop()
        if command.name == "export":
            await self.export.run(context.bot, chat, user, command.argument)
            raise stop()
        language = self.team.language(chat, user)
        reply = await self.run(context.bot, command.name, command.argument, user.id, language)
        await self.team.say(context.bot, chat, user, reply)
        raise stop()

    async def run(self, bot: Bot, name: str, argument: str, actor_id: int, language: str) -> Reply:
        team = self.team
        reference = find_reference(argument.split(maxsplit=1)[0]) if argument.split() else None
        rest = argument.split(maxsplit=1)[1].strip() if len(argument.split(maxsplit=1)) > 1 else ""
        match name:
            case "new":
                return await new_page(team)
            case "pitches":
                return await self._pitches(argument)
            case "stats":
                return await self._stats()
            case "staffhelp":
                return Reply((text("staff_help"),))
        if reference is None:
            return usage(name)
        file = await team.desk.file(reference=reference)
        if file is None:
            return Reply((text("staff_not_found"),))
        pitch = file.pitch
        match name:
            case "pitch":
                return cards.full(file, team.flow, language)
            case "status" if rest.lower() in SENT_STATUSES:
                return await change_status(team, bot, pitch.id, rest.lower(), actor_id)
            case "assign":
                return await self._assign(bot, pitch.id, pitch.reference or "", rest, actor_id)
            case "note" if rest:
                await team.desk.note(pitch.id, rest, actor_id)
                return Reply((text("staff_noted", reference=pitch.reference or ""),))
            case "reply" if rest:
                return await reply_to_pitcher(team, bot, pitch.id, rest, actor_id)
            case "erase":
                return await erase_prompt(team, pitch.reference or "")
        return usage(name)

    async def _pitches(self, argument: str) -> Reply:
        statuses = [w.lower() for w in argument.split() if w.lower() in SENT_STATUSES]
        words = [w for w in argument.split() if w.lower() not in SENT_STATUSES]
        pitches, more = await self.team.desk.search(statuses or None, words)
        title = text(
            "staff_search_title",
            statuses=", ".join(statuses) or "–",
            words=" ".join(words) or "–",
        )
        return cards.listing(title, pitches, self.team.flow, text("staff_search_empty"), more=more)

    async def _assign(
        self, bot: Bot, pitch_id: int, reference: str, target: str, actor_id: int
    ) -> Reply:
        target = target.strip()
        if target in ("", "me"):
            staff_id, name = actor_id, None
        else:
            member = await self.team.desk.staff_member(target)
            if member is None or not await self.team.gate.is_staff(bot, member.telegram_user_id):
                return Reply((text("staff_unknown_member", username=target),))
            staff_id, name = member.telegram_user_id, cards.who(member, member.telegram_user_id)
        await self.team.desk.assign(pitch_id, staff_id, actor_id)
        if name is None:
            file = await self.team.desk.file(pitch_id=pitch_id)
            name = cards.who(file.names.get(staff_id) if file else None, staff_id)
        return Reply((text("staff_assigned", reference=reference, name=name),))

    async def _stats(self) -> Reply:
        stats = await self.team.desk.stats()
        blocks = [text("staff_stats_title")]
        blocks += [
            text("staff_stats_status", status=status_text(status), count=count)
            for status, count in stats.per_status.items()
        ]
        blocks.append(text("staff_stats_week", count=stats.new_this_week))
        if stats.median_first_reply is None:
            blocks.append(text("staff_stats_median_none"))
        else:
            blocks.append(
                text("staff_stats_median", duration=cards.duration(stats.median_first_reply))
            )
        return Reply(tuple(blocks))
