"""Runs the bot: `python -m bot` (port from PORT, default 3978).

WEB_CONCURRENCY=N runs N worker processes on the same port (SO_REUSEPORT); the schema is
migrated once, before they start. Everything a request needs is in the database, so the
workers share nothing else.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import multiprocessing
import multiprocessing.connection
import signal
import sys
from types import FrameType

from aiohttp import web

from bot.app import PrivacyAccessLogger, create_app
from bot.settings import ConfigurationError, Settings


def main() -> None:
    try:
        settings = Settings.from_env()
    except ConfigurationError as error:
        print(f"Configuratiefout: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    _configure_logging(settings)
    mode = "lokaal (zonder authenticatie)" if settings.local_mode else "productie"
    logging.getLogger("bot").info(
        "Casusoverleg start op poort %s, modus %s, %s proces(sen), host %s",
        settings.port,
        mode,
        settings.workers,
        settings.bot_host,
    )
    if settings.workers == 1:
        serve(settings)
    else:
        asyncio.run(_migrate(settings))
        _run_workers(dataclasses.replace(settings, migrate_on_start=False))


def serve(settings: Settings) -> None:
    _configure_logging(settings)
    web.run_app(
        create_app(settings),
        # Local mode has no authentication: only this machine may talk to it.
        host="127.0.0.1" if settings.local_mode else "0.0.0.0",
        port=settings.port,
        print=None,
        access_log_class=PrivacyAccessLogger,
        reuse_port=settings.workers > 1,
    )


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(process)d %(name)s %(message)s",
    )


async def _migrate(settings: Settings) -> None:
    await settings.migrate()


def _run_workers(settings: Settings) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=serve, args=(settings,)) for _ in range(settings.workers)]
    for worker in workers:
        worker.start()

    def stop(signum: int, _frame: FrameType | None) -> None:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # One worker dying is the whole service failing: stop the rest and exit non-zero, so
    # the platform (App Service, the container runtime) restarts it.
    multiprocessing.connection.wait([worker.sentinel for worker in workers])
    failed = any(worker.exitcode not in (0, None, -signal.SIGTERM) for worker in workers)
    stop(signal.SIGTERM, None)
    for worker in workers:
        worker.join()
    if failed:
        raise SystemExit(1)
