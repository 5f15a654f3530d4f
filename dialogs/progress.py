"""Moving through the flow: forward, back, skip, to the review card, and "where am I"."""

from __future__ import annotations

from dataclasses import replace

from dialogs import prompts
from dialogs.answers import is_overlong
from dialogs.flow import Flow
from dialogs.replies import Outcome, Reply, Text, text
from dialogs.state import Draft, Phase, State


class Progress:
    """Navigation rules shared by typed input, commands and buttons."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow

    def here(self, state: State, lead: tuple[Text, ...] = ()) -> tuple[Reply, ...]:
        """Replies that show the person where they are now."""
        draft = state.draft
        language = state.language
        if not state.consented:
            return (prompts.consent_reply(language, lead),)
        if draft is None:
            return (Reply((*lead, text("no_draft"))),)
        if draft.phase is Phase.REVIEW:
            return (prompts.review_reply(self.flow, draft, language, lead),)
        shown = prompts.question_reply(self.flow, draft, language, lead)
        question = self.flow.question(draft.step)
        answer = draft.answers.get(draft.step)
        if question is not None and answer is not None and is_overlong(question, answer.value):
            return (shown, prompts.overlong_reply(question, len(answer.value)))
        if draft.nudged:
            question = self.flow.question(draft.step)
            assert question is not None
            return (shown, prompts.nudge_reply(question, language))
        return (shown,)

    def stay(
        self, state: State, lead: tuple[Text, ...] = (), notice: Text | None = None
    ) -> Outcome:
        """Change nothing; remind the person where they are."""
        return Outcome(state, self.here(state, lead), notice=notice)

    def go(self, state: State, draft: Draft, lead: tuple[Text, ...] = ()) -> Outcome:
        new_state = replace(state, draft=draft)
        return Outcome(new_state, self.here(new_state, lead))

    def advance(self, state: State, draft: Draft, lead: tuple[Text, ...] = ()) -> Outcome:
        """After an answer: the next question, or back to the card when a section is done."""
        index = self.flow.index(draft.step)
        following = self.flow.questions[index + 1] if index + 1 < len(self.flow.questions) else None
        section_done = following is None or not following.part_of_previous
        if following is None or (draft.editing and section_done):
            draft = replace(draft, phase=Phase.REVIEW, nudged=False, editing=False)
            return self.go(state, draft, lead)
        return self.go(state, replace(draft, step=following.key, nudged=False), lead)

    def back(self, state: State, draft: Draft) -> Outcome:
        if draft.phase is Phase.REVIEW:
            return self.go(state, replace(draft, phase=Phase.ASKING, nudged=False, editing=False))
        index = self.flow.index(draft.step)
        if index == 0:
            return self.stay(state, (text("back_first"),))
        previous = self.flow.questions[index - 1].key
        return self.go(state, replace(draft, step=previous, nudged=False, editing=False))

    def skip(self, state: State, draft: Draft) -> Outcome:
        if draft.phase is Phase.REVIEW:
            return self.stay(state, (text("skip_review"),))
        question = self.flow.question(draft.step)
        assert question is not None
        if question.required and draft.step not in draft.answers:
            return self.stay(state, (text("skip_required"),))
        answer = draft.answers.get(draft.step)
        if answer is not None and is_overlong(question, answer.value):
            return self.stay(state)  # it has to fit first: the way out is shown again
        return self.advance(state, draft)

    def first_missing(self, draft: Draft) -> str | None:
        """Key of the first required question without an answer (a flow may have grown),
        or with one still too long to keep."""
        for q in self.flow.questions:
            answer = draft.answers.get(q.key)
            if (q.required and answer is None) or (
                answer is not None and is_overlong(q, answer.value)
            ):
                return q.key
        return None
