"""Typed tables of pitchbot: pitchers, their pitches, answers and the audit trail.

The same models run on SQLite and PostgreSQL, so every column uses portable types:
statuses are plain strings (a new status needs no type migration) and every timestamp
is a :class:`UTCDateTime`, which keeps datetimes tz-aware UTC on both databases.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Deterministic constraint names, so Alembic can later alter or drop them by name."""


TRIGRAM_INDEX = "ix_answers_value_trgm"
"""PostgreSQL only: staff search ("lower(value) contains a word") from a pg_trgm index.

Created by migration 0005 and not declared below: SQLite has no such index, and
Alembic cannot compare expression indexes there. :func:`in_schema` hides it from
autogenerate, so it is neither dropped nor reported as a difference.
"""


def in_schema(_obj: Any, name: str | None, kind: str, _reflected: bool, _other: Any) -> bool:
    """Alembic's ``include_object``: everything but :data:`TRIGRAM_INDEX`."""
    return not (kind == "index" and name == TRIGRAM_INDEX)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is tz-aware UTC going in and coming out, on every database.

    SQLite has no time zones and hands back naive datetimes; rejecting naive input and
    re-attaching UTC on the way out means callers never compare naive with aware.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass a tz-aware datetime")
        value = value.astimezone(UTC)
        # SQLite stores the wall-clock text only; make it UTC wall-clock explicitly.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class FittedString(TypeDecorator[str]):
    """A bounded column for what Telegram says about a person (names, usernames): a
    value longer than the column is cut to fit instead of failing the whole update
    (PostgreSQL refuses it, SQLite would keep it: the same input must behave the same).
    """

    impl = String
    cache_ok = True

    def __init__(self, length: int) -> None:
        super().__init__(length)
        self.length = length

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return value[: self.length] if value is not None else None


class PitchStatus(StrEnum):
    """Where a pitch is in its life; stored as its string value."""

    DRAFT = "draft"
    NEW = "new"
    IN_REVIEW = "in_review"
    IN_CONVERSATION = "in_conversation"
    SUPPORTED = "supported"
    REFERRED = "referred"
    NOT_PURSUED = "not_pursued"
    ARCHIVED = "archived"


NEVER_REUSE_IDS = {"sqlite_autoincrement": True}
"""Ids leave the process (buttons, queues, files): SQLite must not hand one out twice.

PostgreSQL's sequences never do; SQLite reuses the highest id after a delete unless the
table is AUTOINCREMENT (migration 0008). A later SQLite batch migration copying one of
these tables must pass ``table_kwargs=NEVER_REUSE_IDS``, or the copy loses it (a test
checks the schema at head).
"""


SENT_STATUSES: tuple[str, ...] = tuple(s.value for s in PitchStatus if s is not PitchStatus.DRAFT)
"""Every status of a sent pitch, in workflow order: what staff can set, list and export."""

CLOSED_STATUSES: tuple[str, ...] = (
    PitchStatus.SUPPORTED.value,
    PitchStatus.REFERRED.value,
    PitchStatus.NOT_PURSUED.value,
    PitchStatus.ARCHIVED.value,
)
"""A decision was taken: nothing is expected of the team any more, unless the pitcher
writes again."""

TEAM_ZONE = ZoneInfo("Europe/Brussels")
"""The team works in Belgian time (cards, export days); storage keeps UTC."""


class Base(DeclarativeBase):
    """Declarative base: every ``Mapped[datetime]`` becomes a :class:`UTCDateTime`."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Pitcher(Base):
    """A Telegram user who consented to pitch; erasing them deletes the row and all theirs."""

    __tablename__ = "pitchers"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    username: Mapped[str | None] = mapped_column(FittedString(64))
    first_name: Mapped[str | None] = mapped_column(FittedString(128))
    language: Mapped[str] = mapped_column(String(8))
    consent_at: Mapped[datetime]
    consent_version: Mapped[str] = mapped_column(String(32))
    last_update_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    confirming_erasure: Mapped[bool] = mapped_column(default=False, server_default=false())
    """/forgetme asked "erase everything?": only a "yes" while this is open erases."""


class Pitch(Base):
    """One idea, from draft (being asked) to a decision by staff."""

    __tablename__ = "pitches"
    __table_args__ = (
        # Keyset pages of one status, oldest first: (submitted_at, id) is the page key.
        Index("ix_pitches_status_submitted_at_id", "status", "submitted_at", "id"),
        # Unsent cards (NULL) are one range of it, already in submitted order.
        Index("ix_pitches_staff_card_sent_at_submitted_at", "staff_card_sent_at", "submitted_at"),
        # Leads with pitcher_id, so it also serves "all pitches of this pitcher".
        Index("ix_pitches_pitcher_id_status", "pitcher_id", "status"),
        # Newest first across every status (/pitches without a status, searches).
        Index("ix_pitches_submitted_at_id", "submitted_at", "id"),
        # A command typed in a pitch's forum topic finds its pitch.
        Index("ix_pitches_staff_topic_id", "staff_topic_id", unique=True),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(16), unique=True)
    pitcher_id: Mapped[int] = mapped_column(ForeignKey("pitchers.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(
        String(20), default=PitchStatus.DRAFT.value, server_default=PitchStatus.DRAFT.value
    )
    step: Mapped[str | None] = mapped_column(String(32))
    phase: Mapped[str] = mapped_column(String(16), default="asking", server_default="asking")
    nudged: Mapped[bool] = mapped_column(default=False, server_default=false())
    editing: Mapped[bool] = mapped_column(default=False, server_default=false())
    confirming_cancel: Mapped[bool] = mapped_column(default=False, server_default=false())
    flow_version: Mapped[int]
    language: Mapped[str] = mapped_column(String(8))
    assignee_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    status_changed_at: Mapped[datetime | None]
    staff_card_sent_at: Mapped[datetime | None]
    """When the staff chat got this pitch's card; None while a retry job still has to."""
    staff_card_message_id: Mapped[int | None] = mapped_column(BigInteger)
    """The card's message in the staff chat, redrawn whenever the pitch changes."""
    staff_topic_id: Mapped[int | None] = mapped_column(BigInteger)
    """The pitch's own topic when the staff group is a forum (its message_thread_id)."""
    staff_topic_closed: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Whether that topic is closed now (its pitch was decided and nobody wrote since)."""
    last_update_id: Mapped[int | None] = mapped_column(BigInteger)
    """A draft's claim of the newest Telegram update that changed it (redeliveries of it
    are refused): written with the draft's place, so an answer needs no other write."""
    reminded_at: Mapped[datetime | None]
    """When the one reminder of this abandoned draft went out; None: not (yet)."""
    reminders_off: Mapped[bool] = mapped_column(default=False, server_default=false())
    """The pitcher said "stop" to the reminder: none ever again for this draft."""

    answers: Mapped[list[Answer]] = relationship(
        back_populates="pitch",
        cascade="all, delete-orphan",
        lazy="selectin",
        passive_deletes=True,
        order_by="Answer.id",
    )
    # Async sessions cannot lazy-load: reuse the identity map or fail loudly.
    pitcher: Mapped[Pitcher] = relationship(lazy="raise_on_sql")


class Consent(Base):
    """Every consent a pitcher gave, with the privacy text's version: their history,
    which /mydata shows. ``pitchers.consent_version`` is the one that holds now."""

    __tablename__ = "consents"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    pitcher_id: Mapped[int] = mapped_column(
        ForeignKey("pitchers.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[str] = mapped_column(String(32))
    given_at: Mapped[datetime]


class ErasedPitch(Base):
    """What stays of a sent pitch after its pitcher's data was erased: its reference,
    dates and that fact, so the team is not left guessing and the counts stay right."""

    __tablename__ = "erased_pitches"

    reference: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    """Its status when it was erased."""
    submitted_at: Mapped[datetime | None]
    erased_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(16))
    """"request" (the pitcher: /forgetme), "team" (/erase on their request) or
    "retention" (closed longer than PITCHBOT_CLOSED_RETENTION_DAYS)."""


class Answer(Base):
    """The current answer to one question of one pitch (one row per question)."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("pitch_id", "question_key"),
        Index("ix_answers_pitch_id_message_id", "pitch_id", "message_id"),
        # On PostgreSQL, migration 0005 adds TRIGRAM_INDEX on lower(value).
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pitch_id: Mapped[int] = mapped_column(ForeignKey("pitches.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Text)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]

    pitch: Mapped[Pitch] = relationship(back_populates="answers", lazy="raise_on_sql")


class Event(Base):
    """The audit trail and the two-way thread: status changes, notes, messages."""

    __tablename__ = "events"
    # A pitch's thread in order; also serves the cascade from pitches.
    __table_args__ = (Index("ix_events_pitch_id_at", "pitch_id", "at"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    pitch_id: Mapped[int] = mapped_column(ForeignKey("pitches.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    """Telegram user id of a staff member; None for the system or the pitcher."""
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)


class OutboxMessage(Base):
    """A message the bot still has to post: for the staff group a new pitch's card, a
    pitcher's message, a notice; for a person, where they were after a lost answer.

    Written in the same transaction as what caused it, so nothing is lost to a crash,
    and sent by one background sender at the group's pace, oldest first (a pitch's card
    before the messages about it); removed once Telegram took it. A pitch's messages go
    with the pitch (an erasure), by cascade.
    """

    __tablename__ = "outbox"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    """For the staff group: ``card``, ``relay`` (a pitcher's message: ``event_id``) or
    ``erased`` (a notice). For a person: ``resume`` (where they were, after the bot's
    answer did not reach them)."""
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    """The person's chat; None for the staff group."""
    pitch_id: Mapped[int | None] = mapped_column(
        ForeignKey("pitches.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    queued_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    """Failed tries: for the group, those that were the message's own fault; for a
    person, every failed try (Telegram unreachable, too busy)."""
    next_attempt_at: Mapped[datetime | None]
    """A person's message waits until then (backing off); None: now."""


class ReferenceCounter(Base):
    """The last pitch number handed out in a year (references restart each year)."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int]


class GroupNotice(Base):
    """A group chat already told once that pitching happens in a private chat."""

    __tablename__ = "group_notices"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    notified_at: Mapped[datetime]


class Digest(Base):
    """A day whose digest was queued for the staff group: once a day, whatever restarts."""

    __tablename__ = "digests"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    """The team's day (Brussels time)."""
    queued_at: Mapped[datetime]


class StatusProposal(Base):
    """A status change a staff member is about to make, that the pitcher will hear of.

    They see the message first and choose: send it, add a personal word, or change the
    status without telling. Kept here between those steps (one per member and pitch), so
    a restart in between loses nothing."""

    __tablename__ = "status_proposals"

    staff_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    pitch_id: Mapped[int] = mapped_column(
        ForeignKey("pitches.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(20))
    referral: Mapped[str | None] = mapped_column(Text)
    """To whom a referred pitch goes, as the member typed it (the pitcher hears it)."""
    waiting: Mapped[str] = mapped_column(String(16))
    """What comes next: "referral" (to whom?), "choice" (the three buttons), "word"."""
    created_at: Mapped[datetime]


class StaffMember(Base):
    """A staff member as last seen on Telegram, so "@name" resolves to a user id.

    ``username_key`` is the username lower-cased: an equality lookup on it is
    case-insensitive on both databases and can use a plain index.
    """

    __tablename__ = "staff_members"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    username: Mapped[str | None] = mapped_column(FittedString(64))
    username_key: Mapped[str | None] = mapped_column(FittedString(64), index=True)
    first_name: Mapped[str | None] = mapped_column(FittedString(128))
    last_seen_at: Mapped[datetime]


class InboxUpdate(Base):
    """A Telegram update as fetched, stored before Telegram is told it arrived.

    python-telegram-bot confirms a batch (the next ``getUpdates`` offset) before its
    handlers have run; a crash then would lose the batch. Stored here first, an update
    that was not handled is replayed at the next start (see :mod:`bot.inbox`).
    """

    __tablename__ = "inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[datetime]
    replays: Mapped[int] = mapped_column(default=0, server_default="0")
    """Starts that replayed it: an update that keeps crashing the bot is given up."""
    chat_key: Mapped[int | None] = mapped_column(BigInteger)
    """Whose turn it is in (the chat, else the user; see :mod:`bot.ordering`): workers
    sharing a database handle one chat's updates in update order, whoever received them."""

    __table_args__ = (Index("ix_inbox_chat_key", "chat_key", "update_id"),)


class Lease(Base):
    """Work that one process at a time may do (the staff group's outbox, people's owed
    messages), held for a while and renewed: with several workers on one database, a
    job runs once, and a crashed holder's lease simply runs out."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]


class HandledUpdate(Base):
    """A Telegram update a staff member's action came in, so a redelivery is ignored.

    Kept per update, not per person: one member's updates from the group and from a
    private chat run concurrently and need not finish in id order. Telegram redelivers
    for at most a day; :func:`storage.updates.forget_handled` prunes older rows.
    """

    __tablename__ = "handled_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime] = mapped_column(index=True)
