"""A pitch to keep: the PDF of a sent pitch in the pitcher's chat.

Queued after the "thank you, your reference is …" message of a pitch just sent, and when
the pitcher asks for it again under /mypitches. The pitch is stored and its reference
shown before the document is even made, so nothing here can lose or hold up a pitch: a
document that cannot be made or sent is logged and left; /mypitches brings it again.

The handler does not wait for the document. One background task makes and sends the
waiting documents one at a time: a burst of pitches neither holds update slots while
PDFs are made and uploaded, nor floods Telegram's 30 messages a second with documents
ahead of the next people's answers. What waits is in memory only: a document not yet
sent when the bot stops is not sent (the pitch, its reference and /mypitches are safe).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass

from telegram import Bot

from bot.background import Background
from bot.logs import ids
from bot.render import render_text
from bot.sending import send_replies
from dialogs.catalog import Catalog
from dialogs.flow import Flow
from dialogs.replies import Reply, text
from services.pitch_document import pitch_document
from storage.pitches import PitchView

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Wanted:
    chat_id: int
    language: str
    pitch: PitchView
    asked: bool
    """Asked for under /mypitches (a failure is then said), not just sent."""


class PitchDocuments:
    """Makes a pitch's PDF in the pitcher's language and sends it to their chat."""

    def __init__(self, flow: Flow, catalog: Catalog, contact: str | None = None) -> None:
        self.flow = flow
        self.catalog = catalog
        self.contact = contact
        """The organisation's contact (``PITCHBOT_ORGANISATION_CONTACT``), or None."""
        self.waiting: deque[_Wanted] = deque()
        self.sending = Background(self._send_waiting)

    def queue(
        self, bot: Bot, chat_id: int, language: str, pitch: PitchView, *, asked: bool
    ) -> None:
        """Send the document of ``pitch`` soon, without making the caller wait."""
        self.waiting.append(_Wanted(chat_id, language, pitch, asked))
        self.sending.wake(bot)

    async def _send_waiting(self, bot: Bot) -> int:
        sent = 0
        while self.sending.woken():
            while self.waiting:
                wanted = self.waiting.popleft()
                if await self.send(bot, wanted.chat_id, wanted.language, wanted.pitch):
                    sent += 1
                elif wanted.asked:
                    await self._say_it_failed(bot, wanted)
        return sent

    async def send(self, bot: Bot, chat_id: int, language: str, pitch: PitchView) -> bool:
        """Send the document now; False (logged, never raised) when it did not get through."""
        try:
            # a few ms of CPU (30 ms for a pitch at every length limit, and fpdf2's import
            # the first time): off the event loop
            document = await asyncio.to_thread(
                pitch_document, pitch, self.flow, self.catalog, language, self.contact
            )
            caption = text("document_caption", reference=pitch.reference)
            await bot.send_document(
                chat_id,
                document.content,
                filename=document.file_name,
                caption=render_text(self.catalog, language, caption),
            )
        except Exception:  # noqa: BLE001 - the pitch is safe; the document is a courtesy
            log.warning(
                "could not send the document of %s to chat %s",
                pitch.reference,
                chat_id,
                exc_info=True,
                extra=ids(chat_id=chat_id, reference=pitch.reference),
            )
            return False
        return True

    async def _say_it_failed(self, bot: Bot, wanted: _Wanted) -> None:
        """They asked for it: tell them it did not come (if Telegram takes that)."""
        failed = Reply((text("document_failed"),))
        try:
            await send_replies(bot, self.catalog, wanted.chat_id, wanted.language, (failed,))
        except Exception:  # noqa: BLE001 - already logged; the pitch is safe
            log.info("could not tell chat %s that its document did not come", wanted.chat_id)
