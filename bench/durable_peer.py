"""The durable peer of bench/throughput.py: a careful pitch bot on the same stack.

python-telegram-bot's ``ConversationHandler`` walks the same flow (one state per
question, the flow's prompt and buttons), and every update is committed through
SQLAlchemy async before the bot answers: one session that loads the person's
conversation row (its state lives in the database, so a restart resumes it), one upsert
of that step's answer, the new state flushed, one commit. "Send"
marks the pitch sent and posts a card to the staff group, as pitchbot does. Nothing
more: no engine, no catalogue rendering, no redelivery claims, no outbox. It is what a
competent developer would write against the same durability promise ("every answer is
stored the moment it arrives"), so pitchbot's extra cost per update shows against it.
"""

from __future__ import annotations

import warnings
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, Text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from dialogs.flow import Flow, Kind

metadata = MetaData()
answers = Table(
    "peer_answers",
    metadata,
    Column("user_id", Integer, primary_key=True),
    Column("step", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)
CONSENT, SENDING = "consent", "send"


class Base(DeclarativeBase):
    metadata = metadata


class Conversation(Base):
    """Where a person is: the durable copy of the ConversationHandler's state."""

    __tablename__ = "peer_conversations"
    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(String(40))


class DurablePeer:
    """Builds the peer's handlers on an application; ``staff_chat`` gets each card."""

    def __init__(self, engine: AsyncEngine, flow: Flow, staff_chat: int) -> None:
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.flow = flow
        self.staff_chat = staff_chat
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        self.insert = dialect.insert
        self.keys = [q.key for q in flow.questions]

    async def create(self, engine: AsyncEngine) -> None:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)

    async def store(self, user_id: int, step: str, value: str) -> None:
        """One session, one upsert, one commit: the update is durable before any reply."""
        statement = self.insert(answers).values(user_id=user_id, step=step, value=value)
        statement = statement.on_conflict_do_update(
            index_elements=["user_id", "step"], set_={"value": value}
        )
        async with self.sessions() as session:
            conversation = await session.get(Conversation, user_id)
            if conversation is None:
                conversation = Conversation(user_id=user_id)
                session.add(conversation)
            conversation.state = step
            await session.execute(statement)
            await session.commit()

    async def ask(self, update: Update, index: int) -> str:
        """Show question ``index`` (with its buttons), or the review before sending."""
        message = update.effective_message
        assert message is not None
        if index >= len(self.keys):
            keyboard = [[InlineKeyboardButton("Verstuur", callback_data="send")]]
            await message.reply_text("Klaar? Verstuur je pitch.", reply_markup=_markup(keyboard))
            return SENDING
        question = self.flow.questions[index]
        texts = question.texts["nl"]
        rows = [
            [InlineKeyboardButton(option.labels["nl"], callback_data=f"{i}")]
            for i, option in enumerate(question.options)
        ]
        if not question.required:
            rows.append([InlineKeyboardButton("Overslaan", callback_data="skip")])
        await message.reply_text(
            f"{texts.prompt}\n\n<i>{texts.hint}</i>", reply_markup=_markup(rows)
        )
        return _state(index)

    async def start(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> str:
        assert update.effective_user is not None and update.effective_message is not None
        await self.store(update.effective_user.id, CONSENT, "asked")
        keyboard = [[InlineKeyboardButton("Ja", callback_data="yes")]]
        await update.effective_message.reply_text(
            "Mag ik je antwoorden bewaren?", reply_markup=_markup(keyboard)
        )
        return CONSENT

    def state(self, index: int) -> list[Any]:
        """The handlers of question ``index``: typed text, or its buttons."""

        async def typed(update: Update, _: ContextTypes.DEFAULT_TYPE) -> str:
            assert update.effective_user is not None and update.message is not None
            await self.store(update.effective_user.id, self.keys[index], update.message.text or "")
            return await self.ask(update, index + 1)

        async def pressed(update: Update, _: ContextTypes.DEFAULT_TYPE) -> str:
            query = update.callback_query
            assert query is not None and update.effective_user is not None
            await query.answer()
            data = query.data or ""
            key = self.keys[index] if index >= 0 else CONSENT
            await self.store(update.effective_user.id, key, data)
            ticking = index >= 0 and self.flow.questions[index].kind is Kind.MULTI_CHOICE
            if ticking and data.startswith("tog:"):
                return _state(index)  # a tick: the same question, still open
            return await self.ask(update, index + 1)

        if index >= 0 and not self.flow.questions[index].is_choice:
            return [
                MessageHandler(filters.TEXT & ~filters.COMMAND, typed),
                CallbackQueryHandler(pressed),
            ]
        return [CallbackQueryHandler(pressed)]

    async def send(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        query = update.callback_query
        assert query is not None and update.effective_user is not None
        await query.answer()
        await self.store(update.effective_user.id, SENDING, "sent")
        assert query.message is not None
        await query.message.reply_text("Verstuurd! Je referentie: P-0001")
        await context.bot.send_message(
            self.staff_chat, f"Nieuwe pitch van {update.effective_user.id}"
        )
        return ConversationHandler.END

    def register(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        states: dict[object, list[Any]] = {_state(i): self.state(i) for i in range(len(self.keys))}
        states[CONSENT] = self.state(-1)
        states[SENDING] = [CallbackQueryHandler(self.send, pattern="^send$")]
        # per chat, as pitchbot keys its drafts; PTB warns that buttons are then not
        # tracked per message, which is what both bots want
        warnings.filterwarnings("ignore", "If 'per_message=False'", category=UserWarning)
        application.add_handler(
            ConversationHandler(
                entry_points=[CommandHandler("start", self.start)],
                states=states,
                fallbacks=[],
            )
        )


def _state(index: int) -> str:
    """ConversationHandler's name for question ``index`` (-1 would mean END)."""
    return f"q{index}"


def _markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    return InlineKeyboardMarkup(rows) if rows else None
