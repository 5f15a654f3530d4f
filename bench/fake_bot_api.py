"""A Bot API that says yes to everything, fast: the far side of bench/workers.py.

    python -m uvicorn bench.fake_bot_api:app --port 8081 --log-level warning

Every method succeeds at once (a sent message gets a new id in the chat it was sent to),
so the workers' own cost is what is measured, not Telegram's nor an emulator's.
"""

from __future__ import annotations

import itertools
import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import Route

BOT = {"id": 666, "is_bot": True, "first_name": "Pitchbot", "username": "PitchbotBenchBot"}
_ids = itertools.count(1)


def _message(params: dict[str, Any]) -> dict[str, Any]:
    chat_id = params.get("chat_id", 1)
    chat_id = int(chat_id) if str(chat_id).lstrip("-").isdigit() else 1
    kind = "private" if chat_id > 0 else "supergroup"
    chat = {"id": chat_id, "type": kind}
    return {"message_id": next(_ids), "date": 0, "chat": chat, "from": BOT, "text": "…"}


def _result(method: str, params: dict[str, Any]) -> Any:
    if method == "getMe":
        return BOT
    if method == "getChat":
        return {"id": params.get("chat_id", 1), "type": "supergroup", "title": "Team"}
    if method == "getChatMember":
        return {"status": "administrator", "user": BOT, "can_be_edited": False}
    if method.startswith(("send", "copy", "forward", "edit")):
        return _message(params)
    return True


async def call(request: Request) -> JSONResponse:
    method = request.path_params["method"]
    try:
        body = await request.body()
    except ClientDisconnect:  # a worker stopped mid-call (SIGTERM at the end of a run)
        return JSONResponse({"ok": False}, status_code=499)
    kind = request.headers.get("content-type", "")
    params: dict[str, Any] = {}
    if kind.startswith("application/json"):
        params = json.loads(body or b"{}")
    elif kind.startswith("application/x-www-form-urlencoded"):  # python-telegram-bot's way
        params = dict(parse_qsl(body.decode()))
    # else a file upload: read and forgotten
    return JSONResponse({"ok": True, "result": _result(method, params)})


app = Starlette(routes=[Route("/bot{token}/{method}", call, methods=["POST", "GET"])])
