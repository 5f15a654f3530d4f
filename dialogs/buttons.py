"""Button presses. Callback data is untrusted: every press is checked against the state.

Data is short (``opt:<key>:<n>``, well under Telegram's 64 bytes) and carries no state
of its own beyond what it names, so buttons survive restarts and stale ones are spotted.
"""

from __future__ import annotations

import re
from dataclasses import replace

from dialogs import prompts
from dialogs.answers import chosen, is_overlong, join_choices, shorten
from dialogs.flow import Flow, Kind, Question
from dialogs.languages import LANGUAGES
from dialogs.progress import Progress
from dialogs.replies import Effect, Outcome, Reply, text
from dialogs.state import Answer, Draft, Phase, State
from dialogs.threads import REFERENCE_FORMAT, REFERENCE_LENGTH

DOCUMENT = "doc"
"""``doc:P-2026-0042``: send me the PDF of my pitch (under /mypitches)."""
_REFERENCE = re.compile(REFERENCE_FORMAT)
REMIND = "remind"
"""``remind:<continue|stop>:<draft id>``: the buttons under a draft's one reminder."""
_DRAFT_ID = re.compile(r"[0-9]{1,18}")


def press(progress: Progress, state: State, data: str) -> Outcome:
    """Answer a button press; stale or forged data changes nothing."""
    action, _, rest = data.partition(":")
    if action == "consent":
        return _consent(progress, state, rest)
    if action == "lang":
        return _language(progress, state, rest)
    if action == "forget":
        return _forget(progress, state, rest)
    if action == DOCUMENT:
        if len(rest) > REFERENCE_LENGTH or not _REFERENCE.fullmatch(rest):
            return _forged(progress, state)
        return document_asked(state, rest)
    if action == "ex":
        question = progress.flow.question(rest)
        if question is None:
            return _forged(progress, state)
        return Outcome(state, (prompts.example_reply(question, state.language),))
    if not _drawable(progress.flow, action, rest):
        return _forged(progress, state)
    draft = state.draft
    if not state.consented or draft is None:
        return _stale(progress, state)
    if action in ("resume", "cancel"):
        return _draft_action(progress, state, draft, f"{action}:{rest}")
    if action == REMIND:
        return _reminded(progress, state, rest)
    if action == "send":
        return _send(progress, state, draft)
    if action == "jump":
        return _jump(progress, state, draft)
    if action == "edit":
        return _edit(progress, state, draft, rest)
    return _answer_button(progress, state, draft, action, rest)


def reminder_data(choice: str, draft_id: int) -> str:
    """``remind:continue:17`` / ``remind:stop:17``: the buttons under draft 17's reminder."""
    return f"{REMIND}:{choice}:{draft_id}"


def _reminded(progress: Progress, state: State, rest: str) -> Outcome:
    """A reminder's button: "continue" shows where the person is now (as "continue" on
    the welcome back does, whatever happened since); "stop" is for the caller, which
    knows whether that draft is still their open one."""
    choice, _, draft_id = rest.partition(":")
    if choice == "continue":
        return progress.stay(state)
    return Outcome(state, effects=(Effect.REMINDERS_OFF,), draft_id=int(draft_id))


def document_data(reference: str) -> str:
    """The callback data of the button that asks for a sent pitch's PDF."""
    return f"{DOCUMENT}:{reference}"


def document_asked(state: State, reference: str) -> Outcome:
    """The person asks for the PDF of the pitch ``reference`` (a button or
    ``/mypitches P-2026-0042``). Whether it is theirs only storage can tell: the caller
    checks. Someone who never consented has no pitch at all."""
    if not state.consented:
        return Outcome(state, (Reply((text("document_not_yours"),)),))
    return Outcome(state, effects=(Effect.DOCUMENT,), document=reference)


def _drawable(flow: Flow, action: str, rest: str) -> bool:
    """Could the engine ever have drawn this button, in any state? If not, it is forged."""
    match action:
        case "send" | "jump":
            return rest == ""
        case "resume":
            return rest in ("continue", "restart")
        case "cancel":
            return rest in ("ask", "yes", "no")
        case "remind":
            choice, _, draft_id = rest.partition(":")
            return choice in ("continue", "stop") and bool(_DRAFT_ID.fullmatch(draft_id))
        case "edit":
            section = flow.question(rest)
            return section is not None and not section.part_of_previous
    key, _, number = rest.partition(":")
    question = flow.question(key)
    if question is None or action not in ("opt", "tog", "done", "skip", "keep", "next", "cut"):
        return False
    if action == "cut":
        return number == "" and question.kind is Kind.TEXT
    if action in ("opt", "tog"):
        index = int(number) if number.isdecimal() and len(number) <= 9 else -1
        multi = question.kind is Kind.MULTI_CHOICE
        return 0 <= index < len(question.options) and (action == "tog") == multi
    return number == "" and (action != "done" or question.kind is Kind.MULTI_CHOICE)


def _stale(progress: Progress, state: State) -> Outcome:
    return progress.stay(state, notice=text("button_stale"))


def _forged(progress: Progress, state: State) -> Outcome:
    return progress.stay(state, notice=text("button_unknown"))


def _consent(progress: Progress, state: State, rest: str) -> Outcome:
    answer, _, language = rest.partition(":")
    if answer not in ("yes", "no") or language not in LANGUAGES:
        return _forged(progress, state)
    if state.consented:
        return _stale(progress, state)
    if answer == "no":
        return Outcome(state, (Reply((text("consent_declined"),)),))
    started = State(language=language, consented=True, draft=Draft(progress.flow.questions[0].key))
    return progress.go(started, started.draft or Draft(""), (text("consent_thanks"),))


def _forget(progress: Progress, state: State, answer: str) -> Outcome:
    """/forgetme confirmed: nothing of the person stays (the caller deletes it all)."""
    if answer not in ("yes", "no"):
        return _forged(progress, state)
    if not state.consented or not state.confirming_forget:
        return _stale(progress, state)  # no /forgetme open: an old or forged button
    # either answer replaces the question, so its buttons cannot be pressed again later
    if answer == "no":
        kept = Reply((text("forget_kept"),), replace=True)
        state = replace(state, confirming_forget=False)
        return Outcome(state, (kept, *progress.here(state)))
    forgotten = State(language=state.language)
    return Outcome(forgotten, (Reply((text("erased"),), replace=True),), (Effect.ERASE,))


def _language(progress: Progress, state: State, code: str) -> Outcome:
    if code == "pick":
        return Outcome(state, (prompts.language_reply(),))
    if code not in LANGUAGES:
        return _forged(progress, state)
    switched = replace(state, language=code)
    lead = (text("welcome"),) if not state.consented else (text("language_set"),)
    return progress.stay(switched, lead)


def _draft_action(progress: Progress, state: State, draft: Draft, data: str) -> Outcome:
    match data:
        case "resume:continue":
            return progress.stay(state)
        case "resume:restart":
            fresh = Draft(progress.flow.questions[0].key)
            outcome = progress.go(state, fresh, (text("restart_done"),))
            return replace(outcome, effects=(Effect.DISCARD_DRAFT,))
        case "cancel:ask":
            asking = replace(state, draft=replace(draft, confirming_cancel=True))
            return Outcome(asking, (prompts.cancel_confirm_reply(),))
        case "cancel:yes":
            reply = Reply((text("cancel_done"),))
            return Outcome(replace(state, draft=None), (reply,), (Effect.DISCARD_DRAFT,))
        case "cancel:no":
            kept = replace(state, draft=replace(draft, confirming_cancel=False))
            return progress.stay(kept, (text("cancel_kept"),))
    return _forged(progress, state)


def _send(progress: Progress, state: State, draft: Draft) -> Outcome:
    if draft.phase is not Phase.REVIEW:
        return _stale(progress, state)
    missing = progress.first_missing(draft)
    if missing is not None:
        back = replace(draft, phase=Phase.ASKING, step=missing, editing=True, nudged=False)
        return progress.go(state, back, (text("missing_answer"),))
    return Outcome(replace(state, draft=None), effects=(Effect.SUBMIT,))


def _jump(progress: Progress, state: State, draft: Draft) -> Outcome:
    """ "⏩ back to where I was": past the answers already given, as the state is now."""
    ahead = prompts.return_point(progress.flow, draft)
    if ahead is None:
        return _stale(progress, state)
    if ahead == prompts.REVIEW:
        return progress.go(state, replace(draft, phase=Phase.REVIEW, nudged=False))
    return progress.go(state, replace(draft, step=ahead, nudged=False))


def _edit(progress: Progress, state: State, draft: Draft, key: str) -> Outcome:
    if draft.phase is not Phase.REVIEW:
        return _stale(progress, state)
    editing = replace(draft, phase=Phase.ASKING, step=key, editing=True, nudged=False)
    return progress.go(state, editing)


def _answer_button(
    progress: Progress, state: State, draft: Draft, action: str, rest: str
) -> Outcome:
    """A button of the current question; its data is drawable (see :func:`_drawable`)."""
    key, _, number = rest.partition(":")
    question = progress.flow.question(key)
    if question is None or draft.phase is not Phase.ASKING or draft.step != key:
        return _stale(progress, state)
    if action == "tog":
        return _toggle(progress, state, draft, question, int(number))
    if action == "opt":
        answers = {**draft.answers, key: Answer(question.options[int(number)].key)}
        return progress.advance(state, replace(draft, answers=answers))
    return _move_on(progress, state, draft, question, action)


def _toggle(progress: Progress, state: State, draft: Draft, question: Question, i: int) -> Outcome:
    current = draft.answers.get(question.key)
    picked = set(chosen(current.value if current else None)) ^ {question.options[i].key}
    answers = dict(draft.answers)
    if picked:
        answers[question.key] = Answer(join_choices(question, sorted(picked)))
    else:
        answers.pop(question.key, None)
    draft = replace(draft, answers=answers)
    reply = prompts.question_reply(progress.flow, draft, state.language, replace=True)
    return Outcome(replace(state, draft=draft), (reply,))


def _move_on(
    progress: Progress, state: State, draft: Draft, question: Question, action: str
) -> Outcome:
    answered = question.key in draft.answers
    answer = draft.answers.get(question.key)
    if answer is not None and is_overlong(question, answer.value):
        if action != "cut":  # it has to fit first
            return progress.stay(state)
        cut = shorten(answer.value, question.max_length)
        answers = {**draft.answers, question.key: Answer(cut, answer.message_id)}
        lead = (text("cut_done", length=len(cut)),)
        return progress.advance(state, replace(draft, answers=answers, nudged=False), lead)
    if action == "skip":
        return progress.skip(state, draft)
    if action == "done" and question.kind is Kind.MULTI_CHOICE:
        if question.required and not answered:
            return progress.stay(state, (text("error_pick_one"),))
        return progress.advance(state, draft)
    if action == "keep" and draft.nudged and answered:
        return progress.advance(state, draft)
    if action == "next" and answered:
        return progress.advance(state, draft)
    return _stale(progress, state)
