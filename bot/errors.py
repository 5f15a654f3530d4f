"""When an update or a background job fails: the log, the person, and the team.

The failure is logged once, with its traceback. The person whose update failed is told,
truthfully, whether what they sent was kept, and asked to send it again in a minute when
the database could not be reached. The staff group gets a short notice: the kind of
error, where it happened (a handler, or which job) and the pitch reference or update id;
never the error's message, which may quote what someone wrote. One notice per kind of
failure per :data:`NOTICE_QUIET`, so an outage is one line, not a flood.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from telegram import Bot, Update
from telegram.error import Conflict, TelegramError
from telegram.ext import ContextTypes

from bot.logs import ids
from bot.pitcher import NotShown, NotStored
from bot.render import render_text
from bot.sending import send_replies
from bot.updates import person_of
from dialogs.catalog import Catalog
from dialogs.replies import Reply, Text, text
from dialogs.threads import find_reference
from services.conversation import Conversations
from services.types import Clock
from storage.database import unreachable

log = logging.getLogger(__name__)

NOTICE_QUIET = timedelta(minutes=10)
"""At most one staff notice per kind of failure in this time."""
DATABASE_DOWN = ("database", "")
"""The kind of every failure for want of a database."""
ROOT = Path(__file__).resolve().parents[1]
OUR_PACKAGES = ("bot", "services", "storage", "dialogs")


def apology(error: BaseException | None) -> str:
    """The catalogue key that says what became of the failed update."""
    if isinstance(error, NotShown):
        return "error_stored"
    if database_down(error):
        return "error_database_down"
    if isinstance(error, NotStored):
        return "error_not_stored"
    return "error_generic"


def database_down(error: BaseException | None) -> bool:
    """The database could not be reached. (A Telegram network error carries an OSError
    too: that one is about Telegram.)"""
    return unreachable(error) and not any(isinstance(e, TelegramError) for e in _chain(error))


def _chain(error: BaseException | None) -> list[BaseException]:
    """The error and every error it came from, outermost first."""
    found: list[BaseException] = []
    while error is not None and error not in found:
        found.append(error)
        error = error.__cause__ or error.__context__
    return found


def _root_cause(error: BaseException) -> BaseException:
    """The error a wrapper (NotStored, SQLAlchemy's DBAPIError) was raised from."""
    while error.__cause__ is not None and error.__cause__ is not error:
        error = error.__cause__
    return error


def _handler(error: BaseException) -> str:
    """The first of our functions the failure passed through: the handler that ran."""
    for frame in traceback.extract_tb(error.__traceback__):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(ROOT):
            module = path.relative_to(ROOT).with_suffix("").parts
            if module and module[0] in OUR_PACKAGES:
                return ".".join((*module, frame.name))
    return "handler"


@dataclass(frozen=True)
class Failure:
    """What failed, in ids and names of code only: fit for the log and the team."""

    kind: str
    """The exception class of the root cause (``OperationalError``)."""
    handler: str | None = None
    job: str | None = None
    update_id: int | None = None
    chat_id: int | None = None
    user_id: int | None = None
    reference: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """Failures of one kind: the same error in the same place."""
        return self.kind, self.job or self.handler or ""

    def where(self) -> Text:
        if self.job is not None:
            return text("staff_error_in_job", job=self.job)
        if self.reference is not None:
            return text(
                "staff_error_in_pitch", reference=self.reference, handler=self.handler or ""
            )
        return text(
            "staff_error_in_update", update_id=self.update_id or 0, handler=self.handler or ""
        )


def failure_of(update: object, error: BaseException, job: str | None) -> Failure:
    root = _root_cause(error)
    kind = type(root).__name__
    if not isinstance(update, Update):  # a job, or a task of no update: background work
        return Failure(kind, job=job or _handler(error))
    chat, user = update.effective_chat, update.effective_user
    return Failure(
        kind,
        handler=_handler(error),
        update_id=update.update_id,
        chat_id=chat.id if chat else None,
        user_id=user.id if user else None,
        reference=reference_of(update),
    )


def reference_of(update: Update) -> str | None:
    """The pitch an update is about, when it says so itself: a button's data, a command's
    argument, the message it replies to. (Nothing is looked up: the database may be down.)"""
    query, message = update.callback_query, update.effective_message
    said = [query.data if query and query.data else ""]
    if message is not None:
        said += [message.text or "", message.caption or ""]
        if message.reply_to_message is not None:
            quoted = message.reply_to_message
            said += [quoted.text or "", quoted.caption or ""]
    return next((found for s in said if (found := find_reference(s))), None)


class ErrorNotices:
    """Which failures the team has heard of lately (in this process)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._told: dict[tuple[str, str], datetime] = {}

    def due(self, kind: tuple[str, str]) -> bool:
        """Whether the team should hear of this kind of failure now (and note that it
        did)."""
        now = self.clock()
        last = self._told.get(kind)
        if last is not None and now - last < NOTICE_QUIET:
            return False
        self._told[kind] = now
        return True


class ErrorReporter:
    """Logs a failed update or job once, tells the person, truthfully, whether what they
    sent was kept, and gives the team a short notice."""

    def __init__(
        self,
        conversations: Conversations,
        catalog: Catalog,
        staff_chat_id: int | None = None,
        language: str = "nl",
    ) -> None:
        self.conversations = conversations
        self.catalog = catalog
        self.staff_chat_id = staff_chat_id
        self.language = language
        """The team's language (the default language)."""
        self.notices = ErrorNotices(conversations.clock)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update is None and isinstance(context.error, Conflict):
            return  # another process polls with this token: bot.instances decides
        error = context.error or RuntimeError("no error given")
        job = context.job.name if context.job is not None else None
        failure = failure_of(update, error, job)
        known = ids(
            update_id=failure.update_id,
            chat_id=failure.chat_id,
            user_id=failure.user_id,
            reference=failure.reference,
        )
        if job is not None:
            log.error("job %s failed", job, exc_info=error, extra=known)
        else:
            log.error("update %s failed", failure.update_id, exc_info=error, extra=known)
        if isinstance(update, Update):
            await self._apologise(update, context.bot, error)
        await self._tell_team(context.bot, failure, database_down(error))

    async def _apologise(self, update: Update, bot: Bot, error: BaseException) -> None:
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None or chat.type != chat.PRIVATE:
            return
        language = self.conversations.language_for(person_of(user, chat.id))
        try:
            await bot.send_message(
                chat.id, render_text(self.catalog, language, text(apology(error)))
            )
        except Exception:  # noqa: BLE001 - the error is already logged; do not loop
            log.warning(
                "could not tell chat %s about the error", chat.id, extra=ids(chat_id=chat.id)
            )

    async def _tell_team(self, bot: Bot, failure: Failure, database: bool) -> None:
        """The staff group's notice; it never fails the error handler."""
        # an outage fails every handler and job alike, in ways of its driver's choosing:
        # one kind of failure
        kind = DATABASE_DOWN if database else failure.key
        if self.staff_chat_id is None or not self.notices.due(kind):
            return
        what: Text | str = text("staff_error_database") if database else failure.kind
        minutes = int(NOTICE_QUIET.total_seconds() // 60)
        notice = text("staff_error", error=what, where=failure.where(), minutes=minutes)
        try:
            await send_replies(
                bot, self.catalog, self.staff_chat_id, self.language, [Reply((notice,))]
            )
        except Exception as problem:  # noqa: BLE001 - already logged; never loop
            log.warning(
                "could not tell the staff group about a failure (%s)",
                type(problem).__name__,
                extra=ids(chat_id=self.staff_chat_id),
            )
