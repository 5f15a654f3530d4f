"""Per-language text catalogues: every user-facing sentence lives in dialogs/locales/.

Templates are trusted and may hold Telegram HTML (<b>, <i>); placeholder values are
untrusted and escaped by whoever renders, so a pitcher's "<b>" comes back verbatim.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Callable, Mapping
from importlib import resources

from dialogs.languages import LANGUAGES
from dialogs.replies import Text

_TAG = re.compile(r"</?(?:b|i|u|s|code)>")


class CatalogError(Exception):
    """A catalogue that is missing keys or placeholders; raised at start-up."""


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Catalog:
    """Templates per language, all with the same keys and placeholders."""

    def __init__(self, templates: Mapping[str, Mapping[str, str]]) -> None:
        self.templates = templates
        reference = templates[LANGUAGES[0]]
        for language in LANGUAGES[1:]:
            other = templates[language]
            missing = sorted(set(reference) ^ set(other))
            if missing:
                raise CatalogError(f"catalogue {language}: keys differ from nl: {missing}")
            for key, template in reference.items():
                if placeholders(template) != placeholders(other[key]):
                    raise CatalogError(f"catalogue {language}: placeholders of {key!r} differ")

    @classmethod
    def load(cls) -> Catalog:
        folder = resources.files("dialogs").joinpath("locales")
        templates = {
            language: tomllib.loads(folder.joinpath(f"{language}.toml").read_text("utf-8"))
            for language in LANGUAGES
        }
        return cls(templates)

    def render(self, language: str, item: Text, escape: Callable[[str], str]) -> str:
        """Fill a template; nested texts are rendered, plain values escaped."""
        template = self.templates[language][item.key]
        return self._fill(language, template, item, escape)

    def render_plain(self, language: str, item: Text) -> str:
        """For the terminal: formatting tags dropped from templates, values left verbatim."""
        template = _TAG.sub("", self.templates[language][item.key])
        return self._fill(language, template, item, lambda value: value, plain=True)

    def _fill(
        self,
        language: str,
        template: str,
        item: Text,
        escape: Callable[[str], str],
        plain: bool = False,
    ) -> str:
        values: dict[str, str] = {}
        for name, value in item.values.items():
            if isinstance(value, Text):
                values[name] = (
                    self.render_plain(language, value)
                    if plain
                    else self.render(language, value, escape)
                )
            else:
                values[name] = escape(str(value))
        return template.format_map(values)
