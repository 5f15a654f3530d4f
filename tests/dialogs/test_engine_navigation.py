"""Moving through the pitch: back, skip, the review card, editing a section, sending."""

from __future__ import annotations

from dialogs.replies import Effect, text
from dialogs.state import Answer, Phase
from tests.dialogs.chat import FLOW, GOOD_ANSWERS, KEYS, Chat, asking, reviewing, stored_answers

# --- back ---------------------------------------------------------------------------------


def test_back_on_the_first_question_says_there_is_nothing_before_it() -> None:
    chat = Chat.consented()
    before = chat.state
    chat.command("back")
    assert chat.keys()[:2] == ["back_first", "progress"]
    assert chat.state == before


def test_back_shows_the_previous_question_with_my_answer_and_a_keep_button() -> None:
    chat = Chat.consented().answer_until("challenge")
    chat.command("back")
    assert chat.step == "dream"
    assert chat.progress() == ("2", 11)
    assert chat.values("current_answer") == {"value": GOOD_ANSWERS["dream"]}
    assert "next:dream" in chat.data()
    chat.press("next:dream")
    assert chat.step == "challenge"
    assert chat.answers["dream"] == GOOD_ANSWERS["dream"]


def test_back_from_a_new_section_lands_on_the_last_part_of_the_previous_one() -> None:
    chat = Chat.consented().answer_until("novelty")
    chat.command("back")
    assert chat.step == "solution"
    assert chat.progress() == ("5b", 11), "a part_of_previous question: its section, lettered"


def test_answering_again_after_back_replaces_the_old_answer() -> None:
    chat = Chat.consented().answer_until("dream")
    chat.command("back")
    chat.say("Een gedeelde moestuin voor alle buren in de Rabotwijk")
    assert chat.answers["idea"] == "Een gedeelde moestuin voor alle buren in de Rabotwijk"
    assert chat.step == "dream"


def test_back_drops_an_open_follow_up() -> None:
    chat = Chat.consented().answer_until("dream")
    chat.say("Beter")
    assert chat.draft.nudged
    chat.command("back")
    assert chat.step == "idea" and not chat.draft.nudged
    assert chat.answers["dream"] == "Beter", "the thin answer is kept"


# --- skip ---------------------------------------------------------------------------------


def test_skipping_an_optional_question_moves_on_without_an_answer() -> None:
    chat = Chat.consented().answer_until("on_board")
    assert "skip:on_board" in chat.data()
    chat.command("skip")
    assert chat.step == "stage"
    assert "on_board" not in chat.answers


def test_the_skip_button_on_an_optional_question_moves_on() -> None:
    chat = Chat.consented().answer_until("municipality")
    chat.press("skip:municipality")
    assert chat.step == "support"
    assert "municipality" not in chat.answers


def test_skipping_an_optional_question_i_already_answered_keeps_the_answer() -> None:
    chat = Chat.consented().answer_until("stage")
    chat.command("back")
    assert chat.step == "on_board"
    chat.command("skip")
    assert chat.step == "stage"
    assert chat.answers["on_board"] == GOOD_ANSWERS["on_board"]


def test_a_required_question_without_an_answer_cannot_be_skipped() -> None:
    chat = Chat.consented().answer_until("dream")
    before = chat.state
    chat.command("skip")
    assert chat.keys()[:2] == ["skip_required", "progress"]
    assert chat.state == before
    assert not any(d.startswith("skip:") for d in chat.data())


def test_a_required_question_i_already_answered_can_be_skipped_past() -> None:
    chat = Chat.consented().answer_until("dream")
    chat.command("back")
    chat.command("skip")
    assert chat.step == "dream"
    assert chat.answers["idea"] == GOOD_ANSWERS["idea"]


# --- the review card ----------------------------------------------------------------------


def test_after_the_last_question_i_see_the_whole_pitch_with_an_edit_button_per_section() -> None:
    chat = Chat.consented().answer_all()
    assert chat.draft.phase is Phase.REVIEW
    assert chat.answers == {k: a.value for k, a in stored_answers().items()}
    keys = chat.keys()
    assert keys[0] == "review_title" and keys[-1] == "review_footer"
    items = [b for b in chat.blocks() if b.key == "review_item"]
    assert [i.values["label"] for i in items] == [q.texts["nl"].label for q in FLOW.questions]
    assert items[4].values["value"] == "📦 Een product; 🤝 Een dienst"
    assert items[4].values["number"] == items[5].values["number"] == 5
    edits = [d for d in chat.data() if d.startswith("edit:")]
    assert edits == [f"edit:{q.key}" for q in FLOW.section_starts()]
    assert len(edits) == 11
    numbers = [b.label.values["number"] for b in chat.buttons() if b.data.startswith("edit:")]
    assert numbers == list(range(1, 12))
    assert chat.data()[-2:] == ["send", "cancel:ask"]


def test_a_skipped_question_shows_as_not_filled_in_on_the_card() -> None:
    answers = stored_answers()
    del answers["on_board"]
    chat = Chat(reviewing(answers))
    chat.command("start")
    chat.press("resume:continue")
    empty = [b.values for b in chat.blocks() if b.key == "review_item_empty"]
    assert empty == [{"number": 7, "label": "Al mee aan boord"}]


def test_typing_on_the_review_card_points_to_its_buttons() -> None:
    chat = Chat(reviewing())
    chat.say("nog iets")
    assert chat.keys()[:2] == ["review_use_buttons", "review_title"]
    assert chat.state == reviewing()


def test_skip_on_the_review_card_has_nothing_to_skip() -> None:
    chat = Chat(reviewing())
    chat.command("skip")
    assert chat.keys()[:2] == ["skip_review", "review_title"]
    assert chat.state == reviewing()


def test_back_from_the_review_card_returns_to_the_last_question() -> None:
    chat = Chat.consented().answer_all()
    chat.command("back")
    assert chat.draft.phase is Phase.ASKING and chat.step == KEYS[-1]
    assert chat.values("current_answer") == {"value": GOOD_ANSWERS["contact"]}


def test_editing_the_idea_from_the_card_returns_to_the_card() -> None:
    chat = Chat.consented().answer_all()
    chat.press("edit:idea")
    assert chat.step == "idea" and chat.draft.editing
    assert chat.progress() == ("1", 11)
    chat.say("Een repair café in elke middelbare school van Leuven")
    assert chat.draft.phase is Phase.REVIEW and not chat.draft.editing
    assert chat.answers["idea"] == "Een repair café in elke middelbare school van Leuven"
    assert chat.keys()[0] == "review_title"


def test_editing_a_section_walks_its_parts_then_returns_to_the_card() -> None:
    chat = Chat.consented().answer_all()
    chat.press("edit:solution_form")
    assert chat.step == "solution_form" and chat.progress() == ("5a", 11)
    chat.press("tog:solution_form:3")
    chat.press("done:solution_form")
    assert chat.step == "solution", "the part shown under the same number comes next"
    assert chat.progress() == ("5b", 11)
    chat.press("next:solution")
    assert chat.draft.phase is Phase.REVIEW
    assert chat.answers["solution_form"] == "product,service,method"
    assert chat.answers["solution"] == GOOD_ANSWERS["solution"]


def test_editing_a_section_with_an_optional_part_can_skip_that_part() -> None:
    chat = Chat.consented().answer_all()
    chat.press("edit:connect")
    chat.press("next:connect")
    assert chat.step == "on_board"
    chat.command("skip")
    assert chat.draft.phase is Phase.REVIEW
    assert chat.answers["on_board"] == GOOD_ANSWERS["on_board"]


def test_editing_the_last_section_returns_to_the_card() -> None:
    chat = Chat.consented().answer_all()
    chat.press("edit:name")
    chat.say("Jonas")
    assert chat.step == "contact"
    chat.say("0470 12 34 56")
    assert chat.draft.phase is Phase.REVIEW
    assert chat.answers["contact"] == "+32470123456"


def test_a_follow_up_while_editing_still_returns_to_the_card() -> None:
    chat = Chat.consented().answer_all()
    chat.press("edit:idea")
    chat.say("ja")
    assert chat.keys() == ["nudge"] and chat.draft.editing
    chat.press("keep:idea")
    assert chat.draft.phase is Phase.REVIEW


def test_back_while_editing_leaves_edit_mode_and_walks_on_from_there() -> None:
    chat = Chat.consented().answer_all()
    chat.press("edit:dream")
    chat.command("back")
    assert chat.step == "idea" and not chat.draft.editing
    chat.press("next:idea")
    assert chat.step == "dream"


# --- sending ------------------------------------------------------------------------------


def test_sending_from_the_card_submits_and_closes_the_draft() -> None:
    chat = Chat.consented().answer_all()
    chat.press("send")
    assert chat.effects == (Effect.SUBMIT,)
    assert chat.state.draft is None and chat.state.consented
    assert chat.replies == (), "the caller replies with the reference"


def test_sending_with_a_missing_answer_asks_that_question_then_returns_to_the_card() -> None:
    answers = stored_answers()
    del answers["novelty_detail"]  # the flow grew after this draft reached the card
    chat = Chat(reviewing(answers))
    chat.press("send")
    assert not chat.effects
    assert (chat.draft.phase, chat.step) == (Phase.ASKING, "novelty_detail")
    assert chat.keys()[:2] == ["missing_answer", "progress"]
    assert chat.progress() == ("6b", 11)
    chat.say(GOOD_ANSWERS["novelty_detail"])
    assert chat.draft.phase is Phase.REVIEW, "no need to walk the whole pitch again"
    chat.press("send")
    assert chat.effects == (Effect.SUBMIT,)


def test_sending_with_two_missing_answers_asks_them_one_by_one() -> None:
    answers = stored_answers()
    del answers["dream"], answers["name"]
    chat = Chat(reviewing(answers))
    chat.press("send")
    assert chat.step == "dream"
    chat.say(GOOD_ANSWERS["dream"])
    chat.press("send")
    assert chat.step == "name"
    chat.say(GOOD_ANSWERS["name"])
    assert chat.step == "contact"
    chat.press("next:contact")
    chat.press("send")
    assert chat.effects == (Effect.SUBMIT,)


def test_an_old_answer_without_its_question_does_not_block_sending() -> None:
    answers = {**stored_answers(), "retired": Answer("from an older flow")}
    chat = Chat(reviewing(answers))
    chat.press("send")
    assert chat.effects == (Effect.SUBMIT,)


def test_a_draft_from_storage_resumes_at_its_step() -> None:
    chat = Chat(asking("stage", {"idea": Answer(GOOD_ANSWERS["idea"], 3)}))
    chat.command("start")
    assert chat.values("resume_offer") == {"number": 8, "total": 11}


# --- back, and back to where I was ---------------------------------------------------------


def test_after_going_back_one_press_returns_to_where_i_was() -> None:
    chat = Chat.consented().answer_until("novelty")  # at question 6a
    for _ in range(3):
        chat.command("back")  # 5b, 5a, 4
    assert chat.step == "change"
    assert chat.replies[-1].buttons[0][0].data == "jump", "offered first"
    assert chat.replies[-1].buttons[0][0].label == text("button_return", number="6a")

    chat.say("Buren en supermarkten moeten samen afspreken hoe ze overschotten delen")
    assert chat.step == "solution_form" and "jump" in chat.data(), "walking on: still offered"
    chat.press("jump")

    assert chat.step == "novelty" and "jump" not in chat.data()
    assert chat.answers["change"].startswith("Buren en supermarkten"), "the change is kept"


def test_right_behind_where_i_was_the_next_question_is_the_way_back() -> None:
    chat = Chat.consented().answer_until("novelty")
    chat.command("back")  # 5b: the next question is where I was

    assert "jump" not in chat.data() and "next:solution" in chat.data()


def test_back_to_where_i_was_leads_to_the_card_when_all_was_answered() -> None:
    chat = Chat.consented().answer_all()
    chat.press("edit:idea")  # editing from the card returns to the card by itself
    assert "jump" not in chat.data()
    chat = Chat(asking("dream", stored_answers()))
    assert chat.state.draft is not None

    chat.command("help")  # shows the step again, with the way back
    assert chat.replies[-1].buttons[0][0].label == text("button_return_review")
    chat.press("jump")

    assert chat.draft.phase is Phase.REVIEW


def test_back_to_where_i_was_when_never_further_is_stale() -> None:
    chat = Chat.consented().answer_until("dream")
    before = chat.state

    chat.press("jump")

    assert chat.notice == "button_stale" and chat.state == before
