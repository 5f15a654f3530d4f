"""What the team may type for a status, and what it means."""

from __future__ import annotations

import pytest

from dialogs.catalog import Catalog
from dialogs.languages import LANGUAGES
from dialogs.replies import text
from services.statuses import StatusNames, fold
from storage.models import SENT_STATUSES

NAMES = StatusNames(Catalog.load())


@pytest.mark.parametrize(
    ("typed", "status"),
    [
        ("in_review", "in_review"),
        ("IN_REVIEW", "in_review"),
        ("in review", "in_review"),
        ("in behandeling", "in_review"),
        ("🔎 In Behandeling", "in_review"),
        ("en traitement", "in_review"),
        ("nieuw", "new"),
        ("nouveau", "new"),
        ("doorverwezen", "referred"),
        ("transmis", "referred"),
        ("niet verder", "not_pursued"),
        ("sans suite", "not_pursued"),
        ("not pursued", "not_pursued"),
        ("gearchiveerd", "archived"),
        ("archivé", "archived"),
        ("archive", "archived"),
        ("in gesprek", "in_conversation"),
        ("ondersteund", "supported"),
        ("soutenu", "supported"),
    ],
)
def test_a_status_is_found_by_key_or_by_its_name_in_any_language(typed: str, status: str) -> None:
    assert NAMES.find(typed) == status


@pytest.mark.parametrize("typed", ["", "draft", "in opbouw", "niet", "behandeling", "lost"])
def test_what_is_no_sent_status_is_not_taken_for_one(typed: str) -> None:
    assert NAMES.find(typed) is None


def test_every_shown_name_means_one_status_only() -> None:
    """No name of one language is another status's name in another."""
    seen: dict[str, str] = {}
    catalog = Catalog.load()
    for status in SENT_STATUSES:
        for language in LANGUAGES:
            name = fold(catalog.render_plain(language, text(f"staff_status_{status}")))
            assert seen.setdefault(name, status) == status, name


def test_statuses_are_picked_out_of_other_words_longest_name_first() -> None:
    words = "niet verder frigo in behandeling Borgerhout new".split()

    assert NAMES.pick(words) == (["not_pursued", "in_review", "new"], ["frigo", "Borgerhout"])
    assert NAMES.pick(["niet", "gedaan"]) == ([], ["niet", "gedaan"])
    assert NAMES.pick(["nieuw", "new"]) == (["new"], [])
