"""The text catalogues: complete in every language, valid Telegram HTML, safe rendering."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from pathlib import Path

import pytest

from dialogs.catalog import Catalog, CatalogError
from dialogs.engine import KNOWN_COMMANDS
from dialogs.events import MEDIA_KINDS
from dialogs.languages import LANGUAGES
from dialogs.replies import text
from services.desk import NEWS_STATUSES
from services.export_columns import FIXED_COLUMNS, TELEGRAM_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
STATUSES = (
    "draft",
    "new",
    "in_review",
    "in_conversation",
    "supported",
    "referred",
    "not_pursued",
    "archived",
)
ALLOWED_TAGS = frozenset({"b", "i", "u", "s", "code"})
_TAG = re.compile(r"<(/?)([^<>]*)>")
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);")
# A literal key in a text(...) call, also when the call spans lines: text(\n    "key", ...).
_TEXT_CALL = re.compile(r'(?<![\w.])text\(\s*"([a-z_]+)"')
STAFF_USAGE_COMMANDS = ("pitch", "status", "assign", "note", "reply")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def _same_everywhere(templates: Mapping[str, str]) -> dict[str, dict[str, str]]:
    return {language: dict(templates) for language in LANGUAGES}


def html_problems(template: str) -> list[str]:
    """What Telegram's HTML parser would reject: unknown tags, bad nesting, bare & < >."""
    problems: list[str] = []
    stack: list[str] = []
    for match in _TAG.finditer(template):
        closing, name = match.group(1) == "/", match.group(2)
        if name not in ALLOWED_TAGS:
            problems.append(f"tag not allowed: {match.group(0)}")
        elif not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            problems.append(f"badly nested: {match.group(0)}")
    problems += [f"unclosed: <{name}>" for name in stack]
    rest = _ENTITY.sub("", _TAG.sub("", template))
    problems += [f"bare {char!r}" for char in "&<>" if char in rest]
    return problems


# --- loading and completeness --------------------------------------------------------------


def test_shipped_catalogues_load(catalog: Catalog) -> None:
    assert set(catalog.templates) == set(LANGUAGES)
    assert catalog.templates["nl"]


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_every_key_exists_in_every_language_in_the_same_order(
    catalog: Catalog, language: str
) -> None:
    assert list(catalog.templates[language]) == list(catalog.templates["nl"])


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_a_missing_key_names_the_language_and_the_key(language: str) -> None:
    templates = _same_everywhere({"welcome": "Hallo", "farewell": "Dag"})
    del templates[language]["farewell"]
    with pytest.raises(CatalogError) as raised:
        Catalog(templates)
    assert language in str(raised.value)
    assert "farewell" in str(raised.value)


def test_an_extra_key_fails_too() -> None:
    templates = _same_everywhere({"welcome": "Hallo"})
    templates["en"]["surplus"] = "Extra"
    with pytest.raises(CatalogError, match="surplus"):
        Catalog(templates)


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_differing_placeholders_fail(language: str) -> None:
    templates = _same_everywhere({"greeting": "Hallo {name}"})
    templates[language]["greeting"] = "Hello {naam}"
    with pytest.raises(CatalogError) as raised:
        Catalog(templates)
    assert language in str(raised.value)
    assert "greeting" in str(raised.value)


def test_a_missing_placeholder_fails() -> None:
    templates = _same_everywhere({"progress": "Vraag {number} van {total}"})
    templates["fr"]["progress"] = "Question {number}"
    with pytest.raises(CatalogError, match="progress"):
        Catalog(templates)


# --- Telegram HTML ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("<b>bold <i>and italic</i></b> &amp; &lt;3", []),
        ("<b><i>crossed</b></i>", ["badly nested: </b>", "badly nested: </i>"]),
        ("<b>open", ["unclosed: <b>"]),
        ('<a href="x">link</a>', ['tag not allowed: <a href="x">', "tag not allowed: </a>"]),
        ("this & that", ["bare '&'"]),
        ("1 < 2", ["bare '<'"]),
    ],
)
def test_the_html_checker_itself(template: str, expected: list[str]) -> None:
    assert html_problems(template) == expected


def test_every_template_is_valid_telegram_html(catalog: Catalog) -> None:
    problems = [
        f"{language}.{key}: {problem}"
        for language, templates in catalog.templates.items()
        for key, template in templates.items()
        for problem in html_problems(template)
    ]
    assert problems == []


def test_command_descriptions_fit_telegrams_menu(catalog: Catalog) -> None:
    wrong = [
        f"{language}.{key} ({len(template)} characters)"
        for language, templates in catalog.templates.items()
        for key, template in templates.items()
        if key.startswith("command_") and not 3 <= len(template) <= 256
    ]
    assert wrong == []


def test_the_bot_profile_texts_fit_telegrams_limits(catalog: Catalog) -> None:
    """setMyDescription takes up to 512 characters, setMyShortDescription up to 120."""
    for templates in catalog.templates.values():
        assert 1 <= len(templates["bot_description"]) <= 512
        assert 1 <= len(templates["bot_short_description"]) <= 120


# --- rendering ------------------------------------------------------------------------------


def test_render_escapes_values_but_keeps_template_tags() -> None:
    catalog = Catalog(_same_everywhere({"answer": "Je antwoord: <b>{value}</b>"}))
    rendered = catalog.render("nl", text("answer", value="<b>&"), html.escape)
    assert rendered == "Je antwoord: <b>&lt;b&gt;&amp;</b>"


def test_render_escapes_values_in_a_shipped_template(catalog: Catalog) -> None:
    rendered = catalog.render("nl", text("current_answer", value="<b>&"), html.escape)
    assert "&lt;b&gt;&amp;" in rendered
    assert "<i>" in rendered and "</i>" in rendered
    assert html_problems(rendered) == []


def test_render_plain_drops_template_tags_and_keeps_values_verbatim() -> None:
    catalog = Catalog(_same_everywhere({"answer": "Je antwoord: <i>{value}</i>"}))
    assert catalog.render_plain("nl", text("answer", value="<b>&")) == "Je antwoord: <b>&"


@pytest.mark.parametrize("language", LANGUAGES)
def test_render_plain_on_shipped_templates(catalog: Catalog, language: str) -> None:
    rendered = catalog.render_plain(language, text("progress", number=2, total=11))
    assert "<" not in rendered
    assert "2" in rendered and "11" in rendered


@pytest.mark.parametrize("language", LANGUAGES)
def test_nested_texts_are_rendered_in_the_same_language(catalog: Catalog, language: str) -> None:
    templates = catalog.templates[language]
    item = text("error_media", kind=text("media_photo"))
    expected = templates["error_media"].format(kind=templates["media_photo"])
    assert catalog.render(language, item, html.escape) == expected
    assert catalog.render_plain(language, item) == expected


def test_nested_texts_keep_their_tags_and_escape_their_values_once() -> None:
    templates = {
        "nl": {"outer": "<i>{inner}</i>", "inner": "<b>{value}</b> nl"},
        "en": {"outer": "<i>{inner}</i>", "inner": "<b>{value}</b> en"},
        "fr": {"outer": "<i>{inner}</i>", "inner": "<b>{value}</b> fr"},
    }
    catalog = Catalog(templates)
    item = text("outer", inner=text("inner", value="a&b"))
    assert catalog.render("en", item, html.escape) == "<i><b>a&amp;b</b> en</i>"
    assert catalog.render_plain("fr", item) == "a&b fr"


# --- keys used by the code --------------------------------------------------------------------


EXPORT_COLUMNS = (*FIXED_COLUMNS, *TELEGRAM_COLUMNS)

EXPORT_PROBLEMS = (
    "bad_date",
    "missing_date",
    "unknown_status",
    "unknown_word",
    "until_before_since",
    "unknown_language",
    "cannot_write",
)
"""Every ExportError.problem (services/export_options.py), each said from the catalogue in chat."""


def _keys_used_in_code() -> set[str]:
    sources = [
        path
        for pattern in ("dialogs/*.py", "bot/*.py", "bot/staff/*.py")
        for path in sorted(ROOT.glob(pattern))
    ]
    literal = {key for path in sources for key in _TEXT_CALL.findall(path.read_text("utf-8"))}
    built = (
        {f"media_{kind}" for kind in MEDIA_KINDS}
        | {f"status_{status}" for status in STATUSES}
        | {f"command_{command}" for command in KNOWN_COMMANDS}
        | {f"staff_status_{status}" for status in STATUSES}
        | {f"status_news_{status}" for status in NEWS_STATUSES}
        | {f"staff_usage_{command}" for command in STAFF_USAGE_COMMANDS}
        | {f"export_error_{problem}" for problem in EXPORT_PROBLEMS}
        | {f"export_column_{column}" for column in EXPORT_COLUMNS}
    )
    return literal | built


def test_the_code_scan_finds_keys() -> None:
    used = _keys_used_in_code()
    assert {"welcome", "consent", "error_media", "review_title"} <= used
    # bot/staff is scanned, including calls whose key sits on the next line
    assert {"staff_only", "staff_search_title", "staff_reply_prompt"} <= used
    assert {"staff_status_archived", "status_news_supported", "staff_usage_reply"} <= used


def test_every_key_used_in_code_exists(catalog: Catalog) -> None:
    missing = sorted(_keys_used_in_code() - set(catalog.templates["nl"]))
    assert missing == []
