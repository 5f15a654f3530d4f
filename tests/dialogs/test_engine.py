"""The conversation engine: consent, commands, language and the one follow-up question."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dialogs.engine import KNOWN_COMMANDS
from dialogs.languages import LANGUAGES
from dialogs.replies import Effect
from dialogs.state import Draft, Phase, State
from tests.dialogs.chat import FLOW, GOOD_ANSWERS, SECTIONS, Chat, asking, reviewing

# --- consent ------------------------------------------------------------------------------


def test_start_before_consent_welcomes_and_asks_consent_in_my_language() -> None:
    chat = Chat(State("nl"))
    chat.command("start")
    assert chat.keys() == ["welcome", "consent"]
    assert chat.data() == ["consent:yes:nl", "consent:no:nl", "lang:pick"]
    assert chat.state == State("nl")


def test_saying_no_to_consent_stores_nothing() -> None:
    chat = Chat(State("nl"))
    chat.command("start")
    chat.press("consent:no:nl")
    assert chat.keys() == ["consent_declined"]
    assert chat.state == State("nl")
    assert not chat.state.consented and chat.state.draft is None
    assert chat.effects == ()


def test_saying_yes_starts_a_draft_at_question_one_of_eleven() -> None:
    chat = Chat(State("nl"))
    chat.command("start")
    chat.press("consent:yes:nl")
    assert chat.state.consented
    assert chat.draft == Draft(step="idea")
    assert chat.keys()[:2] == ["consent_thanks", "progress"]
    assert chat.progress() == ("1", 11) == ("1", SECTIONS)
    assert chat.values("question") == {"prompt": FLOW.questions[0].texts["nl"].prompt}


def test_typing_before_consent_reminds_me_and_stores_nothing() -> None:
    chat = Chat(State("nl"))
    chat.say("Ik wil een buurtfrigo beginnen")
    assert chat.keys() == ["consent_first", "consent"]
    assert "consent:yes:nl" in chat.data()
    assert chat.state == State("nl")


def test_switching_language_before_consent_welcomes_me_again_in_that_language() -> None:
    chat = Chat(State("nl"))
    chat.command("start")
    chat.press("lang:pick")
    assert chat.keys() == ["language_pick"]
    assert chat.data() == ["lang:nl", "lang:en", "lang:fr"]
    chat.press("lang:fr")
    assert chat.state == State("fr")
    assert chat.keys() == ["welcome", "consent"]
    assert chat.data()[:2] == ["consent:yes:fr", "consent:no:fr"]
    chat.press("consent:yes:fr")
    assert chat.state.language == "fr" and chat.state.consented
    assert chat.values("question")["prompt"] == FLOW.questions[0].texts["fr"].prompt


def test_consent_button_pressed_twice_is_stale_and_keeps_my_answers() -> None:
    chat = Chat.consented()
    chat.say(GOOD_ANSWERS["idea"])
    before = chat.state
    chat.press("consent:yes:nl")
    assert chat.notice == "button_stale"
    assert chat.state == before


def test_media_before_consent_asks_for_consent_first() -> None:
    chat = Chat(State("nl"))
    chat.share("photo")
    assert chat.keys() == ["consent_first", "consent"]
    assert chat.state == State("nl")


def test_a_stored_unknown_language_falls_back_to_dutch() -> None:
    chat = Chat(State("de"))
    chat.command("start")
    assert chat.data()[:2] == ["consent:yes:nl", "consent:no:nl"]


def test_a_whole_pitch_from_hello_to_sent_in_english() -> None:
    chat = Chat(State("en"))
    chat.command("start")
    chat.press("consent:yes:en")
    chat.say("A shared vegetable garden for the neighbours of the Rabot area")
    chat.say("A neighbourhood where everybody grows food and knows each other by name")
    chat.say("Many older people in the Rabot area feel lonely and rarely go outside")
    chat.say("Neighbours need a reason and a place to meet each other every week")
    chat.press("tog:solution_form:1")
    chat.press("tog:solution_form:3")
    chat.press("done:solution_form")
    chat.say("Weekly gardening afternoons on a vacant plot, open to all residents")
    chat.press("opt:novelty:1")
    chat.say("Gardens exist, but none that invite isolated older neighbours in person")
    chat.say("The community centre, the city of Ghent, the primary school and volunteers")
    chat.press("skip:on_board")
    chat.press("opt:stage:0")
    chat.press("opt:scope:1")
    chat.say("Gent")
    chat.press("tog:support:0")
    chat.press("done:support")
    chat.command("skip")
    chat.say("Sofie")
    chat.press("opt:contact:0")
    assert chat.draft.phase is Phase.REVIEW
    assert chat.keys()[0] == "review_title"
    assert chat.answers == {
        "idea": "A shared vegetable garden for the neighbours of the Rabot area",
        "dream": "A neighbourhood where everybody grows food and knows each other by name",
        "challenge": "Many older people in the Rabot area feel lonely and rarely go outside",
        "change": "Neighbours need a reason and a place to meet each other every week",
        "solution_form": "service,method",
        "solution": "Weekly gardening afternoons on a vacant plot, open to all residents",
        "novelty": "new_context",
        "novelty_detail": "Gardens exist, but none that invite isolated older neighbours in person",
        "connect": "The community centre, the city of Ghent, the primary school and volunteers",
        "stage": "dream",
        "scope": "city",
        "municipality": "Gent",
        "support": "session",
        "name": "Sofie",
        "contact": "telegram",
    }
    chat.press("send")
    assert chat.effects == (Effect.SUBMIT,)
    assert chat.state == State("en", consented=True)


# --- commands -----------------------------------------------------------------------------


def test_start_when_consented_without_a_draft_opens_a_new_one() -> None:
    chat = Chat(State("nl", consented=True))
    chat.command("start")
    assert chat.keys()[:2] == ["start_new", "progress"]
    assert chat.draft == Draft(step="idea")


def test_start_with_an_open_draft_offers_to_resume_or_restart() -> None:
    chat = Chat.consented().answer_until("challenge")
    before = chat.state
    chat.command("start")
    assert chat.keys() == ["resume_offer"]
    assert chat.values("resume_offer") == {"number": 3, "total": 11}
    assert chat.data() == ["resume:continue", "resume:restart"]
    assert chat.state == before


def test_continuing_an_open_draft_shows_the_question_where_i_was() -> None:
    chat = Chat.consented().answer_until("challenge")
    before = chat.state
    chat.command("start")
    chat.press("resume:continue")
    assert chat.state == before
    assert chat.progress() == ("3", 11)


def test_restarting_discards_the_old_draft_and_starts_fresh() -> None:
    chat = Chat.consented().answer_until("challenge")
    chat.command("start")
    chat.press("resume:restart")
    assert chat.effects == (Effect.DISCARD_DRAFT,)
    assert chat.draft == Draft(step="idea")
    assert chat.keys()[:2] == ["restart_done", "progress"]
    assert chat.progress() == ("1", 11)


def test_start_while_reviewing_offers_to_resume_the_review() -> None:
    chat = Chat(reviewing())
    chat.command("start")
    assert chat.keys() == ["resume_offer_review"]
    assert chat.values("resume_offer_review") == {}
    chat.press("resume:continue")
    assert chat.keys()[0] == "review_title"


@pytest.mark.parametrize("name", ["back", "skip", "cancel"])
def test_draft_commands_without_an_open_draft_say_nothing_is_open(name: str) -> None:
    for state in (State("nl"), State("nl", consented=True)):
        chat = Chat(state)
        chat.command(name)
        assert chat.keys() == ["nothing_open"]
        assert chat.values("nothing_open") == {"command": name}
        assert chat.state == state


@pytest.mark.parametrize("name", ["frobnicate", "", "START", "start@otherbot"])
def test_an_unknown_command_says_so_and_changes_nothing(name: str) -> None:
    chat = Chat.consented()
    before = chat.state
    chat.command(name)
    assert chat.keys() == ["unknown_command", "progress", "question", "hint", "limit"]
    assert "ex:idea" in chat.data(), "with its buttons"
    assert chat.values("unknown_command") == {"command": name}
    assert chat.state == before


@pytest.mark.parametrize("name", ["help", "privacy"])
def test_help_and_privacy_answer_anywhere_then_show_where_i_am(name: str) -> None:
    for state, step in (
        (State("nl"), "consent"),
        (asking("dream"), "question"),
        (reviewing(), "review_title"),
    ):
        chat = Chat(state)
        chat.command(name)
        assert chat.keys()[0] == name and step in chat.keys(), "the step again, with buttons"
        assert len(chat.replies) == 2 and chat.replies[1].buttons
        assert chat.state == state


def test_help_without_a_draft_only_helps() -> None:
    chat = Chat(State("nl", consented=True))
    chat.command("help")
    assert chat.keys() == ["help"]


def test_mypitches_asks_the_caller_for_the_list_and_says_nothing_itself() -> None:
    for state in (State("nl"), asking("dream"), reviewing()):
        chat = Chat(state)
        chat.command("mypitches")
        assert chat.effects == (Effect.LIST_PITCHES,)
        assert chat.replies == ()
        assert chat.state == state


def test_every_known_command_is_understood() -> None:
    for name in KNOWN_COMMANDS:
        chat = Chat(asking("dream"))
        chat.command(name)
        assert "unknown_command" not in chat.keys()


# --- cancel -------------------------------------------------------------------------------


def test_cancel_asks_first_and_yes_discards_the_draft() -> None:
    chat = Chat.consented().answer_until("change")
    chat.command("cancel")
    assert chat.values("cancel_confirm") == {}
    assert chat.data() == ["cancel:yes", "cancel:no"]
    assert chat.draft.answers, "nothing is lost by only asking"
    chat.press("cancel:yes")
    assert chat.effects == (Effect.DISCARD_DRAFT,)
    assert chat.state.draft is None and chat.state.consented
    assert chat.keys() == ["cancel_done"]


def test_cancel_then_no_keeps_everything_and_shows_where_i_was() -> None:
    chat = Chat.consented().answer_until("change")
    before = chat.state
    chat.command("cancel")
    chat.press("cancel:no")
    assert chat.state == before
    assert chat.effects == ()
    assert chat.keys()[:2] == ["cancel_kept", "progress"]


def test_cancel_from_the_review_card_asks_first() -> None:
    chat = Chat(reviewing())
    chat.press("cancel:ask")
    assert chat.keys() == ["cancel_confirm"]
    draft = reviewing().draft
    assert draft is not None
    assert chat.state == replace(reviewing(), draft=replace(draft, confirming_cancel=True))


def test_a_typed_no_to_the_cancel_question_is_not_taken_as_an_answer() -> None:
    chat = Chat.consented()
    chat.say("Een buurtfrigo")  # thin: the follow-up is asked
    chat.command("cancel")
    asked = chat.state
    chat.say("nee")
    assert chat.keys() == ["cancel_use_buttons", "cancel_confirm"]
    assert chat.state == asked and chat.answers == {"idea": "Een buurtfrigo"}
    chat.press("cancel:no")
    assert not chat.draft.confirming_cancel
    chat.say("voor de hele buurt")
    assert chat.answers == {"idea": "Een buurtfrigo\nvoor de hele buurt"}


# --- language mid-flow --------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_switching_language_mid_flow_keeps_every_answer(language: str) -> None:
    chat = Chat.consented().answer_until("solution")
    answers = dict(chat.draft.answers)
    chat.command("language")
    assert chat.data() == ["lang:nl", "lang:en", "lang:fr"]
    chat.press(f"lang:{language}")
    assert chat.state.language == language
    assert chat.draft.answers == answers and chat.step == "solution"
    assert chat.keys()[:2] == ["language_set", "progress"]
    prompt = FLOW.question("solution").texts[language].prompt  # type: ignore[union-attr]
    assert chat.values("question") == {"prompt": prompt}
    assert chat.progress() == ("5b", 11)


def test_switching_language_on_the_review_card_shows_the_card_in_that_language() -> None:
    chat = Chat(reviewing())
    chat.press("lang:en")
    assert chat.state == reviewing(language="en")
    assert chat.keys()[:2] == ["language_set", "review_title"]
    idea = next(b for b in chat.blocks() if b.key == "review_item")
    assert idea.values["label"] == "Your idea"


def test_switching_language_while_a_follow_up_is_open_repeats_the_follow_up() -> None:
    chat = Chat.consented()
    chat.say("ja")
    chat.press("lang:en")
    assert chat.draft.nudged
    assert chat.keys()[-1] == "nudge"
    assert chat.values("nudge")["nudge"] == FLOW.questions[0].texts["en"].nudge


# --- the one follow-up (nudge) ------------------------------------------------------------


def test_a_thin_idea_is_stored_and_gets_one_follow_up() -> None:
    chat = Chat.consented()
    chat.say("ja", message_id=10)
    assert chat.answers == {"idea": "ja"}
    assert chat.draft.nudged and chat.step == "idea"
    assert chat.keys() == ["nudge"]
    assert chat.data() == ["keep:idea"]


def test_the_answer_after_a_follow_up_is_added_and_accepted_even_if_still_thin() -> None:
    chat = Chat.consented()
    chat.say("buurtfrigo")
    chat.say("  voor iedereen  ")
    assert chat.answers == {"idea": "buurtfrigo\nvoor iedereen"}
    assert chat.step == "dream" and not chat.draft.nudged
    assert chat.progress() == ("2", 11)


def test_a_thin_challenge_gets_one_follow_up_then_is_accepted() -> None:
    chat = Chat.consented().answer_until("challenge")
    chat.say("Er is te veel afval op straat in onze wijk")  # names no people
    assert chat.keys() == ["nudge"]
    assert chat.answers["challenge"] == "Er is te veel afval op straat in onze wijk"
    chat.say("Vooral in de Seefhoek")
    assert chat.step == "change"
    assert chat.answers["challenge"].endswith("\nVooral in de Seefhoek")


def test_a_challenge_naming_people_needs_no_follow_up() -> None:
    chat = Chat.consented().answer_until("challenge")
    chat.say("Veel alleenstaande ouders in Genk zitten in de winter in de kou")
    assert chat.step == "change"


def test_keep_accepts_a_thin_answer_as_it_is() -> None:
    chat = Chat.consented()
    chat.say("ja")
    chat.press("keep:idea")
    assert chat.answers == {"idea": "ja"}
    assert chat.step == "dream" and not chat.draft.nudged


def test_an_empty_message_after_a_follow_up_keeps_the_follow_up_open() -> None:
    chat = Chat.consented()
    chat.say("ja")
    chat.say("   ")
    assert chat.keys() == ["error_empty"]
    assert chat.draft.nudged and chat.answers == {"idea": "ja"}


def test_there_is_never_a_second_follow_up_for_the_same_question() -> None:
    chat = Chat.consented()
    chat.say("ja")
    chat.say("nee")
    assert "nudge" not in chat.keys()
    assert chat.step == "dream"


def test_a_combined_answer_that_grows_too_long_is_kept_to_be_shortened() -> None:
    chat = Chat.consented()
    chat.say("buurtfrigo")
    chat.say("x" * 290)
    assert chat.keys() == ["error_overlong"]
    assert chat.values("error_overlong") == {"length": 301, "limit": 300}
    assert chat.answers == {"idea": "buurtfrigo\n" + "x" * 290}, "both parts kept"
    assert not chat.draft.nudged and chat.step == "idea"


def test_a_follow_up_replaces_a_first_answer_that_said_nothing() -> None:
    chat = Chat.consented()
    chat.say("ja")
    chat.say("een frigo")
    assert chat.answers == {"idea": "een frigo"}
    assert chat.step == "dream"


def test_a_combined_answer_cannot_be_overwritten_by_editing_one_of_its_messages() -> None:
    chat = Chat.consented()
    chat.say("Repair café", message_id=41)
    chat.say("in elke school", message_id=42)
    assert chat.answers["idea"] == "Repair café\nin elke school"
    chat.edit(42, "iets heel anders")
    assert chat.keys() == ["edit_not_found"]
    assert chat.answers["idea"] == "Repair café\nin elke school"


def test_a_full_answer_to_the_follow_up_replaces_a_bare_yes() -> None:
    chat = Chat.consented()
    chat.say("ja", message_id=41)
    chat.say("Een repair café in elke school van de stad", message_id=42)
    assert chat.answers["idea"] == "Een repair café in elke school van de stad"
    assert chat.step == "dream"
    chat.edit(42, "Een repair café in elke school van Gent")
    assert chat.answers["idea"] == "Een repair café in elke school van Gent"


def test_choice_and_contact_questions_never_get_a_follow_up() -> None:
    chat = Chat.consented().answer_until("name")
    chat.say("S")
    assert chat.step == "contact"
    chat.say("a@b.be")
    assert chat.draft.phase is Phase.REVIEW
