"""Typed words for choices: what the newcomers typed, and what it maps to.

The table is the promise: each row is typed text at a step and the option it means (or
None: unclear, so the options are named in words and the buttons shown again).
"""

from __future__ import annotations

import pytest

from dialogs.answers import check_typed
from dialogs.matching import fold
from dialogs.replies import Effect
from dialogs.state import State
from tests.dialogs.chat import FLOW, Chat

WHAT_MAPS_TO_WHAT: list[tuple[str, str, str | None]] = [
    # stage: "Hoe ver sta je?"
    ("stage", "nog niet begonnen", "dream"),
    ("stage", "Het is nog een droom", "dream"),
    ("stage", "droom", "dream"),
    ("stage", "gewoon een idee in mijn hoofd", "dream"),
    ("stage", "we zijn aan het tesetn", "testing"),
    ("stage", "proefproject", "testing"),
    ("stage", "het loopt al een jaar", "running"),
    ("stage", "pas encore commencé", "dream"),
    ("stage", "up and running", "running"),
    ("stage", "2", "testing"),
    ("stage", "ergens tussenin", None),
    ("stage", "het draait al en we willen opschalen", None),  # two options: unclear
    # scope: "Waar speelt je idee zich af?" (a place name is handled by the engine)
    ("scope", "in mijn wijk", "neighbourhood"),
    ("scope", "Mijn buurt", "neighbourhood"),
    ("scope", "stad", "city"),
    ("scope", "heel Vlaanderen", "belgium"),
    ("scope", "België", "belgium"),
    ("scope", "Limburg", "region"),
    ("scope", "internationaal", "world"),
    ("scope", "quartier", "neighbourhood"),
    # novelty
    ("novelty", "een gloednieuw idee", "new_idea"),
    ("novelty", "opschalen", "scaling"),
    ("novelty", "A brand-new idea", "new_idea"),
    ("novelty", "misschien", None),
    # multi-choice: one option or several
    ("solution_form", "een dienst", "service"),
    ("solution_form", "Een dienst", "service"),
    ("solution_form", "dienst", "service"),
    ("solution_form", "een dienst en een methode", "service,method"),
    ("solution_form", "app, aanpak", "product,method"),
    ("solution_form", "1,2", "product,service"),
    ("support", "geld en coaching", "coaching,funding"),
    ("support", "netwerk en contacten", "network"),
    ("support", "subsidies", "funding"),
    ("support", "alles", None),
]


@pytest.mark.parametrize(("step", "typed", "meant"), WHAT_MAPS_TO_WHAT)
def test_what_typed_words_mean(step: str, typed: str, meant: str | None) -> None:
    question = FLOW.question(step)
    assert question is not None
    checked = check_typed(question, typed, "nl")

    assert getattr(checked, "value", None) == meant


CONSENT: list[tuple[str, str]] = [
    ("ja", "yes"),
    ("Ja!", "yes"),
    ("akkoord", "yes"),
    ("oké", "yes"),
    ("Oui", "yes"),
    ("ik ga akkoord", "yes"),
    ("nee", "no"),
    ("liever niet", "no"),
]


@pytest.mark.parametrize(("typed", "meant"), CONSENT)
def test_the_consent_can_be_typed(typed: str, meant: str) -> None:
    chat = Chat(State("nl"))

    chat.say(typed)

    if meant == "yes":
        assert chat.state.consented and chat.step == FLOW.questions[0].key
        assert chat.keys()[0] == "consent_thanks"
    else:
        assert not chat.state.consented
        assert chat.keys() == ["consent_declined"]


@pytest.mark.parametrize(("typed", "language"), [("English", "en"), ("français", "fr")])
def test_a_language_can_be_typed_at_the_consent(typed: str, language: str) -> None:
    chat = Chat(State("nl"))

    chat.say(typed)

    assert chat.state.language == language and not chat.state.consented
    assert "consent" in chat.keys()
    assert f"consent:yes:{language}" in chat.data()


def test_words_that_are_no_answer_at_the_consent_still_ask_for_it() -> None:
    chat = Chat(State("nl"))

    chat.say("wat is dit?")

    assert not chat.state.consented
    assert chat.keys()[0] == "consent_first"


def test_a_typed_choice_is_said_back_as_understood() -> None:
    chat = Chat.consented().answer_until("stage")

    chat.say("nog niet begonnen")

    assert chat.answers["stage"] == "dream"
    assert chat.block("choice_understood").values["value"] == "💭 Het is nog een droom"
    assert chat.step == "scope"


def test_an_unclear_choice_names_the_options_in_words_and_shows_the_buttons() -> None:
    chat = Chat.consented().answer_until("stage")
    before = chat.state

    chat.say("ergens tussenin")

    options = str(chat.block("error_choose").values["options"])
    assert "1. 💭 Het is nog een droom" in options and "4. 📈 Klaar om op te schalen" in options
    assert "opt:stage:0" in chat.data()
    assert chat.state == before


@pytest.mark.parametrize("place", ["Gent", "Sint-Niklaas", "Borgerhout", "La Louvière"])
def test_a_place_typed_at_where_fills_the_municipality_and_picks_the_city(place: str) -> None:
    chat = Chat.consented().answer_until("scope")

    chat.say(place)

    assert chat.answers["scope"] == "city"
    assert chat.answers["municipality"] == place
    assert chat.block("place_understood").values["place"] == place
    assert chat.step == "support", "the municipality was answered with it"


@pytest.mark.parametrize(
    "typed", ["dat weet ik nog niet zo goed eigenlijk", "weet niet", "misschien", "geen idee"]
)
def test_words_that_are_no_place_are_not_taken_for_one(typed: str) -> None:
    chat = Chat.consented().answer_until("scope")

    chat.say(typed)

    assert "scope" not in chat.answers and chat.keys()[0] == "error_choose"


def test_folding_sets_case_accents_emoji_and_punctuation_aside() -> None:
    assert fold("💭 Het is nog een DRÓÓM!") == "het is nog een droom"
    assert fold("  Sint-Niklaas ") == "sint niklaas"


# --- the buttons' own words, typed (found in a newcomer's walk-through) -------------------


def test_typing_the_shorten_words_shortens_the_kept_answer_never_replaces_it() -> None:
    chat = Chat.consented()
    long_answer = "Een buurtfrigo voor iedereen in de wijk. " * 8
    chat.say(long_answer)

    chat.say("inkorten")

    assert chat.answers["idea"].startswith("Een buurtfrigo") and len(chat.answers["idea"]) <= 300
    assert chat.keys()[0] == "cut_done"


def test_typing_done_at_a_multi_choice_moves_on_with_the_ticks() -> None:
    chat = Chat.consented().answer_until("support")
    chat.press("tog:support:2")

    chat.say("klaar")

    assert chat.answers["support"] == "coaching" and chat.step == "support_detail"


def test_typing_keep_keeps_the_answer_given() -> None:
    chat = Chat.consented().answer_until("dream")
    chat.command("back")

    chat.say("antwoord behouden")

    assert chat.step == "dream" and not chat.answers["idea"].startswith("antwoord")


@pytest.mark.parametrize("typed", ["overslaan", "Passer", "skip"])
def test_typing_skip_at_an_optional_question_skips_it(typed: str) -> None:
    chat = Chat.consented().answer_until("on_board")

    chat.say(typed)

    assert "on_board" not in chat.answers and chat.step == "stage"


@pytest.mark.parametrize("typed", ["insturen", "Envoyer"])
def test_typing_send_on_the_review_card_sends(typed: str) -> None:
    chat = Chat.consented().answer_all()

    chat.say(typed)

    assert Effect.SUBMIT in chat.effects


def test_a_typed_consent_word_gives_its_own_language() -> None:
    chat = Chat(State("nl"))

    chat.say("oui")

    assert chat.state.consented and chat.state.language == "fr"


def test_a_language_name_typed_during_a_draft_switches_the_language_and_is_no_answer() -> None:
    chat = Chat.consented()

    chat.say("Français")

    assert chat.state.language == "fr" and chat.answers == {}
    assert chat.keys()[0] == "language_set"


def test_an_option_typed_at_a_multi_choice_is_ticked_beside_the_earlier_ticks() -> None:
    chat = Chat.consented().answer_until("support")
    chat.press("tog:support:2")
    chat.press("tog:support:3")

    chat.say("iets anders")

    assert chat.answers["support"] == "coaching,funding,other"


def test_already_named_is_filler_in_every_language() -> None:
    chat = Chat.consented("fr").answer_until("connect")
    chat.say("ça dépend")  # names no partner: the one follow-up

    chat.say("je les ai déjà cités")

    assert chat.answers["connect"] == "ça dépend" and chat.keys()[0] == "follow_up_kept"


def test_done_typed_after_a_typed_multi_choice_moved_on_is_no_answer() -> None:
    chat = Chat.consented().answer_until("solution_form")
    chat.say("een dienst")  # understood, and on to 5b
    assert chat.step == "solution"

    chat.say("klaar")

    assert "solution" not in chat.answers and chat.keys()[0] == "answer_needed"
    assert chat.step == "solution"


@pytest.mark.parametrize(
    ("typed", "section"), [("de oplossing", "solution_form"), ("Je droom", "dream")]
)
def test_a_section_named_on_the_review_card_is_edited(typed: str, section: str) -> None:
    chat = Chat.consented().answer_all()

    chat.say(typed)

    assert chat.draft.phase.value == "asking" and chat.step == section


@pytest.mark.parametrize("typed", ["seulement par Telegram", "via Telegram", "hier"])
def test_telegram_only_can_be_typed_at_the_contact_question(typed: str) -> None:
    chat = Chat.consented().answer_until("contact")

    chat.say(typed)

    assert chat.answers["contact"] == "telegram"
