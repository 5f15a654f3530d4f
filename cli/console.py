"""Terminal chat: the same engine and database as the bot, with numbered buttons.

Lets anyone try or demonstrate the whole flow without a Telegram token.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

from prompt_toolkit import PromptSession

from dialogs.catalog import Catalog
from dialogs.events import Command, Event, Pressed, Said, clean_text
from dialogs.replies import text
from services.conversation import Conversations, Response
from services.pitch_document import pitch_document
from services.types import Person

CONSOLE_PERSON = Person(user_id=0, chat_id=0, first_name="terminal")
"""The terminal's one pitcher; Telegram never uses id 0."""

QUIT = ("/quit", "/exit")

Reader = Callable[[], Awaitable[str | None]]
Writer = Callable[[str], None]


async def read_stdin() -> str | None:
    """One answer from the terminal; None at end of input.

    At a terminal, prompt-toolkit reads it: a pasted text of several lines arrives as one
    answer (bracketed paste), Enter sends it. Piped input is read line by line.
    """
    if sys.stdin.isatty():
        return await _read_terminal()
    return await _read_line()


_SESSION: PromptSession[str] | None = None


async def _read_terminal() -> str | None:
    global _SESSION
    if _SESSION is None:
        _SESSION = PromptSession()
    try:
        return await _SESSION.prompt_async("> ")
    except EOFError:
        return None


async def _read_line() -> str | None:
    """``input()`` runs in a daemon thread so Ctrl-C ends the chat at once instead of
    waiting for a line that will never come."""
    loop = asyncio.get_running_loop()
    line: asyncio.Future[str | None] = loop.create_future()

    def deliver(value: str | None) -> None:
        if not line.done():
            line.set_result(value)

    def read() -> None:
        try:
            value: str | None = input("> ")
        except (EOFError, OSError):
            value = None
        try:
            loop.call_soon_threadsafe(deliver, value)
        except RuntimeError:  # the chat already ended
            pass

    threading.Thread(target=read, daemon=True).start()
    return await line


CONTINUED = "\\"
"""A line ending with a backslash goes on on the next line (of the same answer)."""


async def read_answer(read: Reader) -> str | None:
    """One answer: a line, or several joined where a line ends with a backslash."""
    line = await read()
    while line is not None and line.endswith(CONTINUED):
        more = await read()
        line = line[: -len(CONTINUED)] + ("\n" + more if more is not None else "")
        if more is None:
            break
    return line


def show(catalog: Catalog, response: Response, write: Writer) -> dict[str, str]:
    """Print replies as plain text; buttons become numbers. Returns number -> data."""
    buttons: dict[str, str] = {}
    if response.notice is not None:
        write(f"({catalog.render_plain(response.language, response.notice)})")
    for reply in response.replies:
        write("")
        write("\n\n".join(catalog.render_plain(response.language, b) for b in reply.blocks))
        for row in reply.buttons:
            for button in row:
                number = str(len(buttons) + 1)
                buttons[number] = button.data
                label = catalog.render_plain(response.language, button.label)
                write(f"  [{number}] {label}")
    return buttons


def event_of_line(line: str, buttons: dict[str, str]) -> Event:
    line = clean_text(line)
    stripped = line.strip()
    if stripped in buttons:
        return Pressed(buttons[stripped])
    if stripped.startswith("/") and len(stripped) > 1:
        name, _, argument = stripped[1:].partition(" ")
        return Command(name.lower(), argument.strip())
    return Said(line)


def save_document(
    conversations: Conversations,
    catalog: Catalog,
    response: Response,
    folder: Path,
    contact: str | None,
) -> str:
    """Where Telegram sends the PDF of a pitch sent or asked for, the terminal saves it
    in ``folder``; the line to show."""
    if response.document is None:
        return ""
    flow, language = conversations.flow, response.language
    try:
        document = pitch_document(response.document, flow, catalog, language, contact)
        path = folder / document.file_name
        path.touch(mode=0o600)  # their pitch, contact details included: theirs to read
        path.write_bytes(document.content)
    except Exception:  # noqa: BLE001 - the pitch is stored; the file is a courtesy
        return catalog.render_plain(language, text("document_failed"))
    return catalog.render_plain(language, text("console_document_saved", path=str(path)))


def save_data(
    conversations: Conversations, catalog: Catalog, response: Response, folder: Path
) -> str:
    """/mydata: where Telegram sends the file, the terminal saves it (only its owner may
    read it); the line to show."""
    assert response.data is not None
    path = folder / f"pitchbot-{conversations.clock().date().isoformat()}.json"
    path.touch(mode=0o600)
    path.write_bytes(response.data)
    return catalog.render_plain(response.language, text("mydata_saved", path=str(path)))


async def run_console(
    conversations: Conversations,
    catalog: Catalog,
    read: Reader = read_stdin,
    write: Writer = print,
    person: Person = CONSOLE_PERSON,
    documents: Path | None = None,
    contact: str | None = None,
) -> None:
    """Chat until end of input or /quit; starts with /start like a new Telegram chat.

    ``documents``: the folder where the PDF of a pitch sent or asked for is saved (None:
    not saved); ``contact``: the organisation's, on that PDF."""
    first = await conversations.handle(person, Command("start"))
    write(catalog.render_plain(first.language, text("console_banner")))
    buttons = show(catalog, first, write)
    language = first.language
    try:
        while (line := await read_answer(read)) is not None:
            if line.strip().lower() in QUIT:
                break
            response = await conversations.handle(person, event_of_line(line, buttons))
            language = response.language
            shown = show(catalog, response, write)
            if documents is not None and response.document is not None:
                write(save_document(conversations, catalog, response, documents, contact))
            if documents is not None and response.data is not None:
                write(save_data(conversations, catalog, response, documents))
            if shown:  # numbers mean the buttons last shown, also after a reply without any
                buttons = shown
    finally:
        write(catalog.render_plain(language, text("console_bye")))
