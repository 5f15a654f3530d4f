"""A bare python-telegram-bot echo bot: the baseline of bench/startup.py.

    ECHO_TOKEN=123:ABC ECHO_API_URL=http://127.0.0.1:PORT python bench/echo_bot.py

It long-polls ``ECHO_API_URL`` (a Bot API root, like ``PITCHBOT_TELEGRAM_API_URL``) and
answers every text with the same text; Ctrl-C or SIGINT stops it.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
    """Say back what was said."""
    if update.message is not None and update.message.text is not None:
        await update.message.reply_text(update.message.text)


def main() -> None:
    api = os.environ["ECHO_API_URL"].rstrip("/")
    builder = ApplicationBuilder().token(os.environ["ECHO_TOKEN"])
    application = builder.base_url(f"{api}/bot").base_file_url(f"{api}/file/bot").build()
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
