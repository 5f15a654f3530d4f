"""Reading a PDF the bot made back, as a person's PDF reader would show it."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_pages(content: bytes) -> list[str]:
    """The text of each page, its whitespace made single spaces (lines joined)."""
    assert content.startswith(b"%PDF-"), content[:20]
    reader = PdfReader(io.BytesIO(content), strict=True)
    return [" ".join(page.extract_text().split()) for page in reader.pages]
