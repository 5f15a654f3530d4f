"""Building the replies that show a question, the follow-up and the review card."""

from __future__ import annotations

from dialogs.answers import chosen, display
from dialogs.flow import Flow, Kind, Question
from dialogs.languages import LANGUAGES
from dialogs.replies import Button, Reply, Text, text
from dialogs.state import Draft, Phase


def _example_and_skip(question: Question) -> tuple[Button, ...]:
    row = [Button(text("button_example"), f"ex:{question.key}")]
    if not question.required:
        row.append(Button(text("button_skip"), f"skip:{question.key}"))
    return tuple(row)


def _option_rows(question: Question, draft: Draft, language: str) -> list[tuple[Button, ...]]:
    if question.kind is Kind.MULTI_CHOICE:
        answer = draft.answers.get(question.key)
        picked = chosen(answer.value if answer else None)
        rows: list[tuple[Button, ...]] = [
            (
                Button(
                    text("option_on" if o.key in picked else "option_off", label=o.label(language)),
                    f"tog:{question.key}:{i}",
                ),
            )
            for i, o in enumerate(question.options)
        ]
        rows.append((Button(text("button_done"), f"done:{question.key}"),))
        return rows
    return [
        (Button(text("option", label=o.label(language)), f"opt:{question.key}:{i}"),)
        for i, o in enumerate(question.options)
    ]


def question_reply(
    flow: Flow, draft: Draft, language: str, lead: tuple[Text, ...] = (), replace: bool = False
) -> Reply:
    """The current question: progress, prompt, hint, current answer, and its buttons."""
    question = flow.question(draft.step)
    assert question is not None, "the engine keeps draft.step valid"
    texts = question.texts[language]
    prompt = texts.prompt
    if texts.prompt_after_other and _other_picked_before(flow, draft, question):
        prompt = texts.prompt_after_other  # "something else" ticked: ask what it is
    blocks = [
        *lead,
        text(
            "progress",
            number=flow.step_number(question.key),
            total=len(flow.section_starts()),
        ),
        text("question", prompt=prompt),
        text("hint", hint=texts.hint),
    ]
    if question.kind is Kind.TEXT:  # the limit is said before, not after
        blocks.append(text("limit", limit=question.max_length))
    answer = draft.answers.get(question.key)
    rows = _option_rows(question, draft, language)
    ahead = return_point(flow, draft)
    if ahead is not None:  # they went back: one press takes them to where they were
        label = (
            text("button_return_review")
            if ahead == REVIEW
            else text("button_return", number=flow.step_number(ahead))
        )
        rows.insert(0, (Button(label, "jump"),))
    if answer and question.kind is not Kind.MULTI_CHOICE:
        blocks.append(text("current_answer", value=display(question, answer.value, language)))
        rows.append((Button(text("button_keep_answer"), f"next:{question.key}"),))
    rows.append(_example_and_skip(question))
    return Reply(tuple(blocks), tuple(rows), replace=replace)


REVIEW = "review"
"""Where "back to where I was" leads when every question after this one is answered."""


def return_point(flow: Flow, draft: Draft) -> str | None:
    """Where the person was before going back: the first question after this one without
    an answer (or the review card when there is none); None when they never were
    further, or while a section is edited from the card (that returns to the card)."""
    if draft.phase is not Phase.ASKING or draft.editing:
        return None
    later = flow.questions[flow.index(draft.step) + 1 :]
    if not any(q.key in draft.answers for q in later):
        return None
    return next((q.key for q in later if q.key not in draft.answers), REVIEW)


OTHER = "other"
"""The option key that means "something else"."""


def _other_picked_before(flow: Flow, draft: Draft, question: Question) -> bool:
    """Whether the choice this question follows up on has "something else" picked."""
    index = flow.index(question.key)
    if not question.part_of_previous or index == 0:
        return False
    before = flow.questions[index - 1]
    answer = draft.answers.get(before.key)
    return before.is_choice and answer is not None and OTHER in chosen(answer.value)


def overlong_reply(question: Question, length: int) -> Reply:
    """Too long, kept: send a shorter one, or have it cut after its last sentence that fits."""
    limit = question.max_length
    cut = Button(text("button_cut", limit=limit), f"cut:{question.key}")
    return Reply((text("error_overlong", length=length, limit=limit),), ((cut,),))


def example_reply(question: Question, language: str) -> Reply:
    texts = question.texts[language]
    return Reply((text("example", label=texts.label, example=texts.example),))


def nudge_reply(question: Question, language: str) -> Reply:
    nudge = question.texts[language].nudge or ""
    keep = Button(text("button_keep"), f"keep:{question.key}")
    return Reply((text("nudge", nudge=nudge),), ((keep,),))


def review_reply(flow: Flow, draft: Draft, language: str, lead: tuple[Text, ...] = ()) -> Reply:
    """The pitch card in flow order, an edit button per numbered section, send and cancel."""
    blocks: list[Text] = [*lead, text("review_title")]
    for question in flow.questions:
        label = question.texts[language].label
        number = flow.section_number(question.key)
        answer = draft.answers.get(question.key)
        if answer:
            value = display(question, answer.value, language)
            blocks.append(text("review_item", number=number, label=label, value=value))
        else:
            blocks.append(text("review_item_empty", number=number, label=label))
    blocks.append(text("review_footer"))
    edits = [
        Button(
            text("button_edit", number=n, label=q.texts[language].label),
            f"edit:{q.key}",
        )
        for n, q in enumerate(flow.section_starts(), start=1)
    ]
    rows = [tuple(edits[i : i + 2]) for i in range(0, len(edits), 2)]
    rows.append((Button(text("button_send"), "send"), Button(text("button_cancel"), "cancel:ask")))
    return Reply(tuple(blocks), tuple(rows))


def cancel_confirm_reply(lead: tuple[Text, ...] = ()) -> Reply:
    return Reply(
        (*lead, text("cancel_confirm")),
        (
            (
                Button(text("button_cancel_yes"), "cancel:yes"),
                Button(text("button_cancel_no"), "cancel:no"),
            ),
        ),
    )


def forget_confirm_reply() -> Reply:
    return Reply(
        (text("forget_confirm"),),
        (
            (
                Button(text("button_forget_yes"), "forget:yes"),
                Button(text("button_forget_no"), "forget:no"),
            ),
        ),
    )


def language_reply() -> Reply:
    row = tuple(Button(text(f"language_{code}"), f"lang:{code}") for code in LANGUAGES)
    return Reply((text("language_pick"),), (row,))


def consent_reply(language: str, lead: tuple[Text, ...] = ()) -> Reply:
    """The consent question; the language rides in the buttons, since nothing is stored yet."""
    return Reply(
        (*lead, text("consent")),
        (
            (
                Button(text("button_consent_yes"), f"consent:yes:{language}"),
                Button(text("button_consent_no"), f"consent:no:{language}"),
            ),
            (Button(text("button_language"), "lang:pick"),),
        ),
    )


def reconsent_reply(language: str, lead: tuple[Text, ...] = ()) -> Reply:
    """The privacy text changed since they agreed: what changed, and agree again?"""
    return Reply(
        (*lead, text("consent_changed")),
        (
            (
                Button(text("button_consent_yes"), f"consent:yes:{language}"),
                Button(text("button_consent_no"), f"consent:no:{language}"),
            ),
            (Button(text("button_language"), "lang:pick"),),
        ),
    )


def resume_reply(flow: Flow, draft: Draft) -> Reply:
    """Offer to continue an open draft where it was left, or to start over."""
    if draft.phase is Phase.REVIEW:
        offer = text("resume_offer_review")
    else:
        offer = text(
            "resume_offer",
            number=flow.section_number(draft.step),
            total=len(flow.section_starts()),
        )
    buttons = (
        Button(text("button_resume"), "resume:continue"),
        Button(text("button_restart"), "resume:restart"),
    )
    return Reply((offer,), (buttons,))
