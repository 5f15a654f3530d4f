"""Webhook mode: Telegram posts each update to us, behind a reverse proxy.

python-telegram-bot's own webhook server cannot serve a health endpoint, so this follows
its documented custom-server pattern (Starlette on uvicorn): the application is
initialised and started by hand and fed through its ``update_queue``. What a request
carries is kept in the inbox before Telegram hears "200 OK", so a crash right after loses
nothing; a request without the secret Telegram was given is refused.
"""

from __future__ import annotations

import functools
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from hmac import compare_digest
from http import HTTPStatus
from json import JSONDecodeError

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Bot, Update
from telegram.ext import Application, ContextTypes

from bot.inbox import Inbox
from services.health import health
from storage.database import Database

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
MAX_CONNECTIONS = 40
"""Telegram's default number of simultaneous deliveries."""
KEEP_JOB = "keep_webhook"
KEEP_SECONDS = 300.0
"""How often a worker checks that Telegram still posts updates to it."""


class Webhook:
    """The HTTP side of one worker: updates in, health out."""

    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        inbox: Inbox,
        database: Database,
        *,
        path: str,
        secret: str,
    ) -> None:
        if path == HEALTH_PATH:
            raise ValueError(f"the webhook cannot be served at {HEALTH_PATH}")
        self.application = application
        self.inbox = inbox
        self.database = database
        self.secret = secret
        self.app = Starlette(
            routes=[
                Route(path, self.receive, methods=["POST"]),
                Route(HEALTH_PATH, self.health, methods=["GET"]),
            ]
        )

    async def receive(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not compare_digest(given.encode(), self.secret.encode()):
            log.warning("refused a webhook request without the right secret token")
            return Response(status_code=HTTPStatus.FORBIDDEN)
        try:
            posted = await request.json()
        except (JSONDecodeError, UnicodeDecodeError):
            return Response(status_code=HTTPStatus.BAD_REQUEST)
        # a failure to keep it (database down) answers 500: Telegram delivers it again
        update = await self.inbox.take(posted)
        if update is not None:
            await self.application.update_queue.put(update)
        return Response(status_code=HTTPStatus.OK)

    async def health(self, _: Request) -> Response:
        """200 when this worker can take updates; 503 (and why) when it cannot."""
        state = await health(self.database)
        status = HTTPStatus.OK if state.ok else HTTPStatus.SERVICE_UNAVAILABLE
        return JSONResponse({"database": state.database, "schema": state.schema}, status)


@asynccontextmanager
async def running(
    application: Application,  # type: ignore[type-arg]
    webhook: Webhook,
    url: str,
) -> AsyncIterator[None]:
    """The application taking updates from ``webhook`` while the block runs; at its end
    it stops taking them, finishes those in flight (python-telegram-bot's ``stop`` waits
    for them) and closes the database. The hooks that ``run_polling`` calls itself
    (post_init, post_stop, post_shutdown) are called here in the same places."""
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await _set(application.bot, url, webhook.secret)
        await application.start()
        if application.job_queue is not None:
            keep = functools.partial(_keep, url=url, secret=webhook.secret)
            application.job_queue.run_repeating(
                keep, interval=KEEP_SECONDS, first=KEEP_SECONDS, name=KEEP_JOB
            )
        try:
            yield
        finally:
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def _set(bot: Bot, url: str, secret: str) -> None:
    await bot.set_webhook(
        url, secret_token=secret, allowed_updates=Update.ALL_TYPES, max_connections=MAX_CONNECTIONS
    )


async def _keep(context: ContextTypes.DEFAULT_TYPE, *, url: str, secret: str) -> None:
    """Telegram must still post to us: a `pitchbot run --replace-webhook` (polling) or
    another deployment with the same token may have taken the updates away."""
    info = await context.bot.get_webhook_info()
    if info.url != url:
        log.error("Telegram posted updates to %r, not %s: webhook set again", info.url, url)
        await _set(context.bot, url, secret)


async def serve(
    application: Application,  # type: ignore[type-arg]
    webhook: Webhook,
    *,
    url: str,
    listen: str,
    port: int,
) -> None:
    """Serve until SIGTERM or SIGINT (uvicorn first lets open requests end)."""
    server = uvicorn.Server(
        uvicorn.Config(webhook.app, host=listen, port=port, log_config=None, access_log=False)
    )
    _survive_stop_signals()
    async with running(application, webhook, url):
        await server.serve()


def _survive_stop_signals() -> None:
    """uvicorn hands SIGTERM/SIGINT back to the previous handlers once it has stopped
    serving: the default ones would end the process before the updates in flight are
    finished. These do nothing (uvicorn has already started the stop)."""
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, _stopping)


def _stopping(signum: int, _frame: object) -> None:
    log.info("stopping on %s", signal.Signals(signum).name)
