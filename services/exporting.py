"""Pitches to a CSV file staff open in a spreadsheet: the options, the file, the zip.

Shared by `pitchbot export` and the `/export` chat command, so it knows nothing of
Telegram. Rows stream from :func:`storage.export.export_batches` one batch at a time and
a worker thread writes each batch while the next one is read: memory stays flat and the
event loop keeps serving other users however large the export.

The file is RFC 4180 (CRLF line ends, fields quoted only when needed), UTF-8, comma.
With ``excel``: a UTF-8 byte order mark and semicolons, which Excel in a Belgian or
Dutch locale opens correctly with accents intact; still CRLF, as RFC 4180 says.
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import errno
import io
import os
import tempfile
import zipfile
from collections.abc import Callable
from contextlib import aclosing
from datetime import date
from pathlib import Path
from typing import IO

from dialogs.flow import Flow
from services.export_columns import Columns
from services.export_options import ExportError, ExportOptions, parse_day, parse_export_command
from storage.database import Database
from storage.export import BATCH_SIZE, export_batches

__all__ = [
    "TELEGRAM_DOCUMENT_LIMIT",
    "ExportError",
    "ExportOptions",
    "Progress",
    "export_to_path",
    "file_name",
    "parse_day",
    "parse_export_command",
    "write_csv",
    "zip_file",
]

Progress = Callable[[int], None]
"""Told how many pitches are written so far, after every batch and at the end."""

TELEGRAM_DOCUMENT_LIMIT = 50 * 1024 * 1024
"""Bots may send documents up to 50 MB: bigger exports go zipped, or via the CLI."""


async def write_csv(
    database: Database,
    flow: Flow,
    options: ExportOptions,
    stream: IO[bytes],
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Write the export to an open binary stream (left open); the number of pitches.

    Each batch becomes one chunk of CSV on the event loop (a few ms of CPU) and a worker
    thread writes it while the next batch is read, so a slow disk or a slow reader at the
    end of a pipe never blocks the loop, and at most two batches are in memory. (Doing
    the formatting in the thread as well was measured slower: it competes for the GIL
    with the database thread, row by row.)
    """
    chunk = _Chunk(options)
    columns = Columns(flow, options.language, anonymous=options.anonymous)
    chunk.writer.writerow(columns.header())
    writing: asyncio.Future[None] | None = None
    written = 0
    try:
        batches = export_batches(database, options.filter, columns.keys, batch_size=batch_size)
        async with aclosing(batches):
            async for batch in batches:
                chunk.writer.writerows(map(columns.cells, batch))
                if writing is not None:
                    await writing
                    if progress is not None:
                        progress(written)
                writing = asyncio.ensure_future(asyncio.to_thread(_write, stream, chunk.take()))
                written += len(batch)
        if writing is not None:
            await writing
        if rest := chunk.take():  # the header, when there was no batch
            await asyncio.to_thread(_write, stream, rest)
    finally:
        if writing is not None and not writing.done():
            await asyncio.wait([writing])  # a thread cannot be stopped: let it finish
    if progress is not None:
        progress(written)
    return written


class _Chunk:
    """The CSV of one batch, collected in memory as UTF-8 bytes."""

    def __init__(self, options: ExportOptions) -> None:
        self.buffer = io.BytesIO()
        if options.excel:
            self.buffer.write(codecs.BOM_UTF8)  # the first chunk starts the file
        self.text = io.TextIOWrapper(self.buffer, encoding="utf-8", newline="")
        delimiter = ";" if options.excel else ","
        self.writer = csv.writer(self.text, delimiter=delimiter, lineterminator="\r\n")

    def take(self) -> bytes:
        self.text.flush()
        data = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return data


def _write(stream: IO[bytes], data: bytes) -> None:
    """All of ``data``, or an error: a buffered stream can report a short write instead
    of failing (a pipe whose reader left, a full disk), and the rest must not be lost
    without a word."""
    rest = memoryview(data)
    try:
        while rest:
            written = stream.write(rest)
            if not written:
                raise OSError(errno.EIO, "the output accepts no more data")
            rest = rest[written:]
        stream.flush()
    except BrokenPipeError:
        raise  # the reader went away (`| head`): not a problem with the file
    except OSError as error:
        reason = error.strerror or str(error)
        raise ExportError("cannot_write", f"cannot write: {reason}", reason=reason) from None


async def export_to_path(
    database: Database,
    flow: Flow,
    options: ExportOptions,
    path: Path,
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Write the export to ``path``, all or nothing; the number of pitches.

    The file grows under a hidden temporary name in the same folder and is renamed over
    ``path`` only when complete, so readers never see half a file and a failure leaves
    nothing behind. Like the temporary file, the result is readable by its owner only:
    it holds personal data.
    """
    try:
        handle = tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False
        )
    except OSError as error:
        raise _cannot_write(path, error.strerror or str(error)) from None
    temporary = Path(handle.name)
    try:
        with handle:
            count = await write_csv(
                database, flow, options, handle, progress=progress, batch_size=batch_size
            )
        try:
            os.replace(temporary, path)
        except OSError as error:
            raise _cannot_write(path, error.strerror or str(error)) from None
    except ExportError as error:
        temporary.unlink(missing_ok=True)
        if error.problem == "cannot_write" and "path" not in error.values:
            raise _cannot_write(path, error.values["reason"]) from None  # now with the name
        raise
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return count


def _cannot_write(path: Path, reason: str) -> ExportError:
    return ExportError(
        "cannot_write", f"cannot write {path}: {reason}", path=str(path), reason=reason
    )


def zip_file(path: Path) -> Path:
    """``path`` deflated into a zip next to it (``pitches.csv`` → ``pitches.zip``).

    Text compresses well, so many exports over Telegram's 50 MB still fit once zipped.
    Blocking and CPU-bound: from the bot, run it with ``asyncio.to_thread``. Written
    under a temporary name and renamed, like the CSV itself.
    """
    target = path.with_suffix(".zip")
    if target == path:
        target = path.with_name(path.name + ".zip")
    handle = tempfile.NamedTemporaryFile(
        dir=path.parent, prefix=f".{target.name}.", suffix=".part", delete=False
    )
    temporary = Path(handle.name)
    try:
        with handle, zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(path, arcname=path.name)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def file_name(options: ExportOptions, today: date) -> str:
    """A name that says what the file is: ``pitches-2026-11-26.csv``, ``…-anonymous.csv``."""
    return f"pitches-{today.isoformat()}{'-anonymous' if options.anonymous else ''}.csv"
