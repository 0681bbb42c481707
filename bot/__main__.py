"""`python -m bot`: run the bot (port from PORT, default 3978)."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from bot.app import PrivacyAccessLogger, create_app
from bot.settings import ConfigurationError, Settings


def main() -> None:
    try:
        settings = Settings.from_env()
    except ConfigurationError as error:
        print(f"Configuratiefout: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    # Request bodies and activity texts are never logged; SQL parameters are hidden.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    mode = "lokaal (zonder authenticatie)" if settings.local_mode else "productie"
    logging.getLogger("bot").info("Casusoverleg start op poort %s, modus %s", settings.port, mode)
    web.run_app(
        create_app(settings),
        host="0.0.0.0",
        port=settings.port,
        print=None,
        access_log_class=PrivacyAccessLogger,
    )


if __name__ == "__main__":
    main()
