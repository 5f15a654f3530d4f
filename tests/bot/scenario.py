"""What the conversation tests share: a pitcher's answers, walking the flow, reading the DB.

The answers are written so that no follow-up ("nudge") is triggered: long enough, and the
challenge names a group of people. Choices are made by pressing the buttons shown.
"""

from __future__ import annotations

import html
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select
from telegram.ext import Application

from bot.redelivery import BACKOFF
from dialogs.flow import Flow, Kind, load_flow
from storage import pitchers
from storage.database import Database
from storage.models import Base, Pitch, Pitcher
from tests.support.telegram import PrivateChat, Sent, message_update, press_update

FLOW: Flow = load_flow()

ANSWERS: dict[str, dict[str, str]] = {
    "nl": {
        "idea": "Een buurtfrigo in Borgerhout voor de overschotten van supermarkten",
        "dream": "Een wijk waar geen eten meer weggegooid wordt en buren elkaar kennen",
        "challenge": "Gezinnen met een klein budget eten te weinig vers fruit",
        "change": "Supermarkten geven hun overschotten elke avond aan de frigo in plaats van "
        "ze weg te gooien",
        "solution": "Een koelkast in het buurthuis die vrijwilligers elke dag aanvullen",
        "novelty_detail": "Voedselbanken vragen een kaart, onze frigo staat open voor iedereen",
        "connect": "Supermarkten, het buurthuis, vrijwilligers en het OCMW van Antwerpen",
        "name": "Anna Peeters",
        "contact": "anna@voorbeeld.be",
    },
    "en": {
        "idea": "A community fridge in Borgerhout for surplus food from supermarkets",
        "dream": "A neighbourhood where no food is thrown away and neighbours know each other",
        "challenge": "Families on a tight budget eat too little fresh fruit",
        "change": "Supermarkets bring their surplus to the fridge every evening instead of "
        "binning it",
        "solution": "A fridge in the community centre that volunteers restock every day",
        "novelty_detail": "Food banks ask for a card, our fridge is open to everyone",
        "connect": "Supermarkets, the community centre, volunteers and the Antwerp OCMW",
        "name": "Anna Peeters",
        "contact": "anna@example.be",
    },
    "fr": {
        "idea": "Un frigo solidaire à Borgerhout pour les invendus des supermarchés",
        "dream": "Un quartier où plus rien ne se jette et où les voisins se connaissent",
        "challenge": "Les familles au budget serré mangent trop peu de fruits frais",
        "change": "Les supermarchés déposent leurs invendus au frigo chaque soir au lieu de "
        "les jeter",
        "solution": "Un frigo à la maison de quartier que des bénévoles remplissent chaque jour",
        "novelty_detail": "Les banques alimentaires exigent une carte, notre frigo est ouvert "
        "à tous",
        "connect": "Les supermarchés, la maison de quartier, des bénévoles et le CPAS d'Anvers",
        "name": "Anna Peeters",
        "contact": "anna@exemple.be",
    },
}

PICKS: dict[str, tuple[int, ...]] = {
    "solution_form": (0, 1),
    "novelty": (1,),
    "stage": (1,),
    "scope": (1,),
    "support": (0, 3),
}
"""Which option buttons are pressed (by position) for each choice question."""

STORED_PICKS: dict[str, str] = {
    "solution_form": "product,service",
    "novelty": "new_context",
    "stage": "testing",
    "scope": "city",
    "support": "session,funding",
}
"""How storage keeps those picks: option keys, in the flow's order."""


def expected_answers(language: str) -> dict[str, str]:
    """Every stored answer after :func:`answer_questions` (skipped ones have no row)."""
    return {**ANSWERS[language], **STORED_PICKS}


def prompt_of(key: str, language: str) -> str:
    """A question's prompt as it appears in the sent HTML."""
    question = FLOW.question(key)
    assert question is not None
    return html.escape(question.texts[language].prompt, quote=False)


async def consent(chat: PrivateChat) -> list[Sent]:
    """/start and agree: the first question is asked."""
    await chat.send("/start")
    assert chat.keyboard is not None
    return await chat.press(chat.keyboard.data("✅"))


async def answer_question(
    chat: PrivateChat, key: str, language: str, answers: dict[str, str] | None = None
) -> list[Sent]:
    """Answer the question ``key`` the way a person would: type, press, or skip."""
    answers = ANSWERS[language] if answers is None else answers
    question = FLOW.question(key)
    assert question is not None
    if key in answers:
        return await chat.send(answers[key])
    if question.kind is Kind.MULTI_CHOICE:
        for index in PICKS[key]:
            await chat.tap_data(f"tog:{key}:{index}")
        return await chat.tap_data(f"done:{key}")
    if question.is_choice:
        return await chat.tap_data(f"opt:{key}:{PICKS[key][0]}")
    assert not question.required, f"no answer for required question {key}"
    return await chat.tap_data(f"skip:{key}")


async def answer_questions(
    chat: PrivateChat,
    language: str = "nl",
    *,
    start: str | None = None,
    stop: str | None = None,
    answers: dict[str, str] | None = None,
) -> list[Sent]:
    """Answer from ``start`` (default: the first question) up to, not including, ``stop``.

    Each reply is checked to ask the next question; without ``stop`` it ends on the card.
    """
    keys = [q.key for q in FLOW.questions]
    first = keys.index(start) if start else 0
    last = keys.index(stop) if stop else len(keys)
    replies: list[Sent] = []
    for position in range(first, last):
        replies = await answer_question(chat, keys[position], language, answers)
        upcoming = keys[position + 1] if position + 1 < len(keys) else None
        if upcoming is not None:
            assert prompt_of(upcoming, language) in replies[-1].text, replies[-1].text
    return replies


def pitch_script(user_id: int, answers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Every update of a person who agrees, answers every question (as
    :func:`answer_question` does) and sends, fixed in advance: for webhooks, queues and
    benchmarks, where nobody reads the bot's replies before the next update."""
    answers = ANSWERS["nl"] if answers is None else answers
    updates = [message_update("/start", user_id), press_update("consent:yes:nl", user_id)]
    for question in FLOW.questions:
        key = question.key
        if key in answers:
            updates.append(message_update(answers[key], user_id))
        elif question.kind is Kind.MULTI_CHOICE:
            updates += [press_update(f"tog:{key}:{index}", user_id) for index in PICKS[key]]
            updates.append(press_update(f"done:{key}", user_id))
        elif question.is_choice:
            updates.append(press_update(f"opt:{key}:{PICKS[key][0]}", user_id))
        else:
            updates.append(press_update(f"skip:{key}", user_id))
    return [*updates, press_update("send", user_id)]


# --- what the database holds ----------------------------------------------------------


async def pitcher_of(database: Database, user_id: int) -> Pitcher | None:
    async with database.sessions() as session:
        query = select(Pitcher).where(Pitcher.telegram_user_id == user_id)
        return (await session.execute(query)).scalar_one_or_none()


async def pitches_of(database: Database, user_id: int) -> list[Pitch]:
    """A person's pitches with their answers, oldest first."""
    async with database.sessions() as session:
        query = (
            select(Pitch)
            .join(Pitcher, Pitch.pitcher_id == Pitcher.id)
            .where(Pitcher.telegram_user_id == user_id)
            .order_by(Pitch.id)
        )
        return list((await session.execute(query)).scalars())


def answers_of(pitch: Pitch) -> dict[str, str]:
    return {answer.question_key: answer.value for answer in pitch.answers}


async def draft_answers(database: Database, user_id: int) -> dict[str, str]:
    """The answers of the person's one open draft, as the conversation loads them."""
    drafts = [p for p in await pitches_of(database, user_id) if p.status == "draft"]
    assert len(drafts) == 1, f"expected one draft, found {len(drafts)}"
    async with database.sessions() as session:
        _, draft = await pitchers.load(session, user_id)
    assert draft is not None
    return {answer.key: answer.value for answer in draft.answers}


IGNORED_COLUMNS = {("pitchers", "last_update_id"), ("pitches", "last_update_id")}
"""Bookkeeping that every update moves on, answered or not."""
IGNORED_TABLES = {"handled_updates"}


async def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (but the update bookkeeping), to compare before and after."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    async with database.sessions() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in IGNORED_TABLES:
                continue
            columns = [c for c in table.columns if (table.name, c.name) not in IGNORED_COLUMNS]
            rows = (await session.execute(select(*columns).order_by(*table.primary_key))).all()
            tables[table.name] = [tuple(row) for row in rows]
    return tables


# --- what Telegram shows ------------------------------------------------------------------


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible(markup: str) -> str:
    """The text a person reads once Telegram has parsed the HTML."""
    parser = _Visible()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def telegram_length(markup: str) -> int:
    """Telegram counts message length in UTF-16 code units of the visible text."""
    return len(visible(markup).encode("utf-16-le")) // 2


async def redeliver(app: Application, clock: Any) -> None:  # type: ignore[type-arg]
    """The redelivery's scheduled tries come: the clock is moved past their back-off
    (``clock`` is the test's FrozenClock) and each scheduled job runs once."""
    assert app.job_queue is not None
    for job in [j for j in app.job_queue.jobs() if j.name == "redelivery"]:
        clock.now += timedelta(seconds=BACKOFF[-1])
        await job.run(app)
        job.schedule_removal()
