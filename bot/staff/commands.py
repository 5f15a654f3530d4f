"""Staff commands, in a private chat with the bot or in the staff chat.

Every command checks staff rights at the moment of use; anyone else gets one neutral
line and learns nothing (not whether a reference exists, not a count, not a name). Each
command is one small method: parse the argument, call the use case (one unit of work),
render what it returns.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from telegram import Bot, Chat, Update, User
from telegram.ext import ContextTypes

from bot.staff import cards
from bot.staff.actions import Actions
from bot.staff.export import ChatExport
from bot.staff.team import Team, refuse, stop
from bot.threads import thread_of
from bot.updates import command_of
from dialogs.replies import Reply, text
from dialogs.threads import find_reference
from services.outcomes import Actor, Gone, Repeated
from services.statuses import status_text
from storage.members import StaffName
from storage.models import SENT_STATUSES


@dataclass(frozen=True)
class Asked:
    """One staff command as typed: who, where, and its argument split once."""

    bot: Bot
    chat: Chat
    user: User
    actor: Actor
    language: str
    argument: str
    topic_reference: str | None = None
    """The pitch of the forum topic it was typed in: what it is about unless it names one."""

    @property
    def named(self) -> str | None:
        """The reference typed as its first word, if any."""
        words = self.argument.split(maxsplit=1)
        return find_reference(words[0]) if words else None

    @property
    def reference(self) -> str | None:
        return self.named or self.topic_reference

    @property
    def rest(self) -> str:
        """What follows the pitch's reference (all of it when the topic names the pitch)."""
        if self.named is None:
            return self.argument.strip() if self.topic_reference else ""
        words = self.argument.split(maxsplit=1)
        return words[1].strip() if len(words) > 1 else ""


ABOUT_ONE_PITCH = frozenset({"pitch", "status", "assign", "note", "reply", "erase"})
"""Commands that act on one pitch: in its forum topic, its reference may be left out."""


def usage(command: str) -> Reply:
    return Reply((text(f"staff_usage_{command}", statuses=", ".join(SENT_STATUSES)),))


class StaffCommands:
    """One method per command; each returns the replies for the member who asked."""

    def __init__(self, team: Team, actions: Actions) -> None:
        self.team = team
        self.actions = actions
        self.export = ChatExport(team)
        self.commands: dict[str, Callable[[Asked], Awaitable[Reply | None]]] = {
            "new": self.new,
            "mine": self.mine,
            "waiting": self.waiting,
            "pitches": self.pitches,
            "pitch": self.pitch,
            "status": self.status,
            "assign": self.assign,
            "note": self.note,
            "reply": self.reply,
            "stats": self.stats,
            "export": self.run_export,
            "erase": self.erase,
            "staffhelp": self.staffhelp,
        }

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Check rights now, run the command, and keep the update from the pitch flow."""
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        if message is None or chat is None or user is None:
            raise stop()
        command = command_of(message)
        actor = await self.team.admit(context.bot, update)
        if command is None or actor is None:
            await self.team.say(context.bot, chat, user, refuse(), thread=thread_of(message))
            raise stop()
        language = self.team.language(chat, user)
        asked = Asked(context.bot, chat, user, actor, language, command.argument)
        if actor.topic is not None and command.name in ABOUT_ONE_PITCH and asked.named is None:
            # typed in a pitch's topic without a reference: about that pitch
            topic_reference = await self.team.desk.topic_pitch(actor.topic)
            asked = replace(asked, topic_reference=topic_reference)
        try:
            reply = await self.commands[command.name](asked)
        except Repeated:
            raise stop() from None  # handled before Telegram redelivered it
        except Gone as gone:  # the pitch was erased: say when and why, nothing more
            reply = Reply((cards.tombstone(gone.tombstone),))
        if reply is not None:
            await self.team.say(context.bot, chat, user, reply, thread=actor.topic)
        raise stop()

    async def new(self, asked: Asked) -> Reply | None:
        return await self.actions.new_page(asked.actor)

    async def pitches(self, asked: Asked) -> Reply:
        statuses, other = self.team.statuses.pick(asked.argument.split())
        found = await self.team.desk.search(asked.actor, statuses or None, other)
        title = text(
            "staff_search_title", statuses=", ".join(statuses) or "–", words=" ".join(other) or "–"
        )
        empty = text("staff_search_empty")
        return cards.listing(
            title, found.items, self.team.flow, empty, found.names, more=found.more
        )

    async def mine(self, asked: Asked) -> Reply:
        found = await self.team.desk.mine(asked.actor)
        title, empty = text("staff_mine_title"), text("staff_mine_empty")
        return cards.listing(
            title, found.items, self.team.flow, empty, found.names, more=found.more
        )

    async def waiting(self, asked: Asked) -> Reply:
        found = await self.team.desk.waiting(asked.actor)
        now = self.team.desk.clock()
        notes = [
            text(f"staff_waiting_{w.why}", duration=cards.duration(now - w.since))
            for w in found.items
        ]
        title, empty = text("staff_waiting_title"), text("staff_waiting_empty")
        pitches = [w.pitch for w in found.items]
        return cards.listing(
            title, pitches, self.team.flow, empty, found.names, more=found.more, notes=notes
        )

    async def pitch(self, asked: Asked) -> Reply:
        if asked.reference is None:
            return usage("pitch")
        shown = await self.actions.show(
            asked.bot, asked.actor, asked.reference, asked.chat, asked.user
        )
        return shown if shown is not None else Reply((text("staff_not_found"),))

    async def status(self, asked: Asked) -> Reply:
        status = self.team.statuses.find(asked.rest)
        if asked.reference is None or status is None:
            return usage("status")
        reply, _ = await self.actions.set_status(asked.bot, asked.actor, asked.reference, status)
        return reply

    async def assign(self, asked: Asked) -> Reply:
        if asked.reference is None:
            return usage("assign")
        target = asked.rest
        staff_id = asked.actor.person.user_id
        if target not in ("", "me"):
            called = await self.team.desk.members_called(target)
            gate = self.team.gate
            staff = [m for m in called if await gate.is_staff(asked.bot, m.telegram_user_id)]
            if len(staff) != 1:
                await self.team.desk.seen(asked.actor)
                if not staff:
                    return Reply((text("staff_unknown_member", username=target),))
                names = ", ".join(_named(member) for member in staff)
                return Reply((text("staff_member_ambiguous", name=target, names=names),))
            staff_id = staff[0].telegram_user_id
        return await self.actions.assign(asked.bot, asked.actor, asked.reference, staff_id)

    async def note(self, asked: Asked) -> Reply:
        if asked.reference is None or not asked.rest:
            return usage("note")
        return await self.actions.note(asked.bot, asked.actor, asked.reference, asked.rest)

    async def reply(self, asked: Asked) -> Reply:
        if asked.reference is None or not asked.rest:
            return usage("reply")
        return await self.actions.reply(asked.bot, asked.actor, asked.reference, asked.rest)

    async def stats(self, asked: Asked) -> Reply:
        stats = await self.team.desk.stats(asked.actor)
        blocks = [text("staff_stats_title")]
        blocks += [
            text("staff_stats_status", status=status_text(status), count=count)
            for status, count in stats.per_status.items()
        ]
        if stats.erased:
            blocks.append(text("staff_stats_erased", count=stats.erased))
        blocks.append(text("staff_stats_week", count=stats.new_this_week))
        blocks.append(
            text("staff_stats_open", unanswered=stats.unanswered, unassigned=stats.unassigned)
        )
        if stats.median_first_reply is None:
            blocks.append(text("staff_stats_median_none"))
        else:
            median = cards.duration(stats.median_first_reply)
            blocks.append(text("staff_stats_median", duration=median, answered=stats.answered))
        return Reply(tuple(blocks))

    async def run_export(self, asked: Asked) -> None:
        await self.team.desk.seen(asked.actor)
        await self.export.run(
            asked.bot, asked.chat, asked.user, asked.argument, thread=asked.actor.topic
        )

    async def erase(self, asked: Asked) -> Reply:
        if asked.reference is None:
            return usage("erase")
        return await self.actions.erase_prompt(asked.actor, asked.reference)

    async def staffhelp(self, asked: Asked) -> Reply:
        await self.team.desk.seen(asked.actor)
        return Reply((text("staff_help"),))


def _named(member: StaffName) -> str:
    """ "Jonas (@jonas_v)": enough to tell two people of one first name apart."""
    shown = member.first_name or str(member.telegram_user_id)
    return f"{shown} (@{member.username})" if member.username else shown
