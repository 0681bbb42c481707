-- Database roles for Casusoverleg on PostgreSQL (DESIGN §3.5: the audit log is append-only by
-- privilege).
--
--   casusoverleg_owner  owns the schema; Alembic migrations run as this role
--                       (DATABASE_MIGRATION_URL). Never used by the running bot.
--   casusoverleg_app    the bot at runtime (DATABASE_URL): SELECT/INSERT/UPDATE/DELETE on the
--                       tables, but on audit_event only INSERT and SELECT. Not the owner of
--                       anything, so it cannot ALTER TABLE ... DISABLE TRIGGER, DROP or
--                       TRUNCATE; it is not a member of casusoverleg_owner.
--
-- Run once per database, as a superuser or (Azure Flexible Server) the server admin, connected
-- to the bot's database:
--
--   psql "host=<server> dbname=casusoverleg user=<admin> sslmode=require" \
--        -v ON_ERROR_STOP=1 -f deployment/sql/roles.sql
--   psql ... -c '\password casusoverleg_owner'      -- set both passwords interactively,
--   psql ... -c '\password casusoverleg_app'        -- so they never appear in a log
--
-- then set DATABASE_MIGRATION_URL to the owner's URL and DATABASE_URL to the app's, and migrate
-- (`python -m store.migrate`, or the bot's migrate-on-start). Each migration run grants
-- casusoverleg_app again (store/migrate.py: grant_runtime_privileges), so what is below and
-- what the migrations do agree; re-running this file is harmless.
--
-- An existing database whose tables belong to another role (the admin, or a role the bot used
-- for everything): hand them over first, as that role or a superuser:
--   REASSIGN OWNED BY <old role> TO casusoverleg_owner;
-- (on Azure the admin must be a member of both roles: GRANT casusoverleg_owner TO <admin>;)

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'casusoverleg_owner') THEN
        CREATE ROLE casusoverleg_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'casusoverleg_app') THEN
        CREATE ROLE casusoverleg_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO casusoverleg_owner, casusoverleg_app',
                   current_database());
END
$$;

-- Only the owner creates objects in the schema (PostgreSQL < 15 let PUBLIC create there).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO casusoverleg_owner;
GRANT USAGE ON SCHEMA public TO casusoverleg_app;

-- Tables, sequences and functions the owner creates later (every migration) are granted to
-- the app at once.
ALTER DEFAULT PRIVILEGES FOR ROLE casusoverleg_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO casusoverleg_app;
ALTER DEFAULT PRIVILEGES FOR ROLE casusoverleg_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO casusoverleg_app;
ALTER DEFAULT PRIVILEGES FOR ROLE casusoverleg_owner IN SCHEMA public
    GRANT EXECUTE ON FUNCTIONS TO casusoverleg_app;

-- The exception: the audit log is only appended to and read. (Where audit_event exists
-- already, e.g. when this file is re-run; on a new database the first migration run applies
-- the same REVOKE.)
DO $$
BEGIN
    IF to_regclass('public.audit_event') IS NOT NULL THEN
        REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON public.audit_event
            FROM casusoverleg_app;
    END IF;
    IF to_regclass('public.alembic_version') IS NOT NULL THEN
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON public.alembic_version
            FROM casusoverleg_app;
    END IF;
END
$$;
