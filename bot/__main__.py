"""`python -m bot`: run the bot (see bot/server.py)."""

from bot.server import main

main()
