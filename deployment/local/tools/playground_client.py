"""Drive Microsoft 365 Agents Playground (0.2.28) without a browser.

The playground's web UI talks to its own server over a small HTTP API and one
websocket. This module uses the same calls, so a test or smoke script can act
as the user in the UI:

  POST /_debug/conversation/{conv}/installation    what the UI does when it opens a chat:
                                                   sends installationUpdate and then
                                                   conversationUpdate (membersAdded) to the bot
  POST /_conversation/v1/conversations/{conv}/messages
                                                   user types a message. The activity is always
                                                   from currentUser, whatever from.id says. In a
                                                   channel or group chat the bot only gets it
                                                   when it @mentions the bot. Posting to a channel
                                                   id starts a new thread ("{channel};messageid=N").
  POST /_conversation/v1/invoke                    user clicks an Action.Execute
                                                   (name "adaptiveCard/action"). from.id may be
                                                   any configured user.
  POST /_conversation/v1/submit                    user clicks an Action.Submit
                                                   (message activity with "value")
  POST /_internal/v1/customActivities              "Mock an Activity": sends the JSON body to
                                                   the bot as it is (any from, any type)
  GET  /_internal/v1/testConfig                    the loaded config: users, chats, team
  WS   /_ws_conversation/v1/conversations/stream   what the bot sends: {"action": "createMessage"
                                                   | "updateMessage" | "typing", ...}. Messages
                                                   sent while no client is connected are buffered
                                                   and all go to the next client that connects.

Only aiohttp is needed (already a dependency of the bot).

CLI examples (playground on :56150, bot on :3978):
  python tools/playground_client.py wait
  python tools/playground_client.py install personal
  python tools/playground_client.py say personal "help" --listen 5
  python tools/playground_client.py say channel "nieuwe casus" --mention-bot --listen 5
  python tools/playground_client.py invoke personal <cardMessageId> casus.bevestig '{"casusId":"1"}'
  python tools/playground_client.py smoke --text help
Conversation aliases: personal, group, general (team's General channel), channel
(the extra channel, "Casusoverleg"), or a literal conversation id.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from typing import Any
from urllib.parse import quote

import aiohttp

DEFAULT_URL = "http://localhost:56150"


class PlaygroundError(RuntimeError):
    pass


class PlaygroundClient:
    def __init__(self, base_url: str = DEFAULT_URL) -> None:
        self.base_url = base_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None
        self._config: dict[str, Any] | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ws_task: asyncio.Task | None = None
        self.events: list[dict[str, Any]] = []
        self._event_cond = asyncio.Condition()

    async def __aenter__(self) -> PlaygroundClient:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self

    async def __aexit__(self, *exc: object) -> None:
        # Note: if this websocket closes while the bot is still sending, the playground
        # fails the bot's POST (WebSocketError). Wait for the replies you expect first.
        if self._ws_task:
            self._ws_task.cancel()
        if self._ws is not None:
            await self._ws.close()
        if self._session:
            await self._session.close()

    # ---- plumbing -------------------------------------------------------
    async def _req(self, method: str, path: str, body: Any = None) -> Any:
        assert self._session is not None, "use 'async with PlaygroundClient()'"
        async with self._session.request(method, self.base_url + path, json=body) as r:
            text = await r.text()
            if r.status >= 400:
                raise PlaygroundError(f"{method} {path} -> {r.status}: {text}")
            return json.loads(text) if text else None

    async def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                assert self._session is not None
                async with self._session.get(self.base_url + "/_debug/ping") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise PlaygroundError(f"playground not reachable at {self.base_url}")
            await asyncio.sleep(0.25)

    async def config(self) -> dict[str, Any]:
        if self._config is None:
            self._config = (await self._req("GET", "/_internal/v1/testConfig"))["config"]
        return self._config

    async def conv_id(self, alias: str) -> str:
        cfg = await self.config()
        team = cfg["teams"][0]
        aliases = {
            "personal": cfg["personalChat"]["id"],
            "group": cfg["groupChats"][0]["id"],
            "general": team["id"],
            "channel": team["channels"][-1]["id"],
        }
        return aliases.get(alias, alias)

    async def bot(self) -> dict[str, Any]:
        return (await self.config())["bot"]

    async def current_user(self) -> dict[str, Any]:
        return (await self.config())["currentUser"]

    # ---- websocket: what the bot sends --------------------------------------
    async def listen(self) -> None:
        """Connect to the websocket the UI uses; bot messages land in self.events."""
        assert self._session is not None
        self._ws = await self._session.ws_connect(
            self.base_url + "/_ws_conversation/v1/conversations/stream"
        )

        async def pump() -> None:
            assert self._ws is not None
            async for msg in self._ws:
                if msg.type == aiohttp.WSMsgType.TEXT:
                    async with self._event_cond:
                        self.events.append(json.loads(msg.data))
                        self._event_cond.notify_all()

        self._ws_task = asyncio.create_task(pump())

    async def wait_event(
        self,
        conv: str | None = None,
        action: str = "createMessage",
        timeout: float = 10.0,
        start: int = 0,
    ) -> dict[str, Any]:
        """Wait for a websocket event (from index `start` on) for conversation `conv`."""
        conv_id = await self.conv_id(conv) if conv else None
        deadline = time.monotonic() + timeout

        def match() -> dict[str, Any] | None:
            for ev in self.events[start:]:
                if ev.get("action") != action:
                    continue
                ev_conv = ev.get("actionConversationId") or ""
                if (
                    conv_id is None
                    or ev_conv == conv_id
                    or ev_conv.startswith(conv_id + ";messageid=")  # reply in a thread
                    or ev.get("message", {}).get("postConversationId") == conv_id
                ):
                    return ev
            return None

        async with self._event_cond:
            while (found := match()) is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise PlaygroundError(f"no {action} for {conv_id} within {timeout}s")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._event_cond.wait(), remaining)
            return found

    # ---- user actions -------------------------------------------------------
    async def install(self, conv: str) -> None:
        """What the UI does on opening a chat: installationUpdate + conversationUpdate."""
        await self._req(
            "POST",
            f"/_debug/conversation/{quote(await self.conv_id(conv), safe='')}/installation",
            {},
        )

    async def send_message(self, conv: str, text: str, mention_bot: bool = False) -> dict[str, Any]:
        """Type a message as currentUser. Returns {messageId, timestamp, postConversationId?}."""
        me = await self.current_user()
        body: dict[str, Any] = {
            "type": "text",
            "text": text,
            "textFormat": "plain",
            "from": {"id": me["id"]},
        }
        if mention_bot:
            bot = await self.bot()
            at = f"<at>{bot['name']}</at>"
            body["text"] = f"{at} {text}"
            body["mentions"] = [{"mentioned": {"id": bot["id"], "name": bot["name"]}, "text": at}]
        path = (
            f"/_conversation/v1/conversations/{quote(await self.conv_id(conv), safe='')}/messages"
        )
        return await self._req("POST", path, body)

    async def invoke_action(
        self,
        conv: str,
        reply_to_id: str,
        verb: str,
        data: dict[str, Any] | None = None,
        title: str | None = None,
        as_user: str | None = None,
    ) -> dict[str, Any]:
        """Click an Action.Execute on the bot message `reply_to_id` (the message id the
        playground gave the card: websocket messageId or the id in the bot's 201 response).
        Inputs of the card go into `data`, as the UI merges them. Returns the bot's
        invoke response as the UI sees it: {"type": ..., "value": ...}."""
        action: dict[str, Any] = {"type": "Action.Execute", "verb": verb, "data": data or {}}
        if title is not None:
            action["title"] = title
        body = {
            "name": "adaptiveCard/action",
            "value": {"action": action},
            "from": {"id": as_user or (await self.current_user())["id"]},
            "conversation": {"id": await self.conv_id(conv)},
            "replyToId": reply_to_id,
        }
        return await self._req("POST", "/_conversation/v1/invoke", body)

    async def submit(self, conv: str, reply_to_id: str, value: dict[str, Any]) -> None:
        """Click an Action.Submit: bot gets a message activity with `value`, no text."""
        body = {
            "conversation": {"id": await self.conv_id(conv)},
            "replyToId": reply_to_id,
            "value": value,
            "from": {"id": (await self.current_user())["id"]},
        }
        await self._req("POST", "/_conversation/v1/submit", body)

    async def activity_template(self, conv: str, kind: str | None = None) -> dict[str, Any]:
        """Template of 'Mock an Activity' (kind: install, uninstall, botAdded, userAdded,
        botRemoved, userRemoved, channelCreated, channelRenamed, channelDeleted,
        teamRenamed, teamDeleted, or None for a bare activity)."""
        q = f"conversationId={quote(await self.conv_id(conv), safe='')}"
        if kind:
            q += f"&type={kind}"
        return await self._req("GET", f"/_internal/v1/customActivities/template?{q}")

    async def custom_activity(self, activity: dict[str, Any]) -> None:
        """Send any activity to the bot as it is, e.g. a message from another user."""
        await self._req("POST", "/_internal/v1/customActivities", activity)

    async def message_as(
        self, user_id: str, conv: str, text: str, mention_bot: bool = True
    ) -> dict[str, Any]:
        """A message from another configured user (through 'Mock an Activity').
        Shaped like the playground's own message activities; the UI does not show it."""
        cfg = await self.config()
        users = {u["id"]: u for u in [cfg["currentUser"], *cfg["users"]]}
        user = users[user_id]
        act = await self.activity_template(conv)
        bot = cfg["bot"]
        conv_id = await self.conv_id(conv)
        entities: list[dict[str, Any]] = []
        if mention_bot:
            at = f"<at>{bot['name']}</at>"
            text = f"{at} {text}"
            entities.append(
                {"type": "mention", "mentioned": {"id": bot["id"], "name": bot["name"]}, "text": at}
            )
        entities.append(
            {"type": "clientInfo", "locale": "en-US", "country": "US", "timezone": "UTC"}
        )
        channel_data: dict[str, Any] = {"tenant": {"id": cfg["tenantId"]}}
        team = cfg["teams"][0]
        top = conv_id.split(";messageid=")[0]
        if top in {c["id"] for c in team["channels"]}:
            channel_data.update(
                {
                    "teamsChannelId": top,
                    "teamsTeamId": team["id"],
                    "team": {"id": team["id"]},
                    "channel": {"id": top},
                }
            )
        act.update(
            {
                "type": "message",
                "text": text,
                "textFormat": "plain",
                "locale": "en-US",
                "from": {
                    "id": user["id"],
                    "name": user["name"],
                    "aadObjectId": user["aadObjectId"],
                },
                "entities": entities,
                "channelData": channel_data,
            }
        )
        await self.custom_activity(act)
        return act


# ---- CLI --------------------------------------------------------------------
def _print(obj: Any) -> None:
    print(json.dumps(obj, indent=2, ensure_ascii=False))


async def _main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--url", default=DEFAULT_URL)
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("wait")
    w.add_argument("--timeout", type=float, default=30)
    sub.add_parser("config")
    s = sub.add_parser("install")
    s.add_argument("conv")
    s = sub.add_parser("say")
    s.add_argument("conv")
    s.add_argument("text")
    s.add_argument("--mention-bot", action="store_true")
    s.add_argument(
        "--listen", type=float, default=0, help="seconds to print bot messages afterwards"
    )
    s = sub.add_parser("invoke")
    s.add_argument("conv")
    s.add_argument("reply_to_id")
    s.add_argument("verb")
    s.add_argument("data", nargs="?", default="{}")
    s.add_argument("--as-user")
    s = sub.add_parser("submit")
    s.add_argument("conv")
    s.add_argument("reply_to_id")
    s.add_argument("value")
    s = sub.add_parser("as")
    s.add_argument("user_id")
    s.add_argument("conv")
    s.add_argument("text")
    s = sub.add_parser("smoke", help="install + message in personal chat; expects a bot reply")
    s.add_argument("--text", default="help")
    s.add_argument("--timeout", type=float, default=15)
    a = p.parse_args(argv)

    async with PlaygroundClient(a.url) as pg:
        await pg.wait_ready(getattr(a, "timeout", 30) if a.cmd == "wait" else 30)
        if a.cmd == "wait":
            print("playground ready at", a.url)
        elif a.cmd == "config":
            _print(await pg.config())
        elif a.cmd == "install":
            await pg.install(a.conv)
        elif a.cmd == "say":
            if a.listen:
                await pg.listen()
                await asyncio.sleep(0.3)
                start = len(pg.events)
            _print(await pg.send_message(a.conv, a.text, a.mention_bot))
            if a.listen:
                await asyncio.sleep(a.listen)
                _print(pg.events[start:])
        elif a.cmd == "invoke":
            _print(
                await pg.invoke_action(
                    a.conv, a.reply_to_id, a.verb, json.loads(a.data), as_user=a.as_user
                )
            )
        elif a.cmd == "submit":
            await pg.submit(a.conv, a.reply_to_id, json.loads(a.value))
        elif a.cmd == "as":
            _print(await pg.message_as(a.user_id, a.conv, a.text))
        elif a.cmd == "smoke":
            await pg.listen()
            await pg.install("personal")
            await asyncio.sleep(1.5)  # let a welcome message (reply to conversationUpdate) pass
            start = len(pg.events)
            sent = await pg.send_message("personal", a.text)
            try:
                ev = await pg.wait_event("personal", timeout=a.timeout, start=start)
            except PlaygroundError as e:
                print("SMOKE FAIL:", e, file=sys.stderr)
                return 1
            # Stay connected a little: a websocket that closes while the bot is still
            # sending makes the playground answer the bot's POST with an error.
            await asyncio.sleep(1.0)
            msg = ev["message"]
            print(
                f"SMOKE OK: sent {a.text!r} (id {sent['messageId']}); bot replied "
                f"id {msg['messageId']}: text={msg.get('text')!r}, "
                f"attachments={[x['contentType'] for x in msg.get('attachments', [])]}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(_main(sys.argv[1:])))
