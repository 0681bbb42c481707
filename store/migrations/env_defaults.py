DEFAULT_URL = "sqlite+aiosqlite:///var/casusoverleg.sqlite3"
