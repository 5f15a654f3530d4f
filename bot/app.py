"""The application factory: settings and services in, a ready python-telegram-bot app out."""

from __future__ import annotations

from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, Defaults
from telegram.request import BaseRequest, HTTPXRequest

from bot.documents import PitchDocuments
from bot.errors import ErrorReporter
from bot.housekeeping import Housekeeping
from bot.inbox import Inbox, InboxRequest
from bot.limits import SendingRateLimiter
from bot.ordering import MAX_CONCURRENT_UPDATES, SHARED_CONCURRENT_UPDATES, PerChatUpdateProcessor
from bot.pitcher import PitcherHandlers
from bot.redelivery import Redelivery
from bot.render import render_label
from bot.settings import Settings
from bot.staff.access import StaffGate
from bot.staff.menus import StaffMenus
from bot.staff.notify import TeamNotifier
from bot.staff.setup import register_staff
from bot.staff.team import Team
from dialogs.catalog import Catalog
from dialogs.engine import KNOWN_COMMANDS
from dialogs.languages import LANGUAGES
from dialogs.replies import text
from services.conversation import Conversations
from services.desk import StaffDesk
from services.posting import Posting
from services.received import Received, Turns
from services.reminders import Reminders
from services.retention import Retention


def build_application(
    settings: Settings,
    conversations: Conversations,
    catalog: Catalog,
    *,
    request: BaseRequest | None = None,
    gate: StaffGate | None = None,
    rate_limit: bool = True,
    inbox: Inbox | None = None,
    webhook: bool = False,
) -> Application:  # type: ignore[type-arg]
    """Wire handlers to services.

    ``request`` lets tests swap the network for a fake, ``gate`` control the staff
    membership clock; ``rate_limit`` off keeps offline tests free of throttling waits.
    ``webhook``: updates come through :mod:`bot.webhook` (fed from ``inbox``), not
    polling; on a server database, several such workers may share it (see
    :class:`services.received.Turns`).
    """
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.api_base_url)
        .base_file_url(settings.file_base_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
    )
    desk = StaffDesk(conversations.database, conversations.clock)
    language = settings.default_language
    reminders = Reminders(
        conversations.database,
        conversations.flow,
        after_hours=settings.reminder_after_hours,
        draft_days=settings.draft_retention_days,
        default_language=language,
        clock=conversations.clock,
    )
    retention = Retention(
        conversations.database,
        draft_days=settings.draft_retention_days,
        closed_days=settings.closed_retention_days,
        clock=conversations.clock,
    )
    redelivery = Redelivery(conversations, catalog, reminders)
    documents = PitchDocuments(conversations.flow, catalog, settings.organisation_contact)
    posting = Posting(conversations.database, conversations.clock)
    notifier = TeamNotifier(
        posting,
        catalog,
        conversations.flow,
        settings.staff_chat_id,
        language,
        redelivery,
        digest_hour=settings.digest_hour,
        waiting_days=settings.waiting_days,
    )
    team = Team(
        gate=gate or StaffGate(settings.staff_ids, settings.staff_chat_id),
        desk=desk,
        notifier=notifier,
        catalog=catalog,
        flow=conversations.flow,
        default_language=language,
        staff_chat_id=settings.staff_chat_id,
        menus=StaffMenus(catalog, settings.staff_ids, settings.staff_chat_id, language),
    )
    inbox = inbox or Inbox(Received(conversations.database, conversations.clock))
    if webhook:
        builder = builder.updater(None)
    else:
        fetching = request or HTTPXRequest(connection_pool_size=1)  # the library's default
        builder = builder.get_updates_request(InboxRequest(fetching, inbox))
    if request is not None:
        builder = builder.request(request)
    shared = webhook and conversations.database.write_lock is None  # not SQLite
    processor = PerChatUpdateProcessor(
        SHARED_CONCURRENT_UPDATES if shared else MAX_CONCURRENT_UPDATES,
        on_done=inbox.handled,
        turns=Turns(conversations.database, conversations.clock) if shared else None,
    )
    builder = builder.concurrent_updates(processor)

    async def start(application: Application) -> None:  # type: ignore[type-arg]
        await inbox.replay(application)  # queued before polling fetches anything newer
        await register_commands(application, catalog)
        await team.menus.register(application.bot)
        await conversations.load_owed()
        team.notifier.sending.wake(application.bot)  # what the last run left in the outbox
        redelivery.sending.wake(application.bot)

    async def stop_sending(_: Application) -> None:  # type: ignore[type-arg]
        await team.notifier.sending.stop()
        await redelivery.sending.stop()
        await documents.sending.stop()

    async def close(_: Application) -> None:  # type: ignore[type-arg]
        await inbox.flush()
        await conversations.database.dispose()

    # polling (and a future webhook mode) start and stop the application alike
    builder = builder.post_init(start).post_stop(stop_sending).post_shutdown(close)
    if rate_limit:
        # Telegram's flood limits: 30 messages/s overall, 20/min per group; retry RetryAfter
        limiter = SendingRateLimiter(settings.sends_per_second)
        builder = builder.rate_limiter(limiter)  # type: ignore[arg-type]
    application = builder.build()
    processor.application, inbox.bot = application, application.bot
    register_staff(application, team, settings.card_retry_seconds)
    redelivery.job_queue = application.job_queue
    housekeeping = Housekeeping(reminders, retention, redelivery, team.notifier.sending.wake)
    housekeeping.register(application.job_queue)
    PitcherHandlers(
        conversations, catalog, redelivery, team.notifier.sending.wake, documents
    ).register(application)
    reporter = ErrorReporter(conversations, catalog, settings.staff_chat_id, language)
    application.add_error_handler(reporter.on_error)
    return application


async def register_commands(application: Application, catalog: Catalog) -> None:  # type: ignore[type-arg]
    """The / menu and the "what can this bot do?" texts in every language.

    The texts without a language code (shown to everyone else) are in the first language.
    """
    bot = application.bot
    for language in (None, *LANGUAGES):
        shown = language or LANGUAGES[0]
        commands = [
            BotCommand(name, render_label(catalog, shown, text(f"command_{name}")))
            for name in KNOWN_COMMANDS
        ]
        await bot.set_my_commands(commands, language_code=language)
        description = render_label(catalog, shown, text("bot_description"))
        await bot.set_my_description(description, language_code=language)
        short = render_label(catalog, shown, text("bot_short_description"))
        await bot.set_my_short_description(short, language_code=language)
