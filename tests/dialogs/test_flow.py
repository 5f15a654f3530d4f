"""The question flow file: what an organisation edits, and the errors it gets back."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs.flow import MAX_ANSWER_LENGTH, Flow, FlowError, Kind, load_flow
from dialogs.languages import LANGUAGES

PITCH_KEYS = [
    "idea",
    "dream",
    "challenge",
    "change",
    "solution_form",
    "solution",
    "novelty",
    "novelty_detail",
    "connect",
    "on_board",
    "stage",
    "scope",
    "municipality",
    "support",
    "support_detail",
    "name",
    "contact",
]


def _texts(lang: str, word: str, *, prompt: bool = True, nudge: bool = False) -> str:
    lines = [
        f"[questions.texts.{lang}]",
        f'label = "{word} label"',
        f'hint = "{word} hint"',
        f'example = "{word} example"',
    ]
    if prompt:
        lines.append(f'prompt = "{word}?"')
    if nudge:
        lines.append(f'nudge = "{word}, a bit more?"')
    return "\n".join(lines) + "\n"


def _question(
    key: str, fields: str = "", *, nudge: bool = False, skip_fr_prompt: bool = False
) -> str:
    return (
        f'[[questions]]\nkey = "{key}"\n{fields}\n'
        + _texts("nl", f"{key} nl", nudge=nudge)
        + _texts("en", f"{key} en", nudge=nudge)
        + _texts("fr", f"{key} fr", prompt=not skip_fr_prompt, nudge=nudge)
    )


_ONE_OPTION = """
[[questions.options]]
key = "yes"
nl = "Ja"
en = "Yes"
fr = "Oui"
"""

_TWO_OPTIONS = (
    _ONE_OPTION
    + """
[[questions.options]]
key = "no"
nl = "Nee"
en = "No"
fr = "Non"
"""
)


def _write(tmp_path: Path, *questions: str) -> Path:
    path = tmp_path / "my_flow.toml"
    path.write_text("version = 1\n\n" + "\n".join(questions), encoding="utf-8")
    return path


def _error_for(path: Path) -> str:
    with pytest.raises(FlowError) as info:
        load_flow(path)
    return str(info.value)


# The built-in pitch flow -------------------------------------------------------------


@pytest.fixture(scope="module")
def pitch() -> Flow:
    return load_flow()


def test_the_pitch_flow_asks_its_questions_in_eleven_numbered_sections(pitch: Flow) -> None:
    assert [q.key for q in pitch.questions] == PITCH_KEYS
    assert len(pitch.section_starts()) == 11
    assert pitch.version >= 1


def test_every_question_speaks_dutch_english_and_french(pitch: Flow) -> None:
    for question in pitch.questions:
        assert set(question.texts) == set(LANGUAGES), question.key
        for language in LANGUAGES:
            texts = question.texts[language]
            assert texts.label.strip(), (question.key, language)
            assert texts.prompt.strip(), (question.key, language)
            assert texts.hint.strip(), (question.key, language)
            assert texts.example.strip(), (question.key, language)
            for option in question.options:
                assert option.label(language).strip(), (question.key, option.key, language)


def test_labels_differ_per_question_so_review_cards_and_csv_headers_are_clear(
    pitch: Flow,
) -> None:
    for language in LANGUAGES:
        labels = [q.texts[language].label for q in pitch.questions]
        assert len(set(labels)) == len(labels), language


def test_a_thin_answer_can_always_be_nudged_in_every_language(pitch: Flow) -> None:
    for question in pitch.questions:
        if question.nudge_below_words:
            assert all(question.texts[lang].nudge for lang in LANGUAGES), question.key
    challenge = pitch.question("challenge")
    assert challenge is not None
    assert all(challenge.texts[lang].nudge_keywords for lang in LANGUAGES)


def test_only_the_extras_may_be_skipped(pitch: Flow) -> None:
    optional = [q.key for q in pitch.questions if not q.required]
    assert optional == ["on_board", "municipality", "support_detail"]


def test_the_pitcher_can_choose_to_be_reached_on_telegram_only(pitch: Flow) -> None:
    contact = pitch.question("contact")
    assert contact is not None
    assert contact.kind is Kind.CONTACT
    assert [o.key for o in contact.options] == ["telegram"]


def _numbers(pitch: Flow, *keys: str) -> list[int]:
    return [pitch.section_number(key) for key in keys]


def test_the_solution_is_described_under_the_same_number_as_its_form(pitch: Flow) -> None:
    assert _numbers(pitch, "change", "solution_form", "solution", "novelty") == [4, 5, 5, 6]


def test_name_and_contact_close_the_flow_as_section_eleven(pitch: Flow) -> None:
    assert _numbers(pitch, "name", "contact") == [11, 11]


def test_a_question_on_its_own_is_a_section_of_one(pitch: Flow) -> None:
    assert _numbers(pitch, "idea", "dream") == [1, 2]
    assert _numbers(pitch, "stage", "scope", "municipality") == [8, 9, 9]


def test_asking_for_the_section_of_an_unknown_question_is_an_error(pitch: Flow) -> None:
    with pytest.raises(KeyError):
        pitch.section_number("favourite_colour")


# A flow file of the organisation's own -----------------------------------------------


def test_an_organisation_can_load_its_own_flow_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        _question("idea", "max_length = 200\nnudge_below_words = 3", nudge=True),
        _question("ready", 'kind = "choice"\n' + _TWO_OPTIONS),
        _question("why", "required = false\npart_of_previous = true"),
    )

    flow = load_flow(path)

    assert [q.key for q in flow.questions] == ["idea", "ready", "why"]
    assert len(flow.section_starts()) == 2
    assert flow.section_number("why") == 2
    ready = flow.question("ready")
    assert ready is not None and ready.is_choice
    assert [o.label("fr") for o in ready.options] == ["Oui", "Non"]
    why = flow.question("why")
    assert why is not None and not why.required
    assert flow.questions[0].texts["fr"].prompt == "idea fr?"


# Mistakes in a flow file, and what the organisation is told ---------------------------


def test_a_missing_french_prompt_names_file_question_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, _question("idea"), _question("dream", skip_fr_prompt=True))

    message = _error_for(path)

    assert str(path) in message
    assert "'dream'" in message
    assert "texts.fr" in message
    assert "prompt" in message


def test_a_missing_language_table_is_named(tmp_path: Path) -> None:
    without_french = _question("idea").split("[questions.texts.fr]")[0]
    path = _write(tmp_path, without_french)

    message = _error_for(path)

    assert str(path) in message
    assert "'idea'" in message
    assert "fr" in message and "missing" in message


def test_a_key_used_twice_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, _question("idea"), _question("dream"), _question("idea"))

    message = _error_for(path)

    assert str(path) in message
    assert "unique" in message and "idea" in message


def test_a_choice_with_a_single_option_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, _question("stage", 'kind = "choice"\n' + _ONE_OPTION))

    message = _error_for(path)

    assert str(path) in message
    assert "'stage'" in message
    assert "at least two options" in message


@pytest.mark.parametrize(
    ("lines", "said"),
    [
        ('nl = "Ja"\nen = "Yes"', "has no label in fr"),
        ('nl = "Ja"\nen = "Yes"\nfr = "Oui"\nde = "Ja"', "de"),
    ],
    ids=["missing", "unknown"],
)
def test_an_option_needs_a_label_in_every_language_and_no_other(
    tmp_path: Path, lines: str, said: str
) -> None:
    option = f'\n[[questions.options]]\nkey = "maybe"\n{lines}\n'
    path = _write(tmp_path, _question("stage", 'kind = "choice"\n' + _TWO_OPTIONS + option))

    message = _error_for(path)

    assert "'stage'" in message and said in message


def test_a_file_that_is_not_toml_says_so(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('version = 1\n[[questions]\nkey = "idea"\n', encoding="utf-8")

    message = _error_for(path)

    assert str(path) in message
    assert "not valid TOML" in message


def test_a_file_that_does_not_exist_says_it_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"

    message = _error_for(path)

    assert str(path) in message
    assert "cannot be read" in message


def test_a_folder_instead_of_a_file_says_it_cannot_be_read(tmp_path: Path) -> None:
    message = _error_for(tmp_path)

    assert str(tmp_path) in message
    assert "cannot be read" in message


def test_a_file_saved_in_a_legacy_encoding_says_it_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(
        _question("idea").replace("idea nl?", "Wat is je idee, café?").encode("cp1252")
    )

    message = _error_for(path)

    assert str(path) in message
    assert "UTF-8" in message


def test_an_answer_length_above_the_limit_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, _question("idea", f"max_length = {MAX_ANSWER_LENGTH + 1}"))

    message = _error_for(path)

    assert str(path) in message
    assert "'idea'" in message
    assert "max_length" in message
    assert str(MAX_ANSWER_LENGTH) in message


def test_a_minimum_above_the_maximum_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, _question("idea", "min_length = 50\nmax_length = 10"))

    message = _error_for(path)

    assert "'idea'" in message
    assert "min_length is larger than max_length" in message


def test_a_nudge_rule_without_nudge_text_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, _question("idea", "nudge_below_words = 5"))

    message = _error_for(path)

    assert str(path) in message
    assert "'idea'" in message
    assert "nudge" in message


def test_nudge_keywords_without_nudge_text_are_refused(tmp_path: Path) -> None:
    question = _question("challenge").replace(
        "[questions.texts.en]", 'nudge_keywords = ["mensen"]\n\n[questions.texts.en]'
    )
    path = _write(tmp_path, question)

    message = _error_for(path)

    assert "'challenge'" in message
    assert "nudge text is missing" in message


def test_a_typo_in_a_field_name_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, _question("idea"), _question("dream", "requird = false"))

    message = _error_for(path)

    assert str(path) in message
    assert "'dream'" in message
    assert "requird" in message


def test_a_typo_in_a_text_field_is_named(tmp_path: Path) -> None:
    question = _question("idea").replace('hint = "idea en hint"', 'hnt = "idea en hint"')
    path = _write(tmp_path, question)

    message = _error_for(path)

    assert "'idea'" in message
    assert "texts.en.hnt" in message
    assert "texts.en.hint" in message


def test_an_unknown_kind_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, _question("idea", 'kind = "essay"'))

    message = _error_for(path)

    assert "'idea'" in message
    assert "field kind" in message


def test_options_on_a_text_question_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, _question("idea", _TWO_OPTIONS))

    message = _error_for(path)

    assert "'idea'" in message
    assert "options are not allowed" in message


def test_an_extra_language_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, _question("idea") + _texts("de", "idea de"))

    message = _error_for(path)

    assert "'idea'" in message
    assert "unknown language(s) de" in message


def test_the_first_question_cannot_hang_under_a_previous_one(tmp_path: Path) -> None:
    path = _write(tmp_path, _question("idea", "part_of_previous = true"))

    message = _error_for(path)

    assert "first question cannot be part_of_previous" in message


def test_a_question_without_a_key_is_named_by_its_position(tmp_path: Path) -> None:
    keyless = _question("dream").replace('key = "dream"\n', "")
    path = _write(tmp_path, _question("idea"), keyless)

    message = _error_for(path)

    assert "question #2" in message
    assert "field key" in message


def test_a_file_without_questions_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path)

    message = _error_for(path)

    assert str(path) in message
    assert "questions" in message
