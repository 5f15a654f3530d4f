"""What `pitchbot check` and `pitchbot db current` learn from the database: reachable or
why not, and where its schema stands against the migrations shipped."""

from __future__ import annotations

from storage.database import Database, create_database
from storage.health import DatabaseProblem, ping, schema
from storage.migrate import migrations, state_of, upgrade
from tests.support.migrations import downgrade


def test_migrations_are_listed_newest_first_with_their_first_line() -> None:
    listed = migrations()

    assert listed[-1].revision == "0001"
    assert listed[-1].message.startswith("Initial schema")
    assert [m.revision for m in listed] == sorted((m.revision for m in listed), reverse=True)
    assert all("\n" not in m.message for m in listed)


def test_a_schema_without_revisions_has_every_migration_pending() -> None:
    state = state_of(())

    assert not state.at_head
    assert state.pending == tuple(migrations())


def test_a_revision_this_version_does_not_know_is_named_not_guessed() -> None:
    state = state_of(("0999",))

    assert state.unknown == ("0999",)
    assert not state.at_head
    assert state.pending == ()


async def test_a_migrated_database_answers_and_is_at_head(database: Database) -> None:
    await ping(database, timeout=5)

    state = await schema(database, timeout=5)

    assert state.at_head
    assert state.current == state.heads == (migrations()[0].revision,)
    assert state.pending == ()


async def test_a_database_two_migrations_behind_lists_them_newest_first(
    database: Database,
) -> None:
    newest, second, third = migrations()[:3]
    try:
        await downgrade(database, third.revision)

        state = await schema(database, timeout=5)

        assert state.current == (third.revision,)
        assert state.pending == (newest, second)
        assert not state.at_head
    finally:
        await upgrade(database)


async def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    database = create_database("postgresql+asyncpg://pitchbot:s3cret@127.0.0.1:9/pitchbot")
    try:
        try:
            await ping(database, timeout=5)
        except DatabaseProblem as problem:
            said = str(problem)
        else:
            raise AssertionError("port 9 answered")
    finally:
        await database.dispose()

    assert "127.0.0.1" in said
    assert "\n" not in said
    assert "s3cret" not in said
