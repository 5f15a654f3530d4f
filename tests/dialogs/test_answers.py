"""Every kind of question, answered the way people really answer: typed, tapped, shared."""

from __future__ import annotations

import pytest

from dialogs.answers import (
    Accepted,
    Rejected,
    check_shared_phone,
    check_typed,
    display,
    is_thin,
    normalise_phone,
    shorten,
    unclear_choice,
)
from dialogs.flow import Question
from dialogs.replies import text
from dialogs.state import Answer, Phase
from tests.dialogs.chat import FLOW, GOOD_ANSWERS, Chat, asking


def _q(key: str) -> Question:
    question = FLOW.question(key)
    assert question is not None
    return question


# --- text ---------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["", " ", "\n\t  \n", "\u3000"])
def test_an_empty_message_is_refused_and_changes_nothing(typed: str) -> None:
    chat = Chat.consented()
    before = chat.state
    chat.say(typed)
    assert chat.keys() == ["error_empty"]
    assert chat.state == before


def test_a_too_long_answer_is_kept_and_can_be_shortened_or_replaced() -> None:
    chat = Chat.consented()
    chat.say("a" * 301)
    assert chat.keys() == ["error_overlong"]
    assert chat.values("error_overlong") == {"limit": 300, "length": 301}
    assert chat.answers == {"idea": "a" * 301}, "nothing typed is thrown away"
    assert chat.data() == ["cut:idea"] and chat.step == "idea"


def test_an_answer_of_exactly_the_limit_is_accepted() -> None:
    chat = Chat.consented()
    chat.say(" ".join(["woord"] * 50))  # 299 characters, many words
    assert chat.step == "dream"


def test_surrounding_spaces_do_not_count_and_are_not_stored() -> None:
    chat = Chat.consented().answer_until("name")
    chat.say("   Sofie   \n")
    assert chat.answers["name"] == "Sofie"


@pytest.mark.parametrize(
    "typed",
    [
        "Een buurtfrigo 🥕🍞🧃 voor iedereen in de wijk 🏘️",
        "مشروع لمساعدة الجيران في الحي على مشاركة الطعام",
        "<b>Vet</b> & <script>alert(1)</script> voor de buren, echt waar",
        "Eerste regel\nTweede regel\n\nDerde regel met meer woorden",
        "Ça marche: l'épicerie solidaire à Molenbeek",
    ],
)
def test_emoji_right_to_left_and_html_are_stored_verbatim(typed: str) -> None:
    chat = Chat.consented()
    chat.say(typed, message_id=5)
    assert chat.answers["idea"] == typed
    assert chat.draft.answers["idea"].message_id == 5


# --- single choice ------------------------------------------------------------------------


def test_a_choice_tapped_on_its_button_is_stored_by_key_and_moves_on() -> None:
    chat = Chat.consented().answer_until("novelty")
    labels = [b.label for b in chat.buttons() if b.data.startswith("opt:")]
    assert labels == [text("option", label=o.label("nl")) for o in _q("novelty").options]
    chat.press("opt:novelty:2")
    assert chat.answers["novelty"] == "scaling"
    assert chat.step == "novelty_detail"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("3", "scaling"),
        (" 1 ", "new_idea"),
        ("٣", "scaling"),
        ("Opschalen wat al werkt", "scaling"),
        ("opschalen WAT al werkt!", "scaling"),
        ("📈 Opschalen wat al werkt", "scaling"),
        ("A brand-new idea", "new_idea"),
        ("Nouveau pour ce public ou ce lieu", "new_context"),
    ],
)
def test_a_choice_can_be_typed_as_its_number_or_its_label(typed: str, stored: str) -> None:
    chat = Chat.consented().answer_until("novelty")
    chat.say(typed)
    assert chat.answers["novelty"] == stored
    assert chat.step == "novelty_detail"


@pytest.mark.parametrize("typed", ["0", "4", "-1", "misschien", "1, 2", "²"])
def test_a_typed_choice_that_fits_no_button_shows_the_buttons_again(typed: str) -> None:
    chat = Chat.consented().answer_until("novelty")
    before = chat.state
    chat.say(typed)
    assert chat.keys()[:2] == ["error_choose", "progress"]
    assert [d for d in chat.data() if d.startswith("opt:")] == [
        "opt:novelty:0",
        "opt:novelty:1",
        "opt:novelty:2",
    ]
    assert chat.state == before


# --- multiple choice ----------------------------------------------------------------------


def _ticks(chat: Chat) -> list[str]:
    return [b.label.key for b in chat.buttons() if b.data.startswith("tog:")]


def test_ticking_options_redraws_the_same_message_with_ticks() -> None:
    chat = Chat.consented().answer_until("solution_form")
    assert _ticks(chat) == ["option_off"] * 5
    chat.press("tog:solution_form:3")
    assert len(chat.replies) == 1 and chat.replies[0].replace
    assert _ticks(chat) == ["option_off", "option_off", "option_off", "option_on", "option_off"]
    chat.press("tog:solution_form:0")
    assert chat.answers["solution_form"] == "product,method", "stored in the flow's order"
    assert chat.step == "solution_form"
    chat.press("tog:solution_form:3")
    assert chat.answers["solution_form"] == "product"
    assert _ticks(chat) == ["option_on"] + ["option_off"] * 4


def test_unticking_the_last_option_leaves_the_question_unanswered() -> None:
    chat = Chat.consented().answer_until("solution_form")
    chat.press("tog:solution_form:1")
    chat.press("tog:solution_form:1")
    assert "solution_form" not in chat.answers
    assert _ticks(chat) == ["option_off"] * 5


def test_done_with_nothing_ticked_asks_to_pick_at_least_one() -> None:
    chat = Chat.consented().answer_until("solution_form")
    before = chat.state
    chat.press("done:solution_form")
    assert chat.keys()[:2] == ["error_pick_one", "progress"]
    assert chat.state == before


def test_done_after_ticking_moves_on() -> None:
    chat = Chat.consented().answer_until("support")
    chat.press("tog:support:4")
    chat.press("tog:support:2")
    chat.press("done:support")
    assert chat.answers["support"] == "coaching,other"
    assert chat.step == "support_detail"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1, 3", "product,organisation_model"),
        ("3,1", "product,organisation_model"),
        ("1; Een methode", "product,method"),
        ("2, 2, ,", "service"),
        ("A product, Autre chose", "product,other"),
    ],
)
def test_several_choices_can_be_typed_as_a_list(typed: str, stored: str) -> None:
    chat = Chat.consented().answer_until("solution_form")
    chat.say(typed)
    assert chat.answers["solution_form"] == stored
    assert chat.step == "solution"


@pytest.mark.parametrize("typed", ["1, 9", "alles", ",", "1 3"])
def test_a_typed_list_with_an_unknown_choice_is_refused(typed: str) -> None:
    chat = Chat.consented().answer_until("solution_form")
    before = chat.state
    chat.say(typed)
    assert chat.keys()[0] == "error_choose"
    assert chat.state == before


def test_the_review_card_lists_picked_options_by_their_labels() -> None:
    question = _q("support")
    assert display(question, "network,funding", "nl") == (
        "🕸️ Netwerk en contacten; 💶 Tips over financiering"
    )
    # an option a newer flow dropped is still shown, by its key: nothing is lost
    assert display(question, "network,retired_option", "en") == (
        "🕸️ Network and contacts; retired_option"
    )


# --- contact ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("sofie.peeters@voorbeeld.be", "sofie.peeters@voorbeeld.be"),
        ("0470 12 34 56", "+32470123456"),
        ("0470/12.34.56", "+32470123456"),
        ("0032 470 12 34 56", "+32470123456"),
        ("+32 470 12 34 56", "+32470123456"),
        ("09 123 45 67", "+3291234567"),
        ("+31 6 12345678", "+31612345678"),
    ],
)
def test_contact_accepts_an_email_or_a_belgian_phone_number(typed: str, stored: str) -> None:
    chat = Chat.consented().answer_until("contact")
    chat.say(typed)
    assert chat.answers["contact"] == stored
    assert chat.draft.phase is Phase.REVIEW


@pytest.mark.parametrize(
    "typed", ["bel me maar", "sofie@", "sofie@voorbeeld", "047012", "12", "a b@c.be"]
)
def test_contact_that_is_neither_email_nor_phone_is_refused(typed: str) -> None:
    chat = Chat.consented().answer_until("contact")
    before = chat.state
    chat.say(typed)
    assert chat.keys()[:2] == ["error_contact", "progress"], "with the buttons again"
    assert chat.state == before


def test_telegram_only_is_a_button_on_the_contact_question() -> None:
    chat = Chat.consented().answer_until("contact")
    assert chat.button("opt:contact:0").label == text("option", label="💬 Alleen via Telegram")
    chat.press("opt:contact:0")
    assert chat.answers["contact"] == "telegram"
    card = [b for b in chat.blocks() if b.key == "review_item"]
    assert card[-1].values["value"] == "💬 Alleen via Telegram"


def test_telegram_only_can_also_be_typed() -> None:
    chat = Chat.consented().answer_until("contact")
    chat.say("Alleen via Telegram")
    assert chat.answers["contact"] == "telegram"


@pytest.mark.parametrize("phone", ["+32470123456", "32470123456", "+32 470 12 34 56"])
def test_sharing_my_own_contact_answers_the_contact_question(phone: str) -> None:
    chat = Chat.consented().answer_until("contact")
    chat.share("contact", phone=phone, message_id=42)
    assert chat.draft.answers["contact"] == Answer("+32470123456", 42)
    assert chat.draft.phase is Phase.REVIEW


def test_a_shared_contact_without_a_usable_number_asks_for_a_phone_number() -> None:
    chat = Chat.consented().answer_until("contact")
    before = chat.state
    chat.share("contact", phone="12")
    assert chat.keys()[0] == "error_phone" and "question" in chat.keys()
    assert chat.state == before


def test_sharing_my_contact_elsewhere_is_not_an_answer() -> None:
    chat = Chat(asking("dream", {"idea": Answer(GOOD_ANSWERS["idea"])}))
    before = chat.state
    chat.share("contact", phone="+32470123456")
    assert chat.keys()[0] == "error_media" and "question" in chat.keys()
    assert chat.values("error_media") == {"kind": text("media_contact")}
    assert chat.state == before


# --- the pure checks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "phone"),
    [
        ("0470 12 34 56", "+32470123456"),
        ("0470-12-34-56", "+32470123456"),
        ("(0470) 12 34 56", "+32470123456"),
        ("0032470123456", "+32470123456"),
        ("+32470123456", "+32470123456"),
        ("+32 (0)470 12 34 56", "+32470123456"),
        ("+32 0470 12 34 56", "+32470123456"),
        ("0032 (0)9 123 45 67", "+3291234567"),
        ("0470", None),
        ("+32 470 12 34 56 78 90 12", None),
        ("0470 12 34 5x", None),
        ("", None),
    ],
)
def test_phone_numbers_are_normalised_to_international_form(raw: str, phone: str | None) -> None:
    assert normalise_phone(raw) == phone


def test_check_typed_names_what_to_do_instead() -> None:
    assert check_typed(_q("idea"), "  ", "nl") == Rejected(text("error_empty"))
    assert check_typed(_q("contact"), "nope", "nl") == Rejected(text("error_contact"))
    assert check_typed(_q("stage"), "7", "nl") == Rejected(unclear_choice(_q("stage"), "nl"))
    assert check_typed(_q("stage"), "4", "nl") == Accepted("ready_to_scale")


def test_a_shared_phone_only_answers_phone_like_questions() -> None:
    assert check_shared_phone(_q("contact"), "+32470123456") == Accepted("+32470123456")
    assert check_shared_phone(_q("name"), "+32470123456") == Rejected(
        text("error_media", kind=text("media_contact"))
    )


@pytest.mark.parametrize(
    ("key", "value", "thin"),
    [
        ("idea", "ja", True),
        ("idea", "een frigo voor de buurt", False),
        ("challenge", "Er is te veel afval op straat in de wijk", True),
        ("challenge", "Veel mensen hebben het koud in de winter", False),
        ("challenge", "Many families pay too much for energy in Genk", False),
        ("challenge", "Beaucoup de familles ont froid en hiver à Genk", False),
        ("name", "S", False),
        ("stage", "dream", False),
    ],
)
def test_what_counts_as_thin(key: str, value: str, thin: bool) -> None:
    assert is_thin(_q(key), value) is thin


def test_a_kept_overlong_answer_is_cut_after_its_last_sentence_that_fits() -> None:
    chat = Chat.consented()
    first = "Een buurtfrigo voor iedereen in de wijk. " * 7  # 7 × 41 = 287 characters
    chat.say(first + "En nog een lange zin die net niet meer past in de ruimte.")

    chat.press("cut:idea")

    assert chat.answers["idea"] == first.strip()
    assert chat.keys()[0] == "cut_done" and chat.step == "dream"


def test_an_overlong_answer_must_fit_before_going_on() -> None:
    chat = Chat.consented()
    chat.say("a" * 301)
    before = chat.state

    chat.press("next:idea")
    chat.command("skip")

    assert chat.state.draft == before.draft
    assert "error_overlong" in chat.keys(), "the way out is said again"
    chat.say("Een buurtfrigo in Borgerhout voor de overschotten van supermarkten")
    assert chat.step == "dream", "a shorter answer replaces it"


def test_a_long_text_question_says_its_limit_before_it_is_answered() -> None:
    chat = Chat.consented().answer_until("dream")

    assert chat.values("limit") == {"limit": 2000}


@pytest.mark.parametrize(
    ("value", "limit", "cut"),
    [
        ("Eén. Twee. Drie.", 12, "Eén. Twee."),
        ("woord " * 10, 20, "woord woord woord…"),
        ("kort", 10, "kort"),
    ],
)
def test_shortening_keeps_whole_sentences_or_else_whole_words(
    value: str, limit: int, cut: str
) -> None:
    assert shorten(value, limit) == cut
    assert len(shorten(value, limit)) <= limit
