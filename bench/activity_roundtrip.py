"""Activity round trip: the full bot (auth on) against a bare aiohttp baseline, in one run.

    python bench/activity_roundtrip.py [--conversations 50] [--activities 2000]
                                       [--database sqlite|postgresql] [--workers N]

What is measured (DESIGN §8):

* full bot: ``bot.app.create_app(settings)`` on a loopback port, authentication on, against the
  local Entra ID / Bot Connector stand-in (``tests.standin.StandIn``, TLS, its own thread).
  Conversations alternate a ``help`` message (the bot posts the help card to the connector
  before it answers) and an ``adaptiveCard/action`` invoke (the card is the invoke response).
  Every turn goes through the database: it resolves the professional and stores the
  conversation reference (since 33bd0cb a SELECT, and a write only when the reference changed).
* full bot with ``--workers N`` (any N >= 1, given explicitly): instead of in-process, the bot
  runs as ``python -m bot`` in a child process with ``WEB_CONCURRENCY=N`` (N worker processes
  on one port via SO_REUSEPORT, migrations once in the parent; as tests/test_main_process.py),
  same settings, same stand-in, seeded once /healthz answers; stopped with SIGTERM (and the
  whole process group killed if it does not exit in time) even on errors. Without
  ``--workers`` the bot runs in-process as above.
* baseline: a bare aiohttp handler on the same loop shape: parse the JSON, one insert (SQLite
  via aiosqlite, or asyncpg with ``--database postgresql``), one HTTP POST to a trivial
  loopback connector (own thread, answers ``{"id": "1"}``), answer 200.

Both stacks get the very same requests (bodies and freshly minted channel tokens, minted before
anything is timed) from a load generator in a separate process (one shared aiohttp
ClientSession; N conversations, each sending its next activity when the previous one was
answered). The servers run on this process's event loop; the stand-in / trivial connector run
in a thread of this process, as in the tests. Latency = POST /api/messages until the response
has been read. Before timing, ``--warmup`` activities go through the same path.

Cold start: by default two extra fresh processes each start the full bot and time its first
requests: once as shipped (signing keys prefetched at start-up by ``warm_signing_keys``) and
once with that prefetch switched off, so the effect of the key warm-up is visible. The probes
always start the bot in-process (in their fresh process), also with ``--workers``.

Everything is bounded (fixed request counts, per-request timeout) and cleaned up at the end
(servers stopped, child processes joined, temporary files and PostgreSQL removed).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import multiprocessing
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `tests` is not an installed package
    sys.path.insert(0, str(REPO))

USERS = ("a1", "a2", "a3", "a4", "a5")
#: The card action each demo user sends (a1 is the PGA-expert).
VERBS = {
    "a1": "triage.lijst",
    "a2": "aanmelding.open",
    "a3": "aanmelding.open",
    "a4": "help",
    "a5": "help",
}
CARD = "application/vnd.microsoft.card.adaptive"
REQUEST_TIMEOUT = 30.0
TARGET_CONVERSATIONS = 50
#: The issue's targets at 50 concurrent conversations.
TARGET_RATE = 200.0
TARGET_P99_MS = 250.0
#: DESIGN §8 goal: the Agents SDK echo row's throughput, p99 < 150 ms.
DESIGN_RATE = 637.0
DESIGN_P99_MS = 150.0

#: (kind, body, Authorization token); kind is "message help" or "invoke <verb>".
Item = tuple[str, bytes, str]

log = logging.getLogger("bench")


# ----------------------------------------------------------------------------- workload


def object_id(who: str) -> str:
    return f"00000000-0000-0000-0000-0000000000{who}"


def activity(
    service_url: str, app_id: str, tenant: str, who: str, conversation_id: str, **fields: Any
) -> dict[str, Any]:
    """A Teams-shaped personal-chat activity from demo professional `who` (as tests/e2e.py)."""
    result: dict[str, Any] = {
        "type": "message",
        "id": uuid.uuid4().hex,
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:{who}", "name": who, "aadObjectId": object_id(who)},
        "recipient": {"id": f"28:{app_id}", "name": "Casusoverleg"},
        "conversation": {"id": conversation_id, "conversationType": "personal", "tenantId": tenant},
        "channelData": {"tenant": {"id": tenant}},
        "locale": "nl-NL",
    }
    result.update(fields)
    return result


def workload(
    standin: Any, conversations: int, total: int, prefix: str = "a:bench"
) -> list[list[Item]]:
    """`total` activities over `conversations` personal chats, each alternating help and an
    invoke, each with its own freshly minted channel token."""
    plan: list[list[Item]] = [[] for _ in range(conversations)]
    for k in range(total):
        index = k % conversations
        who = USERS[index % len(USERS)]
        conversation = f"{prefix}-{index}"
        common = (standin.service_url, standin.app_id, standin.tenant_id, who, conversation)
        if len(plan[index]) % 2 == 0:
            kind, body = "message help", activity(*common, text="help")
        else:
            value = {
                "action": {"type": "Action.Execute", "verb": VERBS[who], "data": {}},
                "trigger": "manual",
            }
            kind = f"invoke {VERBS[who]}"
            body = activity(*common, type="invoke", name="adaptiveCard/action", value=value)
        plan[index].append((kind, json.dumps(body).encode(), standin.mint_channel_token()))
    return [items for items in plan if items]


# ----------------------------------------------------------------------------- load generator
# Runs in a child process (spawned before any server thread exists), so that the client's own
# CPU time does not come out of the servers' event loop / GIL.


async def _drive(
    http: aiohttp.ClientSession, url: str, plan: list[list[Item]], expect_card: bool
) -> dict[str, Any]:
    results: list[tuple[str, float, bool, str]] = []

    async def conversation(items: list[Item]) -> None:
        for kind, body, token in items:
            headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
            started = time.perf_counter()
            problem = ""
            try:
                async with http.post(url, data=body, headers=headers) as response:
                    payload = await response.read()
                    status = response.status
                elapsed = time.perf_counter() - started
                if status != 200:
                    problem = f"HTTP {status}: {payload[:120]!r}"
                elif expect_card and kind.startswith("invoke"):
                    answer = json.loads(payload) if payload else None
                    if not isinstance(answer, dict) or answer.get("type") != CARD:
                        problem = f"invoke answered without a card: {payload[:120]!r}"
            except Exception as error:  # counted, never fatal
                elapsed = time.perf_counter() - started
                problem = f"{type(error).__name__}: {error}"
            results.append((kind, elapsed, not problem, problem))

    started = time.perf_counter()
    await asyncio.gather(*(conversation(items) for items in plan))
    return {"wall": time.perf_counter() - started, "results": results}


async def _serve_jobs(conn: Connection) -> None:
    loop = asyncio.get_running_loop()
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        while True:
            job = await loop.run_in_executor(None, conn.recv)
            if job is None:
                return
            conn.send(await _drive(http, job["url"], job["plan"], job["expect_card"]))


def _load_process(conn: Connection) -> None:
    try:
        asyncio.run(_serve_jobs(conn))
    finally:
        conn.close()


class LoadClient:
    """The load generator process; `run()` hands it a plan and awaits its figures."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_load_process, args=(child,), daemon=True)
        self._process.start()
        child.close()
        # A thread of our own to wait on the pipe: the default executor is the bot's (msrest
        # sends connector requests there) and must not lose a worker to the bench.
        self._waiter = ThreadPoolExecutor(1, thread_name_prefix="bench-load-wait")

    async def run(self, url: str, plan: list[list[Item]], expect_card: bool) -> dict[str, Any]:
        self._conn.send({"url": url, "plan": plan, "expect_card": expect_card})
        return await asyncio.get_running_loop().run_in_executor(self._waiter, self._conn.recv)

    def close(self) -> None:
        with contextlib.suppress(OSError, BrokenPipeError):
            self._conn.send(None)
        self._process.join(10)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5)
        self._conn.close()
        self._waiter.shutdown(wait=False)


# ----------------------------------------------------------------------------- figures


@dataclass
class Run:
    stack: str
    count: int = 0
    wall: float = 0.0
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_job(cls, stack: str, job: dict[str, Any]) -> Run:
        run = cls(stack, wall=job["wall"])
        for kind, elapsed, ok, problem in job["results"]:
            run.count += 1
            run.latencies.append(elapsed)
            run.by_kind.setdefault(kind, []).append(elapsed)
            if not ok:
                run.errors += 1
                if len(run.problems) < 5:
                    run.problems.append(problem)
        return run

    @property
    def rate(self) -> float:
        return self.count / self.wall if self.wall else 0.0

    def p(self, q: float, values: Sequence[float] | None = None) -> float:
        return percentile(self.latencies if values is None else values, q) * 1000


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


# ----------------------------------------------------------------------------- full bot


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_env(standin: Any, database_url: str, port: int) -> dict[str, str]:
    """As tests/e2e.py `settings_for`, with production-like logging and outbox interval."""
    return {
        **standin.settings(),
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "DOWNLOAD_SIGNING_KEY": "s" * 40,
        "MSAL_DISABLE_INSTANCE_DISCOVERY": "1",
        "OUTBOX_INTERVAL_SECONDS": "5",
        "LOG_LEVEL": "WARNING",
    }


def bot_settings(standin: Any, database_url: str, port: int) -> Any:
    from bot.settings import Settings

    return Settings.from_env(bot_env(standin, database_url, port))


async def seed_demo(standin: Any, database_url: str) -> None:
    from store.db import Database
    from store.demo import seed

    database = Database.from_url(database_url)
    try:
        await seed(database, tenant_id=standin.tenant_id)
    finally:
        await database.dispose()


@contextlib.asynccontextmanager
async def running_bot(
    standin: Any, database_url: str, timings: dict[str, float]
) -> AsyncIterator[str]:
    """The real app on a loopback port (as tests/e2e.py `running_bot`); yields its URL."""
    from bot.app import create_app

    port = free_port()
    app = create_app(bot_settings(standin, database_url, port))
    runner = web.AppRunner(app)
    try:
        started = time.perf_counter()
        await runner.setup()  # migrations, adapter, signing-key prefetch
        timings["startup_ms"] = (time.perf_counter() - started) * 1000
        await seed_demo(standin, database_url)
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        yield f"http://127.0.0.1:{port}/api/messages"
    finally:
        await runner.cleanup()


#: Bounds for the `python -m bot` child: start-up until /healthz, and SIGTERM until exit.
PROCESS_START_TIMEOUT = 90.0
PROCESS_STOP_TIMEOUT = 20.0


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the child (it stops its workers); kill its process group if it lingers."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(PROCESS_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            log.warning("python -m bot did not stop in %.0f s; killing", PROCESS_STOP_TIMEOUT)
    # The group is the child's own session (start_new_session): its workers, nothing else.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5)


@contextlib.asynccontextmanager
async def running_bot_process(
    standin: Any, database_url: str, workers: int, timings: dict[str, float]
) -> AsyncIterator[str]:
    """`python -m bot` with WEB_CONCURRENCY=workers (as tests/test_main_process.py); yields
    its URL once /healthz answers and the demo data is seeded."""
    port = free_port()
    env = {
        **os.environ,
        **bot_env(standin, database_url, port),
        **standin.ca_env(),
        "WEB_CONCURRENCY": str(workers),
    }
    env.pop("LOCAL_MODE", None)
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        env=env,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        timeout = aiohttp.ClientTimeout(total=2)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"python -m bot exited with code {process.returncode}")
                if time.perf_counter() - started > PROCESS_START_TIMEOUT:
                    raise RuntimeError(f"python -m bot not healthy in {PROCESS_START_TIMEOUT} s")
                with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
                    async with http.get(f"{base}/healthz") as response:
                        if response.status == 200:
                            break
                await asyncio.sleep(0.05)
        timings["startup_ms"] = (time.perf_counter() - started) * 1000
        await seed_demo(standin, database_url)
        yield f"{base}/api/messages"
    finally:
        stop_process(process)


async def bench_full_bot(
    standin: Any, database_url: str, load: LoadClient, plans: dict[str, Any], workers: int | None
) -> tuple[Run, dict[str, float]]:
    timings: dict[str, float] = {}
    if workers is None:
        server = running_bot(standin, database_url, timings)
    else:
        server = running_bot_process(standin, database_url, workers, timings)
    async with server as url:
        for name in ("cold", "second"):
            job = await load.run(url, plans[name], expect_card=True)
            timings[f"{name}_ms"] = job["results"][0][1] * 1000
            if not job["results"][0][2]:
                raise RuntimeError(f"{name} request failed: {job['results'][0][3]}")
        await load.run(url, plans["warmup"], expect_card=True)
        standin.clear()
        run = Run.from_job("full bot", await load.run(url, plans["timed"], expect_card=True))
        replies = [
            c
            for c in standin.recorded
            if c.operation in ("reply_to_activity", "send_to_conversation")
        ]
        messages = sum(
            1 for items in plans["timed"] for item in items if item[0].startswith("message")
        )
        unauthorized = sum(1 for c in replies if not c.authorized)
        missing = max(0, messages - len(replies))
        run.notes.append(
            f"connector: {len(replies)} replies for {messages} help messages, "
            f"{unauthorized} unauthorized; token requests during timing: "
            f"{len(standin.token_requests)}"
        )
        if missing or unauthorized:
            run.errors += missing + unauthorized
            run.problems.append(f"{missing} replies missing, {unauthorized} unauthorized")
    return run, timings


# ----------------------------------------------------------------------------- baseline


class TrivialConnector:
    """A loopback HTTP server that answers every POST with {"id": "1"}, in its own thread."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.url = ""

    def start(self) -> TrivialConnector:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(256)
        sock.setblocking(False)
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        ready = threading.Event()

        async def reply(request: web.Request) -> web.Response:
            await request.read()
            return web.json_response({"id": "1"})

        async def startup() -> None:
            app = web.Application()
            app.router.add_post("/{tail:.*}", reply)
            self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
            await self._runner.setup()
            await web.SockSite(self._runner, sock).start()

        def serve() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(startup())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, name="bench-connector", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("trivial connector did not start")
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        if self._runner is not None:
            future = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
            with contextlib.suppress(Exception):
                future.result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self._loop.close()
        self._thread = None


Insert = Callable[[str, str, str], Awaitable[None]]


@contextlib.asynccontextmanager
async def baseline_store(kind: str, target: str) -> AsyncIterator[Insert]:
    """One insert per activity: aiosqlite into a file, or asyncpg into a database."""
    ddl = "CREATE TABLE activity (id TEXT, conversation_id TEXT, body TEXT)"
    if kind == "sqlite":
        import aiosqlite

        connection = await aiosqlite.connect(target, timeout=30)
        try:
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
                await connection.execute(f"PRAGMA {pragma}")  # as store/db.py
            await connection.execute(ddl)
            await connection.commit()

            async def insert_sqlite(activity_id: str, conversation_id: str, body: str) -> None:
                await connection.execute(
                    "INSERT INTO activity VALUES (?, ?, ?)", (activity_id, conversation_id, body)
                )
                await connection.commit()

            yield insert_sqlite
        finally:
            await connection.close()
    else:
        import asyncpg

        pool = await asyncpg.create_pool(target, min_size=2, max_size=10)  # bot: pool_size 10
        try:
            await pool.execute(ddl)

            async def insert_pg(activity_id: str, conversation_id: str, body: str) -> None:
                await pool.execute(
                    "INSERT INTO activity VALUES ($1, $2, $3)", activity_id, conversation_id, body
                )

            yield insert_pg
        finally:
            await pool.close()


@contextlib.asynccontextmanager
async def running_baseline(insert: Insert, connector_url: str) -> AsyncIterator[str]:
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))

    async def messages(request: web.Request) -> web.Response:
        raw = await request.read()
        incoming = json.loads(raw)
        conversation = incoming["conversation"]["id"]
        await insert(incoming["id"], conversation, raw.decode())
        reply = {
            "type": "message",
            "text": "ok",
            "replyToId": incoming["id"],
            "conversation": {"id": conversation},
        }
        path = f"/v3/conversations/{conversation}/activities/{incoming['id']}"
        async with http.post(connector_url + path, json=reply) as answer:
            await answer.read()
            if answer.status >= 300:
                raise web.HTTPBadGateway()
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    try:
        await web.TCPSite(runner, "127.0.0.1", port).start()
        yield f"http://127.0.0.1:{port}/api/messages"
    finally:
        await runner.cleanup()
        await http.close()


async def bench_baseline(kind: str, target: str, load: LoadClient, plans: dict[str, Any]) -> Run:
    connector = TrivialConnector().start()
    try:
        async with (
            baseline_store(kind, target) as insert,
            running_baseline(insert, connector.url) as url,
        ):
            await load.run(url, plans["warmup"], expect_card=False)
            return Run.from_job("baseline", await load.run(url, plans["timed"], expect_card=False))
    finally:
        connector.stop()


# ----------------------------------------------------------------------------- databases


async def new_postgres_database(server: Any) -> str:
    """A fresh database on the throwaway server (as tests/conftest.py); returns its name."""
    import asyncpg

    name = f"bench_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(server.dsn())
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return name


# ----------------------------------------------------------------------------- cold start


async def _cold_probe(prefetch: bool, database: str, pg_dsn: str | None) -> dict[str, float]:
    """Fresh process: start the bot, time its first three requests (help, help, invoke)."""
    from tests.standin import StandIn

    if not prefetch:
        import bot.app

        async def no_prefetch(settings: Any) -> None:
            return None

        bot.app.warm_signing_keys = no_prefetch  # type: ignore[assignment]

    standin = StandIn()
    os.environ.update(standin.ca_env())
    standin.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
            if database == "postgresql":
                import asyncpg

                assert pg_dsn is not None
                name = f"bench_{uuid.uuid4().hex[:12]}"
                connection = await asyncpg.connect(pg_dsn)
                try:
                    await connection.execute(f'CREATE DATABASE "{name}"')
                finally:
                    await connection.close()
                url = pg_dsn.replace("postgresql://", "postgresql+asyncpg://").rsplit("/", 1)[0]
                database_url = f"{url}/{name}"
            else:
                database_url = f"sqlite+aiosqlite:///{tmp}/cold.sqlite3"
            items = workload(standin, 1, 4, prefix="a:bench-cold")[0]  # help, invoke, help, ...
            plan = [items[0], items[2], items[1]]  # help, help, invoke
            timings: dict[str, float] = {}
            async with (
                running_bot(standin, database_url, timings) as url,
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)) as http,
            ):
                job = await _drive(http, url, [plan], expect_card=True)
            for (_, elapsed, ok, problem), name in zip(
                job["results"], ("first_ms", "second_ms", "invoke_ms"), strict=True
            ):
                if not ok:
                    raise RuntimeError(f"cold probe request failed: {problem}")
                timings[name] = elapsed * 1000
            return timings
    finally:
        standin.stop()


def _cold_process(conn: Connection, prefetch: bool, database: str, pg_dsn: str | None) -> None:
    logging.basicConfig(level=logging.WARNING)
    try:
        conn.send(asyncio.run(_cold_probe(prefetch, database, pg_dsn)))
    except Exception as error:
        conn.send({"error": f"{type(error).__name__}: {error}"})
    finally:
        conn.close()


def cold_start(prefetch: bool, database: str, pg_dsn: str | None) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_cold_process, args=(child, prefetch, database, pg_dsn))
    process.start()
    child.close()
    try:
        if not parent.poll(120):
            return {"error": "cold probe did not finish within 120 s"}
        result: dict[str, Any] = parent.recv()
        return result
    except EOFError:
        return {"error": f"cold probe exited with code {process.exitcode}"}
    finally:
        process.join(10)
        if process.is_alive():
            process.terminate()
            process.join(5)
        parent.close()


# ----------------------------------------------------------------------------- report


def report(
    args: argparse.Namespace,
    full: Run,
    baseline: Run | None,
    timings: dict[str, float],
    cold: list[tuple[str, dict[str, Any]]],
    baseline_label: str,
) -> None:
    from importlib.metadata import version

    print()
    print("$ python bench/activity_roundtrip.py " + " ".join(sys.argv[1:]))
    print(
        f"Activity round trip: {args.conversations} concurrent conversations, "
        f"{full.count} timed activities (+{args.warmup} warm-up), database {args.database}; "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, aiohttp "
        f"{aiohttp.__version__}, botbuilder {version('botbuilder-core')}"
    )
    print(
        "Load: half `help` messages (card posted to the connector), half adaptiveCard/action "
        "invokes (card in the answer); latency = POST /api/messages until answered."
    )
    print()
    if args.workers is None:
        where = "in-process"
    else:
        where = f"python -m bot, {args.workers} worker{'s' if args.workers > 1 else ''}"
    label = f"full bot: auth on, DB turn, card, connector reply ({args.database}, {where})"
    rows = [(label, full)]
    if baseline is not None:
        rows.append((baseline_label, baseline))
    width = max(len(label) for label, _ in rows)
    print(
        f"{'stack':<{width}}  {'act/s':>7}  {'p50 ms':>7}  {'p95 ms':>7}  {'p99 ms':>7}  "
        f"{'errors':>6}"
    )
    for label, run in rows:
        print(
            f"{label:<{width}}  {run.rate:>7.0f}  {run.p(50):>7.1f}  {run.p(95):>7.1f}  "
            f"{run.p(99):>7.1f}  {run.errors:>6}"
        )
    for kind, values in sorted(full.by_kind.items()):
        print(
            f"  full bot, {kind:<24} p50 {full.p(50, values):6.1f}  p95 {full.p(95, values):6.1f}"
            f"  p99 {full.p(99, values):6.1f} ms  (n={len(values)})"
        )
    for note in full.notes:
        print(f"  {note}")
    for _, run in rows:
        for problem in run.problems:
            print(f"  {run.stack} error: {problem}")
    if baseline is not None and baseline.rate:
        print(
            f"full / baseline throughput: {full.rate / baseline.rate:.2f} "
            f"(baseline is {baseline.rate / full.rate:.1f}x faster)"
        )
    print()
    scope = (
        ""
        if args.conversations == TARGET_CONVERSATIONS
        else f" (targets are defined at {TARGET_CONVERSATIONS}; this run used {args.conversations})"
    )
    print(f"Targets for the full bot at {TARGET_CONVERSATIONS} concurrent conversations{scope}:")
    clean = full.errors == 0
    checks = [
        (
            f"throughput >= {TARGET_RATE:.0f} activities/s",
            f"{full.rate:.0f}/s",
            full.rate >= TARGET_RATE and clean,
        ),
        (
            f"p99 < {TARGET_P99_MS:.0f} ms",
            f"{full.p(99):.1f} ms",
            full.p(99) < TARGET_P99_MS and clean,
        ),
        (
            f"DESIGN §8 goal: throughput >= {DESIGN_RATE:.0f}/s (Agents SDK echo row)",
            f"{full.rate:.0f}/s",
            full.rate >= DESIGN_RATE and clean,
        ),
        (
            f"DESIGN §8 goal: p99 < {DESIGN_P99_MS:.0f} ms",
            f"{full.p(99):.1f} ms",
            full.p(99) < DESIGN_P99_MS and clean,
        ),
    ]
    for name, value, ok in checks:
        print(f"  {name:<58} {value:>10}  {'PASS' if ok else 'FAIL'}")
    if not clean:
        print("  (errors occurred: every target counts as FAIL)")
    if full.latencies and full.rate:
        mean = sum(full.latencies) / len(full.latencies) * 1000
        print(
            f"  closed loop: mean latency {mean:.0f} ms ~ conversations / throughput = "
            f"{args.conversations / full.rate * 1000:.0f} ms, so p99 < {TARGET_P99_MS:.0f} ms "
            f"at {args.conversations} needs well over "
            f"{args.conversations / (TARGET_P99_MS / 1000):.0f} activities/s"
        )
    print()
    print("Cold start (first request after start-up; timings of the measured bot):")
    startup = (
        "start-up (migrations, adapter, key prefetch)"
        if args.workers is None
        else "start-up (process start until /healthz answers)"
    )
    print(
        f"  {startup} {timings['startup_ms']:.0f} ms; "
        f"1st request {timings['cold_ms']:.1f} ms; 2nd request {timings['second_ms']:.1f} ms; "
        f"warm p50 {full.p(50):.1f} ms"
    )
    if cold:
        print("  fresh process each (help, help, first invoke):")
        print(
            f"    {'variant':<50} {'start-up':>9} {'1st req':>9} {'2nd req':>9} {'1st invoke':>10}"
        )
        for label, result in cold:
            if "error" in result:
                print(f"    {label:<50} error: {result['error']}")
                continue
            print(
                f"    {label:<50} {result['startup_ms']:>6.0f} ms {result['first_ms']:>6.1f} ms "
                f"{result['second_ms']:>6.1f} ms {result['invoke_ms']:>7.1f} ms"
            )
        results = dict(cold)
        shipped = results.get("as shipped: signing keys prefetched at start-up", {})
        off = results.get("key prefetch off (warm_signing_keys no-op)", {})
        if "first_ms" in shipped and "first_ms" in off:
            print(
                f"  effect of the key warm-up on the first request: "
                f"{off['first_ms'] - shipped['first_ms']:+.1f} ms without it "
                f"(start-up {off['startup_ms'] - shipped['startup_ms']:+.0f} ms)"
            )


# ----------------------------------------------------------------------------- main


async def bench(args: argparse.Namespace, load: LoadClient) -> None:
    from tests.pg import PostgresServer
    from tests.standin import StandIn

    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-roundtrip-"))
        pg: Any = None
        if args.database == "postgresql":
            pg = PostgresServer()
            pg.start()
            stack.callback(pg.stop)

        cold: list[tuple[str, dict[str, Any]]] = []
        if args.cold_probes:
            loop = asyncio.get_running_loop()
            pg_dsn = pg.dsn() if pg else None
            for label, prefetch in (
                ("as shipped: signing keys prefetched at start-up", True),
                ("key prefetch off (warm_signing_keys no-op)", False),
            ):
                result = await loop.run_in_executor(
                    None, cold_start, prefetch, args.database, pg_dsn
                )
                cold.append((label, result))

        standin = StandIn()
        os.environ.update(standin.ca_env())  # requests (msrest, MSAL, SDK key fetch) trust it
        standin.start()
        stack.callback(standin.stop)

        minted = time.perf_counter()
        first = workload(standin, 1, 3, prefix="a:bench-first")[0]  # help, invoke, help
        plans = {
            "cold": [[first[0]]],
            "second": [[first[2]]],
            "warmup": workload(standin, args.conversations, args.warmup),
            "timed": workload(standin, args.conversations, args.activities),
        }
        log.info(
            "minted %d tokens in %.1f s",
            args.warmup + args.activities + 2,
            time.perf_counter() - minted,
        )

        if args.database == "postgresql":
            bot_url = pg.url(await new_postgres_database(pg))
            base_kind, base_target = "postgresql", pg.dsn(await new_postgres_database(pg))
            baseline_label = "baseline: parse, 1 PostgreSQL insert (asyncpg), 1 HTTP reply"
        else:
            bot_url = f"sqlite+aiosqlite:///{tmp}/bot.sqlite3"
            base_kind, base_target = "sqlite", f"{tmp}/baseline.sqlite3"
            baseline_label = "baseline: parse, 1 SQLite insert (aiosqlite), 1 HTTP reply"

        full, timings = await bench_full_bot(standin, bot_url, load, plans, args.workers)
        baseline = None
        if not args.no_baseline:
            baseline = await bench_baseline(base_kind, base_target, load, plans)
        report(args, full, baseline, timings, cold, baseline_label)


def _exit_on_sigterm(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--conversations",
        type=int,
        default=50,
        help="concurrent personal conversations (default 50)",
    )
    parser.add_argument(
        "--activities", type=int, default=2000, help="timed activities per stack (default 2000)"
    )
    parser.add_argument(
        "--warmup", type=int, default=100, help="untimed activities first, per stack (default 100)"
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="run the full bot as `python -m bot` with WEB_CONCURRENCY=N instead of in-process "
        "(default: in-process)",
    )
    parser.add_argument(
        "--no-cold-probes",
        dest="cold_probes",
        action="store_false",
        help="skip the two fresh-process cold-start probes",
    )
    parser.add_argument(
        "--no-baseline", action="store_true", help="only the full bot (e.g. under a profiler)"
    )
    args = parser.parse_args(argv)
    if args.conversations < 1 or args.activities < args.conversations or args.warmup < 0:
        parser.error("need --conversations >= 1, --activities >= --conversations, --warmup >= 0")
    if args.workers is not None and args.workers < 1:
        parser.error("need --workers >= 1")
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    # SIGTERM unwinds like an error, so the `python -m bot` child and the servers are stopped.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    load = LoadClient()  # before any thread exists
    try:
        asyncio.run(bench(args, load))
    finally:
        load.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
