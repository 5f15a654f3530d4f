"""What staff ask to export, in chat or on the command line, and what is refused."""

from __future__ import annotations

from datetime import date

import pytest

from services.export_options import ExportError, ExportOptions, parse_day, parse_export_command
from storage.export import ExportFilter


def test_the_chat_form_reads_statuses_dates_and_switches_in_any_order() -> None:
    options = parse_export_command(
        ["NEW", "since", "2026-11-01", "in_review", "excel", "until", "2026-11-30", "drafts"],
        language="en",
    )

    assert options == ExportOptions(
        ("new", "in_review"),
        since=date(2026, 11, 1),
        until=date(2026, 11, 30),
        include_drafts=True,
        excel=True,
        language="en",
    )
    assert parse_export_command([], language="nl") == ExportOptions()
    assert parse_export_command(["anonymous"], language="fr").anonymous


@pytest.mark.parametrize(
    ("words", "problem"),
    [
        (["since", "2026-13-01"], "bad_date"),
        (["since", "1-11-2026"], "bad_date"),
        (["until", "2026-02-30"], "bad_date"),
        (["since"], "missing_date"),
        (["2026-11-01"], "missing_date"),
        (["nieuw"], "unknown_word"),
        (["since", "2026-11-02", "until", "2026-11-01"], "until_before_since"),
    ],
)
def test_the_chat_form_names_what_is_wrong(words: list[str], problem: str) -> None:
    with pytest.raises(ExportError) as raised:
        parse_export_command(words, language="nl")

    assert raised.value.problem == problem


def test_options_refuse_unknown_statuses_drafts_as_a_status_and_unknown_languages() -> None:
    with pytest.raises(ExportError, match="unknown status 'pending'"):
        ExportOptions(("pending",))
    with pytest.raises(ExportError, match="drafts"):
        ExportOptions(("draft",))
    with pytest.raises(ExportError, match="unknown language 'de'"):
        ExportOptions(language="de")


def test_a_day_is_exactly_yyyy_mm_dd() -> None:
    assert parse_day(" 2026-02-28 ") == date(2026, 2, 28)
    for wrong in ("2026-2-28", "20260228", "28-02-2026", "2026-02-29", "２０２６-02-28", ""):
        with pytest.raises(ExportError, match="not a date") as raised:
            parse_day(wrong)
        assert raised.value.values == {"value": wrong}


def test_options_carry_the_storage_filter_without_repeated_statuses() -> None:
    options = ExportOptions(("new", "new", "archived"), until=date(2026, 1, 31))

    assert options.filter == ExportFilter(("new", "archived"), None, date(2026, 1, 31), False)
