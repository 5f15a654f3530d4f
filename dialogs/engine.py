"""The conversation engine: one state and one input in, the new state and replies out.

Synchronous and deterministic, so it is tested exhaustively and fuzzed. It never touches
Telegram or a database; the caller persists the returned state and carries out effects.
"""

from __future__ import annotations

from dataclasses import replace

from dialogs import prompts
from dialogs.answers import (
    Accepted,
    check_shared_phone,
    check_typed,
    display,
    is_filler,
    is_thin,
)
from dialogs.buttons import document_asked, press
from dialogs.events import FILE_KINDS, MAX_FILE_BYTES, Command, Edited, Event, Pressed, Said, Shared
from dialogs.flow import Flow, Question
from dialogs.languages import LANGUAGES
from dialogs.progress import Progress
from dialogs.replies import Effect, Outcome, Reply, text
from dialogs.state import Answer, Draft, Phase, State
from dialogs.threads import find_reference

CONSENT_VERSION = "2026-11"
"""Which consent text the person agreed to; bump it when the consent text changes."""

KNOWN_COMMANDS = (
    "start",
    "help",
    "back",
    "skip",
    "cancel",
    "language",
    "mypitches",
    "privacy",
    "forgetme",
)


class Engine:
    """Runs the pitch conversation of one flow."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.progress = Progress(flow)

    def handle(self, state: State, event: Event) -> Outcome:
        """Answer one input; bad input gets a friendly reply and changes nothing."""
        if state.language not in LANGUAGES:
            state = replace(state, language=LANGUAGES[0])
        if state.confirming_forget and not (
            isinstance(event, Pressed) and event.data.startswith("forget:")
        ):
            state = replace(state, confirming_forget=False)  # they moved on: ask again
        draft = state.draft
        if draft is not None and draft.confirming_cancel:
            if isinstance(event, Said):
                lead = (text("cancel_use_buttons"),)
                return Outcome(state, (prompts.cancel_confirm_reply(lead),))
            if not (isinstance(event, Pressed) and event.data.startswith("cancel:")):
                state = replace(state, draft=replace(draft, confirming_cancel=False))
        match event:
            case Command():
                return self._command(state, event)
            case Said():
                return self._said(state, event)
            case Pressed():
                return press(self.progress, state, event.data)
            case Shared():
                return self._shared(state, event)
            case Edited():
                return self._edited(state, event)

    def new_draft(self) -> Draft:
        return Draft(step=self.flow.questions[0].key)

    # commands ---------------------------------------------------------------------------

    def _command(self, state: State, command: Command) -> Outcome:
        draft = state.draft
        match command.name:
            case "start":
                return self._start(state)
            case "help":
                return Outcome(state, (Reply((text("help"),)),))
            case "privacy":
                return Outcome(state, (Reply((text("privacy"),)),))
            case "language":
                return Outcome(state, (prompts.language_reply(),))
            case "mypitches":
                reference = find_reference(command.argument)  # /mypitches P-2026-0042
                if reference is not None:
                    return document_asked(state, reference)
                return Outcome(state, effects=(Effect.LIST_PITCHES,))
            case "forgetme" if state.consented:
                asking = replace(state, confirming_forget=True)
                return Outcome(asking, (prompts.forget_confirm_reply(),))
            case "forgetme":
                return Outcome(state, (Reply((text("forget_nothing"),)),))
            case "cancel" if draft is not None:
                asking = replace(state, draft=replace(draft, confirming_cancel=True))
                return Outcome(asking, (prompts.cancel_confirm_reply(),))
            case "back" if draft is not None:
                return self.progress.back(state, draft)
            case "skip" if draft is not None:
                return self.progress.skip(state, draft)
            case "cancel" | "back" | "skip":
                return Outcome(state, (Reply((text("nothing_open", command=command.name),)),))
            case _:
                return Outcome(state, (Reply((text("unknown_command", command=command.name),)),))

    def _start(self, state: State) -> Outcome:
        if not state.consented:
            lead = (text("welcome"),)
            return Outcome(state, (prompts.consent_reply(state.language, lead),))
        if state.draft is None:
            draft = self.new_draft()
            reply = prompts.question_reply(self.flow, draft, state.language, (text("start_new"),))
            return Outcome(replace(state, draft=draft), (reply,))
        return Outcome(state, (prompts.resume_reply(self.flow, state.draft),))

    # typed text ---------------------------------------------------------------------------

    def _said(self, state: State, said: Said) -> Outcome:
        draft = state.draft
        if not state.consented:
            return self.progress.stay(state, (text("consent_first"),))
        if draft is None:
            return Outcome(state, (Reply((text("no_draft"),)),), (Effect.RELAY,))
        if draft.phase is Phase.REVIEW:
            lead = (text("review_use_buttons"),)
            return Outcome(state, (prompts.review_reply(self.flow, draft, state.language, lead),))
        question = self._current(draft)
        previous = draft.answers.get(question.key)
        if draft.nudged and previous is not None and said.text.strip():
            return self._follow_up(state, draft, question, said)
        checked = check_typed(question, said.text, state.language)
        if not isinstance(checked, Accepted):
            if question.is_choice:
                reply = prompts.question_reply(self.flow, draft, state.language, (checked.reason,))
                return Outcome(state, (reply,))
            return Outcome(state, (Reply((checked.reason,)),))
        answers = {**draft.answers, question.key: Answer(checked.value, said.message_id)}
        draft = replace(draft, answers=answers)
        if not draft.nudged and is_thin(question, checked.value):
            draft = replace(draft, nudged=True)
            reply = prompts.nudge_reply(question, state.language)
            return Outcome(replace(state, draft=draft), (reply,))
        return self.progress.advance(state, draft)

    def _follow_up(self, state: State, draft: Draft, question: Question, said: Said) -> Outcome:
        """The answer to the one follow-up is accepted as it comes.

        It completes the first answer ("eenzaamheid" + "vooral ouderen in de stad"), or
        replaces a first answer that said nothing ("ja"). A combined answer keeps no
        message id: editing either message must not overwrite both.
        """
        previous = draft.answers[question.key]
        added = said.text.strip()
        if is_filler(previous.value):
            checked = check_typed(question, added, state.language)
            if not isinstance(checked, Accepted):
                return Outcome(state, (Reply((checked.reason,)),))
            answer = Answer(checked.value, said.message_id)
        else:
            room = question.max_length - len(previous.value) - 1
            if len(added) > room:
                reason = text("error_too_long_follow_up", room=max(room, 0), length=len(added))
                return Outcome(state, (Reply((reason,)),))
            answer = Answer(f"{previous.value}\n{added}")
        answers = {**draft.answers, question.key: answer}
        return self.progress.advance(state, replace(draft, answers=answers))

    # other messages -----------------------------------------------------------------------

    def _shared(self, state: State, shared: Shared) -> Outcome:
        draft = state.draft
        if not state.consented:
            return self.progress.stay(state, (text("consent_first"),))
        if draft is not None and draft.phase is Phase.ASKING and shared.phone is not None:
            question = self._current(draft)
            checked = check_shared_phone(question, shared.phone)
            if isinstance(checked, Accepted):
                answers = {**draft.answers, question.key: Answer(checked.value, shared.message_id)}
                return self.progress.advance(state, replace(draft, answers=answers))
            return Outcome(state, (Reply((checked.reason,)),))
        reason = text("error_media", kind=text(f"media_{shared.kind}"))
        if shared.kind not in FILE_KINDS:
            return Outcome(state, (Reply((reason,)),))
        if draft is not None:  # a file belongs with the team, once the pitch is theirs
            return Outcome(state, (Reply((reason, text("files_after_sending"))),))
        if shared.size is not None and shared.size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // (1024 * 1024)
            return Outcome(state, (Reply((text("file_too_big", megabytes=limit),)),))
        return Outcome(state, (Reply((text("no_draft"),)),), (Effect.RELAY,))

    def _edited(self, state: State, edited: Edited) -> Outcome:
        draft = state.draft
        found = None
        if draft is not None:
            found = next(
                (k for k, a in draft.answers.items() if a.message_id == edited.message_id), None
            )
        question = self.flow.question(found) if found else None
        if not state.consented:
            return self.progress.stay(state, (text("consent_first"),))
        if draft is None:
            return Outcome(state, (Reply((text("edit_not_applied"),)),))
        if question is None:
            return Outcome(state, (Reply((text("edit_not_found"),)),))
        label = question.texts[state.language].label
        checked = check_typed(question, edited.text, state.language)
        if not isinstance(checked, Accepted):
            return Outcome(state, (Reply((text("edit_rejected", label=label), checked.reason)),))
        answers = {**draft.answers, question.key: Answer(checked.value, edited.message_id)}
        value = display(question, checked.value, state.language)
        reply = Reply((text("edit_applied", label=label, value=value),))
        return Outcome(replace(state, draft=replace(draft, answers=answers)), (reply,))

    def _current(self, draft: Draft) -> Question:
        question = self.flow.question(draft.step)
        assert question is not None, "storage hands the engine a valid step"
        return question
