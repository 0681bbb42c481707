"""Tiny stand-in bot that records what Agents Playground posts to /api/messages.

Used to make the fixtures in ../captured/. Every POST is appended as one JSON line
{"t", "headers", "body"} to --log; every call the bot makes back to the playground
(replies) goes to --log with "outgoing": true.

Replies like a bot would:
  message containing "kaart" -> an Adaptive Card 1.5 with Input.Text, Action.Execute
                                (verb casus.bevestig) and Action.Submit
  other message               -> "echo: <text>"
  invoke adaptiveCard/action  -> HTTP 200 {"statusCode":200,
                                 "type":"application/vnd.microsoft.card.adaptive", "value": card}
  other invokes               -> 200 {}
Run: python tools/capture_bot.py --log /tmp/playground-capture.jsonl   (listens on 127.0.0.1:3978)
"""

from __future__ import annotations

import argparse
import json
import time
from urllib.parse import quote

from aiohttp import ClientSession, web

CARD = {
    "type": "AdaptiveCard",
    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
    "version": "1.5",
    "body": [
        {
            "type": "TextBlock",
            "text": "Casus C-2024-017 aangemeld",
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        },
        {
            "type": "TextBlock",
            "text": "Wil je de casus bevestigen voor het casusoverleg?",
            "wrap": True,
        },
        {
            "type": "Input.Text",
            "id": "opmerking",
            "label": "Opmerking",
            "placeholder": "Toelichting",
        },
    ],
    "actions": [
        {
            "type": "Action.Execute",
            "title": "Bevestigen",
            "verb": "casus.bevestig",
            "data": {"casusId": "C-2024-017", "stap": "triage"},
        },
        {
            "type": "Action.Submit",
            "title": "Later",
            "data": {"casusId": "C-2024-017", "actie": "later"},
        },
    ],
}


def make_app(log_path: str) -> web.Application:
    def log(rec: dict) -> None:
        rec["t"] = time.time()
        with open(log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    async def messages(request: web.Request) -> web.Response:
        raw = await request.text()
        body = json.loads(raw) if raw else None
        log({"headers": dict(request.headers), "body": body})
        if not body:
            return web.json_response({}, status=400)
        if body.get("type") == "message":
            text = body.get("text") or ""
            reply: dict = {
                "type": "message",
                "from": body["recipient"],
                "recipient": body["from"],
                "conversation": body["conversation"],
                "replyToId": body.get("id"),
            }
            if "kaart" in text.lower():
                reply["attachments"] = [
                    {"contentType": "application/vnd.microsoft.card.adaptive", "content": CARD}
                ]
            else:
                reply["text"] = "echo: " + (text or json.dumps(body.get("value")))
            url = (
                body["serviceUrl"].rstrip("/")
                + "/v3/conversations/"
                + quote(body["conversation"]["id"], safe="")
                + "/activities/"
                + quote(body.get("id", ""), safe="")
            )
            async with ClientSession() as s, s.post(url, json=reply) as r:
                log(
                    {
                        "outgoing": True,
                        "url": url,
                        "request": reply,
                        "status": r.status,
                        "response": await r.text(),
                    }
                )
            return web.json_response({})
        if body.get("type") == "invoke" and body.get("name") == "adaptiveCard/action":
            verb = body.get("value", {}).get("action", {}).get("verb")
            who = body.get("from", {}).get("name")
            return web.json_response(
                {
                    "statusCode": 200,
                    "type": "application/vnd.microsoft.card.adaptive",
                    "value": {
                        "type": "AdaptiveCard",
                        "version": "1.5",
                        "body": [
                            {
                                "type": "TextBlock",
                                "text": f"Casus C-2024-017 bevestigd door {who} ({verb})",
                                "wrap": True,
                            }
                        ],
                    },
                }
            )
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", default="/tmp/playground-capture.jsonl")
    ap.add_argument("--port", type=int, default=3978)
    a = ap.parse_args()
    web.run_app(make_app(a.log), host="127.0.0.1", port=a.port)
