"""Buttons pressed late or forged, media instead of text, edited messages, examples."""

from __future__ import annotations

import pytest

from dialogs.events import FILE_KINDS, MEDIA_KINDS, Shared
from dialogs.languages import LANGUAGES
from dialogs.replies import Effect, text
from dialogs.state import Answer, Phase, State
from tests.dialogs.chat import FLOW, GOOD_ANSWERS, KEYS, Chat, asking, reviewing, stored_answers

STATES = {
    "before consent": State("nl"),
    "no draft": State("nl", consented=True),
    "at the idea": asking("idea"),
    "at a choice": asking("novelty", {"idea": Answer(GOOD_ANSWERS["idea"])}),
    "on the card": reviewing(),
}

# --- stale buttons ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "data"),
    [
        (asking("idea"), "opt:novelty:0"),
        (asking("idea"), "tog:solution_form:1"),
        (asking("idea"), "done:support"),
        (asking("idea"), "edit:idea"),
        (asking("idea"), "send"),
        (asking("idea"), "keep:idea"),
        (asking("idea"), "next:idea"),
        (asking("dream", {"idea": Answer("ja")}), "keep:idea"),
        (reviewing(), "opt:stage:1"),
        (reviewing(), "next:contact"),
        (State("nl", consented=True), "resume:continue"),
        (State("nl", consented=True), "cancel:yes"),
        (State("nl", consented=True), "send"),
        (State("nl"), "edit:idea"),
        (asking("idea"), "consent:yes:nl"),
    ],
)
def test_a_button_from_an_earlier_step_is_stale_and_changes_nothing(
    state: State, data: str
) -> None:
    chat = Chat(state)
    chat.press(data)
    assert chat.notice == "button_stale"
    assert chat.state == state
    assert chat.replies, "the person is shown where they are"
    assert chat.effects == ()


def test_ticking_a_multi_choice_i_already_left_is_stale() -> None:
    chat = Chat.consented().answer_until("solution")
    before = chat.state
    chat.press("tog:solution_form:0")
    assert chat.notice == "button_stale"
    assert chat.state == before
    assert chat.progress() == ("5b", 11)


def test_a_second_tap_on_send_after_submitting_is_stale() -> None:
    chat = Chat(reviewing())
    chat.press("send")
    chat.press("send")
    assert chat.notice == "button_stale"
    assert chat.effects == ()


# --- forged or garbage buttons ------------------------------------------------------------

FORGED = [
    "opt:idea:99",
    "opt:idea:0",
    "opt:novelty:3",
    "opt:novelty:-1",
    "opt:novelty:²",
    "opt:novelty:1:2",
    "opt:novelty:",
    "tog:stage:0",
    "opt:solution_form:0",
    "done:novelty",
    "next:idea:1",
    "lang:de",
    "lang:",
    "consent:yes:xx",
    "consent:maybe:nl",
    "consent:yes",
    "zzz",
    "",
    ":",
    "opt:nope:1",
    "opt:",
    "edit:solution",
    "edit:nope",
    "send:now",
    "resume:later",
    "cancel:maybe",
    "ex:nope",
    "ex:",
    "next:nope",
    "skip:nope",
    "OPT:novelty:0",
    "x" * 70,
    "opt:" + "é" * 40 + ":1",
    "doc:",
    "doc:P-2026",
    "doc:p-2026-0001",
    "doc:P-2026-0001:x",
    "doc:P-2026-0001234567890",
    "doc:../../etc/passwd",
]


@pytest.mark.parametrize("where", list(STATES))
@pytest.mark.parametrize("data", FORGED)
def test_a_forged_button_is_unknown_whatever_the_state(where: str, data: str) -> None:
    state = STATES[where]
    chat = Chat(state)
    chat.press(data)
    assert chat.notice == "button_unknown"
    assert chat.state == state
    assert chat.effects == ()


# --- the PDF of a sent pitch (/mypitches) ------------------------------------------------


@pytest.mark.parametrize("where", ["no draft", "at the idea", "at a choice", "on the card"])
def test_asking_for_a_pitchs_pdf_leaves_the_conversation_where_it_was(where: str) -> None:
    """Whether the pitch is theirs only storage knows: the engine passes the reference on."""
    state = STATES[where]
    pressed = Chat(state).press("doc:P-2026-0042")
    typed = Chat(state).command("mypitches", "p-2026-0042 please")
    for outcome in (pressed, typed):
        assert outcome.effects == (Effect.DOCUMENT,)
        assert outcome.document == "P-2026-0042"
        assert outcome.state == state and outcome.replies == () and outcome.notice is None


def test_before_consent_there_is_no_pitch_to_send() -> None:
    for outcome in (
        Chat(State("nl")).press("doc:P-2026-0042"),
        Chat(State("nl")).command("mypitches", "P-2026-0042"),
    ):
        assert outcome.effects == ()
        assert [b.key for r in outcome.replies for b in r.blocks] == ["document_not_yours"]


def test_mypitches_without_a_reference_lists_the_pitches() -> None:
    outcome = Chat(State("nl", consented=True)).command("mypitches", "alles")
    assert outcome.effects == (Effect.LIST_PITCHES,)
    assert outcome.document is None


# --- the example button -------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_example_button_shows_the_example_and_changes_nothing(language: str) -> None:
    for key in KEYS:
        state = asking(key)
        state = State(language, True, state.draft)
        chat = Chat(state)
        chat.press(f"ex:{key}")
        texts = FLOW.question(key).texts[language]  # type: ignore[union-attr]
        assert chat.keys() == ["example"]
        assert chat.values("example") == {"label": texts.label, "example": texts.example}
        assert chat.state == state and chat.notice is None


def test_every_question_offers_an_example_button() -> None:
    chat = Chat.consented()
    while chat.state.draft and chat.draft.phase is Phase.ASKING:
        assert f"ex:{chat.step}" in chat.data()
        chat.say(GOOD_ANSWERS[chat.step])


# --- media --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", MEDIA_KINDS)
def test_media_instead_of_text_is_explained_and_changes_nothing(kind: str) -> None:
    """During a draft every kind is explained; a file also says when it can be sent."""
    for where in ("at the idea", "at a choice", "on the card"):
        state = STATES[where]
        chat = Chat(state)
        chat.share(kind, message_id=9)
        later = ["files_after_sending"] if kind in FILE_KINDS else []
        assert chat.keys()[: 1 + len(later)] == ["error_media", *later]
        assert chat.replies[-1].buttons, "then the step again, with its buttons"
        assert chat.values("error_media") == {"kind": text(f"media_{kind}")}
        assert chat.state == state


@pytest.mark.parametrize("kind", MEDIA_KINDS)
def test_outside_a_draft_a_file_is_for_the_team_and_anything_else_explained(kind: str) -> None:
    chat = Chat(STATES["no draft"])
    chat.share(kind, message_id=9)
    if kind in FILE_KINDS:
        assert Effect.RELAY in chat.effects, "the caller passes it to the team"
    else:
        assert Effect.RELAY not in chat.effects
        assert chat.keys() == ["error_media"]
    chat.send(Shared("document", message_id=9, size=21 * 2**20))
    assert chat.keys() == ["file_too_big"] and Effect.RELAY not in chat.effects


# --- edited messages ----------------------------------------------------------------------


def test_editing_an_earlier_answer_updates_it_and_says_so() -> None:
    chat = Chat.consented()
    chat.say(GOOD_ANSWERS["idea"], message_id=100)
    chat.say(GOOD_ANSWERS["dream"], message_id=101)
    chat.edit(100, "  Een buurtfrigo in Berchem, voor alle buren  ")
    assert chat.keys() == ["edit_applied"]
    assert chat.values("edit_applied") == {
        "label": "Je idee",
        "value": "Een buurtfrigo in Berchem, voor alle buren",
    }
    assert chat.draft.answers["idea"] == Answer("Een buurtfrigo in Berchem, voor alle buren", 100)
    assert chat.step == "challenge", "editing does not move me"


def test_editing_a_typed_choice_updates_the_choice() -> None:
    chat = Chat.consented().answer_until("novelty")
    chat.say("1", message_id=7)
    chat.edit(7, "3")
    assert chat.answers["novelty"] == "scaling"
    assert chat.values("edit_applied")["value"] == "📈 Opschalen wat al werkt"


def test_editing_my_contact_normalises_the_new_phone_number() -> None:
    chat = Chat.consented().answer_until("contact")
    chat.say("sofie@voorbeeld.be", message_id=55)
    chat.edit(55, "0470 12 34 56")
    assert chat.answers["contact"] == "+32470123456"
    assert chat.values("edit_applied")["value"] == "+32470123456"


@pytest.mark.parametrize(
    ("edited", "reason"), [("   ", "error_empty"), ("x" * 301, "error_too_long")]
)
def test_an_edit_that_would_not_be_accepted_changes_nothing(edited: str, reason: str) -> None:
    chat = Chat.consented()
    chat.say(GOOD_ANSWERS["idea"], message_id=100)
    before = chat.state
    chat.edit(100, edited)
    assert chat.keys() == ["edit_rejected", reason]
    assert chat.values("edit_rejected") == {"label": "Je idee"}
    assert chat.state == before


def test_an_edit_of_a_choice_into_nonsense_is_rejected() -> None:
    chat = Chat.consented().answer_until("novelty")
    chat.say("2", message_id=8)
    before = chat.state
    chat.edit(8, "geen idee")
    assert chat.keys() == ["edit_rejected", "error_choose"]
    assert chat.state == before


@pytest.mark.parametrize(
    ("state", "key"),
    [
        (State("nl"), "consent_first"),
        (State("nl", consented=True), "edit_not_applied"),
        (asking("dream", {"idea": Answer("x", 1)}), "edit_not_found"),
    ],
)
def test_editing_a_message_that_is_no_answer_is_not_applied(state: State, key: str) -> None:
    chat = Chat(state)
    chat.edit(999, "iets anders")
    assert key in chat.keys()
    assert chat.state == state


def test_an_edit_on_the_review_card_updates_the_card_answer() -> None:
    answers = {**stored_answers(), "name": Answer("Sofie", 31)}
    chat = Chat(reviewing(answers))
    chat.edit(31, "Sofie Peeters")
    assert chat.answers["name"] == "Sofie Peeters"
    assert chat.draft.phase is Phase.REVIEW


# --- callback data ------------------------------------------------------------------------


def _walk_everything(language: str) -> list[str]:
    chat = Chat(State(language))
    chat.command("start")
    chat.press("lang:pick")
    chat.press(f"lang:{language}")
    chat.press(f"consent:yes:{language}")
    chat.say("ja")  # a follow-up with its keep button
    chat.press("keep:idea")
    chat.command("back")  # the keep-answer button
    chat.answer_until("solution_form")
    for i in range(5):
        chat.press(f"tog:solution_form:{i}")
    chat.press("done:solution_form")
    chat.answer_until("contact")
    chat.command("start")  # the resume offer
    chat.command("cancel")
    chat.press("cancel:no")
    chat.answer_all()
    for data in [d for d in chat.data() if d.startswith("edit:")]:
        chat.press(data)
        while chat.draft.phase is Phase.ASKING:
            chat.say(GOOD_ANSWERS[chat.step])
    chat.command("language")
    chat.press("cancel:ask")
    return chat.emitted


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_button_the_engine_draws_fits_telegrams_64_bytes(language: str) -> None:
    emitted = _walk_everything(language)
    kinds = {d.split(":")[0] for d in emitted}
    assert kinds >= {"consent", "lang", "keep", "next", "tog", "done", "opt", "ex", "skip"}
    assert kinds >= {"resume", "cancel", "edit", "send"}
    for data in emitted:
        assert 0 < len(data.encode("utf-8")) <= 64, data
