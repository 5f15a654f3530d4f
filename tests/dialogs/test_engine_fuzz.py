"""Whatever a person types, taps or sends, in any order, the engine keeps its promises.

Hypothesis plays whole conversations of up to 40 turns: commands (known and made up),
text (empty, huge, numbers, e-mail addresses, good answers), presses of the buttons the
bot just showed as well as stale and forged callback data, media and edited messages.
After every turn the state must be valid, no answer may silently disappear, and every
reply must render in the person's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs.answers import Accepted, Overlong, check_typed, display
from dialogs.catalog import Catalog
from dialogs.engine import KNOWN_COMMANDS
from dialogs.events import MEDIA_KINDS, Command, Edited, Event, Pressed, Said, Shared
from dialogs.flow import Kind, Question
from dialogs.languages import LANGUAGES
from dialogs.replies import Effect, Outcome, Text
from dialogs.state import Answer, Draft, Phase, State
from tests.dialogs.chat import ENGINE, FLOW, GOOD_ANSWERS, KEYS

CATALOG = Catalog.load()
FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
QUESTIONS: Mapping[str, Question] = {q.key: q for q in FLOW.questions}

# --- strategies ---------------------------------------------------------------------------

REALISTIC_TEXTS = [
    "ja",
    "nee",
    "1",
    "2",
    "7",
    "1, 3",
    "2;4",
    "0470 12 34 56",
    "0032 470 12 34 56",
    "sofie@voorbeeld.be",
    "Alleen via Telegram",
    "Opschalen wat al werkt",
    "<b>vet</b> & 🥕",
    "²",
    "٣",
    "1, ①",
    "مرحبا بالجيران",
    *GOOD_ANSWERS.values(),
    *(q.texts["nl"].example for q in FLOW.questions),
]
FORGED_DATA = [
    "opt:idea:99",
    "tog:stage:0",
    "opt:stage:²",
    "lang:de",
    "consent:yes:xx",
    "zzz",
    "opt:nope:1",
]
ACTIONS = ["opt", "tog", "done", "skip", "keep", "next", "edit", "ex", "send", "resume", "cancel"]

message_ids = st.integers(min_value=1, max_value=12)
conversation_lengths = st.integers(min_value=1, max_value=40)
long_texts = st.builds(
    lambda unit, count: unit * count,
    st.sampled_from(["a", "é", "🥕", "woord ", "\n", " "]),
    st.integers(min_value=250, max_value=2500),
)
texts = st.one_of(
    st.sampled_from(REALISTIC_TEXTS),
    st.text(max_size=40),
    long_texts,
    st.from_regex(r"\d{1,3}(\s?[,;]\s?\d{1,2}){0,3}", fullmatch=True),
    st.emails(),
    st.just(""),
)
forged_data = st.one_of(
    st.sampled_from(FORGED_DATA),
    st.text(max_size=70),
    st.builds(
        lambda action, key, n: f"{action}:{key}" + (f":{n}" if n is not None else ""),
        st.sampled_from(ACTIONS),
        st.sampled_from([*KEYS, "nope", ""]),
        st.none() | st.integers(min_value=-2, max_value=9),
    ),
    st.builds(
        lambda a, lang: f"consent:{a}:{lang}",
        st.sampled_from(["yes", "no", "maybe"]),
        st.sampled_from([*LANGUAGES, "de", ""]),
    ),
    st.sampled_from(
        [
            "lang:nl",
            "lang:en",
            "lang:fr",
            "lang:pick",
            "send",
            "cancel:yes",
            "forget:yes",
            "forget:no",
            "forget:maybe",
        ]
    ),
)
phones = st.one_of(
    st.none(),
    st.sampled_from(["+32470123456", "32470123456", "0470123456", "12", "+", ""]),
    st.from_regex(r"\+?\d{6,16}", fullmatch=True),
)


any_event: st.SearchStrategy[Event] = st.one_of(
    st.builds(Said, texts, st.none() | message_ids),
    st.builds(Command, st.sampled_from(KNOWN_COMMANDS)),
    st.builds(Command, st.text(max_size=12)),
    st.builds(Pressed, forged_data),
    st.builds(Shared, st.sampled_from(MEDIA_KINDS), phones, st.none() | message_ids),
    st.builds(Edited, message_ids, texts),
)
turns = st.integers(min_value=0, max_value=9)
picks = st.integers(min_value=0, max_value=63)
maybe_ids = st.none() | message_ids


def next_event(data: st.DataObject, state: State, shown: list[str]) -> Event:
    """A next turn: mostly what a person would do here, sometimes anything at all.

    Strategies are built once: building them per turn would cost most of the run time.
    """
    turn = data.draw(turns, label="turn")
    draft = state.draft
    asking = draft is not None and draft.phase is Phase.ASKING
    if shown and (turn < 3 or (turn < 7 and not asking)):
        return Pressed(shown[data.draw(picks, label="button") % len(shown)])
    if turn < 7 and draft is not None and asking:
        return Said(GOOD_ANSWERS[draft.step], data.draw(maybe_ids, label="message id"))
    return data.draw(any_event, label="event")


def _value(question: Question) -> st.SearchStrategy[str]:
    if question.kind is Kind.CHOICE:
        return st.sampled_from([o.key for o in question.options])
    if question.kind is Kind.MULTI_CHOICE:
        keys = [o.key for o in question.options]
        return st.lists(st.sampled_from(keys), min_size=1, unique=True).map(
            lambda picked: ",".join(k for k in keys if k in picked)
        )
    if question.kind is Kind.CONTACT:
        return st.sampled_from(["telegram", "+32470123456", "sofie@voorbeeld.be"])
    return st.sampled_from(["ja", GOOD_ANSWERS[question.key]])


@st.composite
def drafts(draw: st.DrawFn) -> Draft:
    """Any draft storage could hand back: any step, any subset of valid answers."""
    answered = draw(st.just(KEYS) | st.lists(st.sampled_from(KEYS), unique=True))
    answers = {
        key: Answer(draw(_value(QUESTIONS[key])), draw(st.none() | message_ids)) for key in answered
    }
    phase = draw(st.sampled_from(Phase))
    step = draw(st.sampled_from(KEYS))
    asking = phase is Phase.ASKING
    can_nudge = asking and step in answers and QUESTIONS[step].kind is Kind.TEXT
    return Draft(
        step=step,
        phase=phase,
        answers=answers,
        nudged=can_nudge and draw(st.booleans()),
        editing=asking and draw(st.booleans()),
    )


languages = st.sampled_from(LANGUAGES)
strangers = st.builds(State, languages)
pitchers = st.builds(State, languages, st.just(True), st.sampled_from([None, Draft(step=KEYS[0])]))
mid_flow = st.builds(State, languages, st.just(True), drafts())
outdated = st.builds(
    State, languages, st.just(True), st.none() | drafts(), st.just(False), st.just(True)
)
"""Pitchers who agreed to an earlier privacy text."""

# --- the promises -------------------------------------------------------------------------


def _render(language: str, item: Text) -> None:
    """Rendering must not fail: the key exists and every placeholder has a value."""
    CATALOG.render_plain(language, item)


def assert_valid(state: State) -> None:
    assert state.language in LANGUAGES
    draft = state.draft
    if draft is None:
        return
    assert state.consented, "a draft only exists after consent"
    assert draft.step in KEYS
    assert draft.phase in (Phase.ASKING, Phase.REVIEW)
    assert set(draft.answers) <= set(KEYS)
    for key, answer in draft.answers.items():
        question = QUESTIONS[key]
        shown = display(question, answer.value, state.language)
        # a stored value reads back to itself: within bounds, a real option, a clean contact;
        # or it is a text answer kept as typed, too long until it is shortened
        read = check_typed(question, shown, state.language)
        assert read in (Accepted(answer.value), Overlong(answer.value)), key


def _settled(state: State) -> State:
    state = replace(state, confirming_forget=False)
    if state.draft is None:
        return state
    return replace(state, draft=replace(state.draft, confirming_cancel=False))


def assert_promises_kept(before: State, event: Event, outcome: Outcome) -> None:
    after = outcome.state
    assert_valid(after)
    dropped = set(before.draft.answers if before.draft else ()) - set(
        after.draft.answers if after.draft else ()
    )
    if Effect.ERASE in outcome.effects:  # only the person's own confirmed /forgetme
        assert event == Pressed("forget:yes") and before.consented and before.confirming_forget
        assert after == State(language=before.language)
    if dropped and not {Effect.SUBMIT, Effect.DISCARD_DRAFT, Effect.ERASE} & set(outcome.effects):
        assert isinstance(event, Pressed) and event.data.startswith("tog:"), dropped
        assert len(dropped) == 1 and event.data.split(":")[1] in dropped
    if before.consent_outdated and after.consent_outdated:  # nothing new until they agree
        if after.draft is not None:  # its answers and place stay; /cancel may delete it
            assert before.draft is not None
            assert after.draft.answers == before.draft.answers
            assert after.draft.step == before.draft.step
        else:
            assert before.draft is None or Effect.DISCARD_DRAFT in outcome.effects
        assert not {Effect.SUBMIT, Effect.RELAY, Effect.CONSENT} & set(outcome.effects)
    if Effect.CONSENT in outcome.effects:
        assert before.consent_outdated and not after.consent_outdated
    if event == Command("mypitches"):
        assert outcome.replies == () and outcome.effects == (Effect.LIST_PITCHES,)
    elif event == Command("mydata"):  # the caller answers: a file, or "nothing stored"
        assert outcome.replies == () and outcome.effects == (Effect.MY_DATA,)
    elif Effect.SUBMIT not in outcome.effects:
        assert outcome.replies, "every input gets an answer"
    if Effect.SUBMIT in outcome.effects:
        assert before.draft is not None and before.draft.phase is Phase.REVIEW
        assert after.draft is None
    if outcome.notice is not None:
        assert isinstance(event, Pressed), "a notice answers a button press"
        assert outcome.notice.key in ("button_stale", "button_unknown")
        # a refused press changes nothing (it only closes an open "really cancel?" or
        # "really erase?")
        assert _settled(after) == _settled(before) and outcome.effects == ()
    if before.draft is not None and before.draft.confirming_cancel and isinstance(event, Said):
        assert after == before, "typed text is no answer while cancelling is asked"
    for reply in outcome.replies:
        assert reply.blocks
        for block in reply.blocks:
            _render(after.language, block)
        for row in reply.buttons:
            for button in row:
                _render(after.language, button.label)
                assert 0 < len(button.data.encode("utf-8")) <= 64, button.data
                tapped = ENGINE.handle(after, Pressed(button.data))
                assert tapped.notice is None, f"{button.data} was refused right after drawing"


def converse(start: State, data: st.DataObject) -> None:
    state = start
    shown: list[str] = []
    for _ in range(data.draw(conversation_lengths, label="turns")):
        event = next_event(data, state, shown)
        outcome = ENGINE.handle(state, event)
        assert_promises_kept(state, event, outcome)
        state = outcome.state
        shown = [b.data for reply in outcome.replies for row in reply.buttons for b in row]


@FUZZ
@given(start=strangers, data=st.data())
def test_a_stranger_can_do_anything_and_the_engine_keeps_its_promises(
    start: State, data: st.DataObject
) -> None:
    converse(start, data)


@FUZZ
@given(start=pitchers, data=st.data())
def test_a_consented_pitcher_can_do_anything_and_never_loses_an_answer(
    start: State, data: st.DataObject
) -> None:
    converse(start, data)


@FUZZ
@given(start=mid_flow, data=st.data())
def test_from_any_point_in_a_draft_the_engine_keeps_its_promises(
    start: State, data: st.DataObject
) -> None:
    assert_valid(start)
    converse(start, data)


@FUZZ
@given(start=outdated, data=st.data())
def test_after_a_privacy_change_nothing_new_is_kept_until_they_agree(
    start: State, data: st.DataObject
) -> None:
    converse(start, data)


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(KEYS), raw=texts, language=languages)
def test_an_accepted_answer_is_accepted_again_unchanged(key: str, raw: str, language: str) -> None:
    question = QUESTIONS[key]
    checked = check_typed(question, raw, language)
    if isinstance(checked, Accepted):
        shown = display(question, checked.value, language)
        assert check_typed(question, shown, language) == checked
