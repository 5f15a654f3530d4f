"""The conversation engine: one state and one input in, the new state and replies out.

Synchronous and deterministic, so it is tested exhaustively and fuzzed. It never touches
Telegram or a database; the caller persists the returned state and carries out effects.
"""

from __future__ import annotations

from dataclasses import replace

from dialogs import prompts
from dialogs.answers import (
    CITY_SCALE,
    Accepted,
    Overlong,
    Rejected,
    check_shared_phone,
    check_typed,
    chosen,
    display,
    is_filler,
    is_overlong,
    is_place,
    is_thin,
    join_choices,
)
from dialogs.buttons import document_asked, press
from dialogs.events import FILE_KINDS, MAX_FILE_BYTES, Command, Edited, Event, Pressed, Said, Shared
from dialogs.flow import Flow, Kind, Question
from dialogs.languages import LANGUAGES
from dialogs.matching import Choices, fold
from dialogs.privacy import PrivacyTerms, privacy_reply
from dialogs.progress import Progress
from dialogs.replies import Effect, Outcome, Reply, Text, text
from dialogs.state import Answer, Draft, Phase, State
from dialogs.threads import find_reference

LANGUAGE_NAME_LENGTH = 4
"""Language codes ("en" is Dutch for "and") only count at the consent, names anywhere."""
CONSENT_VERSION = "2026-12"
"""Which privacy text the person agreed to. Bump it when that text changes, and say what
changed in the catalogues' ``consent_changed``: a returning pitcher is asked again."""

STILL_OPEN = frozenset({"help", "privacy", "mypitches", "mydata", "forgetme"})
"""Commands that store nothing new: they work while a changed privacy text waits."""

KNOWN_COMMANDS = (
    "start",
    "help",
    "back",
    "skip",
    "cancel",
    "language",
    "mypitches",
    "privacy",
    "mydata",
    "forgetme",
)


class Engine:
    """Runs the pitch conversation of one flow."""

    def __init__(self, flow: Flow, terms: PrivacyTerms | None = None) -> None:
        self.flow = flow
        self.terms = terms or PrivacyTerms()
        self.progress = Progress(flow)
        words = flow.words
        self.consent_words = Choices.of(
            [
                ("yes", [w for ws in words.yes.values() for w in ws]),
                ("no", [w for ws in words.no.values() for w in ws]),
                *((f"lang:{code}", words.languages.get(code, ())) for code in LANGUAGES),
            ]
        )
        """What typed words mean at the consent: yes, no, or a language."""
        self.not_places = [w for ws in words.not_places.values() for w in ws]
        self.consent_by_language = {
            answer: {code: {fold(w) for w in by.get(code, ())} for code in LANGUAGES}
            for answer, by in (("yes", words.yes), ("no", words.no))
        }
        """The consent's words per language: "oui" agrees in French."""
        self.controls = {
            action: {fold(w) for ws in by.values() for w in ws}
            for action, by in (
                ("done", words.done),
                ("skip", words.skip),
                ("keep", words.keep),
                ("send", words.send),
                ("cut", words.cut),
            )
        }
        """The buttons' words: only a whole typed text that is one of them counts."""
        self.language_names = {
            fold(w): code
            for code, ws in words.languages.items()
            for w in ws
            if len(fold(w)) >= LANGUAGE_NAME_LENGTH
        }
        """Language names that switch the language whenever typed on their own."""
        self.sections = Choices.of(
            (
                start.key,
                [
                    label
                    for q in flow.questions
                    if flow.section_number(q.key) == flow.section_number(start.key)
                    for label in (t.label for t in q.texts.values())
                ],
            )
            for start in flow.section_starts()
        )
        """The review card's sections by the labels of their questions ("de oplossing")."""
        self.fillers = [w for ws in words.fillers.values() for w in ws]

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
        if state.consented and state.consent_outdated:
            return self._consent_again(state, event)
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

    def _consent_again(self, state: State, event: Event) -> Outcome:
        """The privacy text changed since they agreed: nothing new is stored until they
        agree again. What they sent is kept (their pitches stay); reading it, /mydata,
        /forgetme, /cancel (deleting one's own draft needs no new terms) and the language
        (to read the change in) stay open."""
        asked_again = prompts.reconsent_reply(state.language)
        draft = state.draft
        match event:
            case Command(name=name) if name in STILL_OPEN:
                outcome = self._command(state, event)
                if name in ("help", "privacy"):  # then the question again, not the step
                    return Outcome(state, (*outcome.replies[:1], asked_again))
                return outcome
            case Command(name="language"):
                return Outcome(state, (prompts.language_reply(),))
            case Command(name="cancel") if draft is not None:
                return self._command(state, event)
            case Pressed(data=data) if data.startswith(("lang:", "forget:", "cancel:")):
                outcome = press(self.progress, state, data)
                if Effect.ERASE in outcome.effects or Effect.DISCARD_DRAFT in outcome.effects:
                    return outcome
                if data in ("lang:pick", "cancel:ask") or outcome.notice is not None:
                    return outcome  # the menu or the question; or a stale press, told so
                # a language chosen, or "no, keep it": said so, then the question again
                after = outcome.state
                if data == "forget:no":
                    said = outcome.replies[:1]  # it replaces /forgetme's question
                else:
                    key = "cancel_kept" if data == "cancel:no" else "language_set"
                    said = (Reply((text(key),)),)
                return Outcome(after, (*said, prompts.reconsent_reply(after.language)))
            case Pressed(data=data) if data.startswith("consent:"):
                answer = data.split(":")[1]
            case Said():
                meant = self._consent_meant(event.text, state.language) or ""
                answer = meant.split(":")[1] if meant.startswith("consent:") else ""
            case _:
                answer = ""
        if answer == "yes":
            agreed = replace(state, consent_outdated=False)
            return Outcome(
                agreed, self.progress.here(agreed, (text("consent_renewed"),)), (Effect.CONSENT,)
            )
        if answer == "no":
            return Outcome(state, (Reply((text("consent_renew_declined"),)),))
        return Outcome(
            state, (prompts.reconsent_reply(state.language, (text("consent_changed_first"),)),)
        )

    def _consent_meant(self, typed: str, language: str) -> str | None:
        """What typed words say at a consent question, as the button data they stand
        for: ``consent:yes:nl`` (a consent word carries its language, unless it is one
        of several), ``lang:fr`` (a language named), or None."""
        folded = fold(typed)
        for answer, by_language in self.consent_by_language.items():
            languages = [code for code, words in by_language.items() if folded in words]
            if languages:
                spoken = language if language in languages else languages[0]
                return f"consent:{answer}:{spoken}"
        meant = self.consent_words.match(typed)
        if meant in ("yes", "no"):
            return f"consent:{meant}:{language}"
        return meant

    def new_draft(self) -> Draft:
        return Draft(step=self.flow.questions[0].key)

    # commands ---------------------------------------------------------------------------

    def _command(self, state: State, command: Command) -> Outcome:
        draft = state.draft
        match command.name:
            case "start":
                return self._start(state)
            case "help":
                return self._then_here(state, Reply((text("help"),)))
            case "privacy":
                return self._then_here(state, privacy_reply(self.terms))
            case "language":
                return Outcome(state, (prompts.language_reply(),))
            case "mypitches":
                reference = find_reference(command.argument)  # /mypitches P-2026-0042
                if reference is not None:
                    return document_asked(state, reference)
                return Outcome(state, effects=(Effect.LIST_PITCHES,))
            case "mydata":
                return Outcome(state, effects=(Effect.MY_DATA,))
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
                unknown = Reply((text("unknown_command", command=command.name),))
                return self._then_here(state, unknown)

    def _then_here(self, state: State, said: Reply) -> Outcome:
        """Answer, then show the step the person is at again, with its buttons: help, a
        stray command or a file never loses their place (nothing to show without one)."""
        if state.consented and state.draft is None:
            return Outcome(state, (said,))
        return Outcome(state, (said, *self.progress.here(state)))

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
            meant = self._consent_meant(said.text, state.language)
            if meant is not None:  # yes, no, or a language named: the consent in it again
                return press(self.progress, state, meant)
            return self.progress.stay(state, (text("consent_first"),))
        if draft is None:
            return Outcome(state, (Reply((text("no_draft"),)),), (Effect.RELAY,))
        typed = fold(said.text)
        control = self._control(draft, typed)
        if control is not None:  # a button's words, typed: that button
            return press(self.progress, state, control)
        if draft.phase is Phase.REVIEW:
            use = (text("review_use_buttons"),)
            return Outcome(state, (prompts.review_reply(self.flow, draft, state.language, use),))
        question = self._current(draft)
        previous = draft.answers.get(question.key)
        if draft.nudged and previous is not None and said.text.strip():
            return self._follow_up(state, draft, question, said)
        if not question.is_choice and typed in self.controls["done"]:
            # "klaar" is no answer (a multi-choice before may have moved on already)
            return self.progress.stay(state, (text("answer_needed"),))
        checked = check_typed(question, said.text, state.language)
        if isinstance(checked, Overlong):
            return self._overlong(state, draft, question, Answer(checked.value, said.message_id))
        if not isinstance(checked, Accepted):
            if question.place is not None and is_place(said.text, self.not_places):
                return self._place(state, draft, question, said)
            if question.options:  # the buttons again, beside what to do
                reply = prompts.question_reply(self.flow, draft, state.language, (checked.reason,))
                return Outcome(state, (reply,))
            return Outcome(state, (Reply((checked.reason,)),))
        value = checked.value
        if question.kind is Kind.MULTI_CHOICE and previous is not None:
            # typed options are ticked beside those already ticked, as taps would be
            value = join_choices(question, chosen(previous.value) + chosen(value))
        answers = {**draft.answers, question.key: Answer(value, said.message_id)}
        draft = replace(draft, answers=answers)
        if not draft.nudged and is_thin(question, value):
            draft = replace(draft, nudged=True)
            reply = prompts.nudge_reply(question, state.language)
            return Outcome(replace(state, draft=draft), (reply,))
        lead: tuple[Text, ...] = ()
        if question.is_choice:  # typed words for buttons: say how they were understood
            lead = (text("choice_understood", value=display(question, value, state.language)),)
        return self.progress.advance(state, draft, lead)

    def _control(self, draft: Draft, typed: str) -> str | None:
        """The button a whole typed text names among those shown now: a language name
        anywhere, "klaar", "overslaan", "antwoord behouden", "insturen", "inkorten"."""
        if typed in self.language_names:
            return f"lang:{self.language_names[typed]}"
        if draft.phase is Phase.REVIEW:
            if typed in self.controls["send"]:
                return "send"
            section = self.sections.match(typed)  # "de oplossing": edit that section
            return f"edit:{section}" if section is not None else None
        question = self._current(draft)
        answer = draft.answers.get(question.key)
        shown: list[tuple[str, str]] = []
        if answer is not None and is_overlong(question, answer.value):
            shown.append(("cut", f"cut:{question.key}"))
        elif question.kind is Kind.MULTI_CHOICE:
            shown.append(("done", f"done:{question.key}"))
        elif answer is not None:
            shown.append(("keep", f"{'keep' if draft.nudged else 'next'}:{question.key}"))
            shown.append(("done", f"{'keep' if draft.nudged else 'next'}:{question.key}"))
        if not question.required:
            shown.append(("skip", f"skip:{question.key}"))
            shown.append(("done", f"skip:{question.key}"))
        return next((data for action, data in shown if typed in self.controls[action]), None)

    def _overlong(self, state: State, draft: Draft, question: Question, answer: Answer) -> Outcome:
        """Longer than the question allows: kept as typed (nothing is thrown away), and
        the person shortens it or has it shortened before going on."""
        kept = replace(draft, answers={**draft.answers, question.key: answer}, nudged=False)
        reply = prompts.overlong_reply(question, len(answer.value))
        return Outcome(replace(state, draft=kept), (reply,))

    def _place(self, state: State, draft: Draft, question: Question, said: Said) -> Outcome:
        """A place typed at "where?": it answers the place question, at the city scale."""
        assert question.place is not None
        place = " ".join(said.text.split())
        scale = question.option(CITY_SCALE) or question.options[0]
        answers = {
            **draft.answers,
            question.key: Answer(scale.key, said.message_id),
            question.place: Answer(place, None),
        }
        lead = (text("place_understood", place=place, scale=scale.label(state.language)),)
        moved = replace(draft, answers=answers, step=question.place)
        return self.progress.advance(state, moved, lead)

    def _follow_up(self, state: State, draft: Draft, question: Question, said: Said) -> Outcome:
        """The answer to the one follow-up is accepted as it comes, and said back.

        It completes the first answer ("eenzaamheid" + "vooral ouderen in de stad"),
        replaces a first answer that said nothing ("ja"), or, when it adds nothing itself
        ("weet ik niet", "dat zei ik al"), leaves the first answer as it was. A combined
        answer keeps no message id: editing either message must not overwrite both.
        """
        previous = draft.answers[question.key]
        added = said.text.strip()
        lead: tuple[Text, ...] = ()
        if is_filler(added, self.fillers):
            return self.progress.advance(state, draft, (text("follow_up_kept"),))
        if is_filler(previous.value, self.fillers):
            checked = check_typed(question, added, state.language)
            if isinstance(checked, Overlong):
                answer = Answer(checked.value, said.message_id)
                return self._overlong(state, draft, question, answer)
            if not isinstance(checked, Accepted):
                return Outcome(state, (Reply((checked.reason,)),))
            answer = Answer(checked.value, said.message_id)
        else:
            answer = Answer(f"{previous.value}\n{added}")
            if is_overlong(question, answer.value):
                return self._overlong(state, draft, question, answer)
            lead = (text("follow_up_added"),)
        answers = {**draft.answers, question.key: answer}
        return self.progress.advance(state, replace(draft, answers=answers), lead)

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
            return self._then_here(state, Reply((checked.reason,)))
        reason = text("error_media", kind=text(f"media_{shared.kind}"))
        if shared.kind not in FILE_KINDS:
            return self._then_here(state, Reply((reason,)))
        if draft is not None:  # a file belongs with the team, once the pitch is theirs
            return self._then_here(state, Reply((reason, text("files_after_sending"))))
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
        if isinstance(checked, Overlong):
            length = len(checked.value)
            checked = Rejected(text("error_too_long", limit=question.max_length, length=length))
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
