"""Configuration from environment variables (names as Azure Bot samples and App Service use)."""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from bot.downloads import ProxyPolicy
from bot.service_urls import DEFAULT_SERVICE_URL_HOSTS, ServiceUrlPolicy, parse_host_entries
from dialogs.core import Config
from store import interventies
from store.migrate import migrate, runtime_role_from_env

# Every key ConfigurationBotFrameworkAuthentication reads; each may be set by an env var of the
# same name (sovereign clouds need them, and so do the tests' local Entra ID stand-in).
SDK_KEYS = (
    "CHANNEL_SERVICE",
    "VALIDATE_AUTHORITY",
    "TO_CHANNEL_FROM_BOT_LOGIN_URL",
    "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE",
    "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER",
    "OAUTH_URL",
    "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL",
    "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL",
    "CALLER_ID",
)
DEFAULT_SQLITE = "sqlite+aiosqlite:///var/casusoverleg.sqlite3"
# What the channel puts in `iss` of the tokens it sends (public cloud; US government).
PUBLIC_CHANNEL_ISSUER = "https://api.botframework.com"
GOVERNMENT_CHANNEL_SERVICE = "https://botframework.azure.us"
GOVERNMENT_CHANNEL_ISSUER = "https://api.botframework.us"
APP_TYPES = {"singletenant": "SingleTenant", "multitenant": "MultiTenant"}
HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,64}")
# BOT_HOST: the library behind /api/messages (bot/hosts/). The first is the default.
BOT_HOSTS = ("botbuilder", "agents")


class ConfigurationError(Exception):
    """The configuration cannot run safely; the message says what to set."""


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "ja")


def _ids(value: str | None) -> frozenset[str]:
    return frozenset(part.strip().lower() for part in (value or "").split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    app_id: str = ""
    app_password: str = field(default="", repr=False)
    app_type: str = "SingleTenant"
    app_tenant_id: str = ""
    database_url: str = DEFAULT_SQLITE
    # The owner role's URL for migrations (same database); the app's own role then gets
    # only what it needs, and on the audit log only INSERT and SELECT.
    database_migration_url: str = field(default="", repr=False)
    database_runtime_role: str = ""
    port: int = 3978
    log_level: str = "INFO"
    local_mode: bool = False
    allowed_tenant_ids: frozenset[str] = frozenset()
    admin_object_ids: frozenset[str] = frozenset()
    default_gemeente: str = "Zuiderstad"
    public_base_url: str = ""
    signing_key: bytes = field(default=b"", repr=False)
    retention_days: int = 365
    # Afsluiting and retention (#13): how long a closed casus may be reopened, and how long
    # the audit log (codes, no identity) is kept.
    reopen_days: int = 90
    audit_retention_days: int = 1825
    reminder_days_before: int = 3
    escalation_days: int = 7
    reminder_time: str = "09:00"
    digest_weekday: int = 0
    digest_time: str = "08:00"
    interventies_file: str = ""
    msal_instance_discovery: bool = True
    sdk: Mapping[str, str] = field(default_factory=dict)
    outbox_interval_seconds: float = 5.0
    jobs_interval_seconds: float = 30.0
    workers: int = 1
    migrate_on_start: bool = True
    allowed_service_url_hosts: tuple[str, ...] = DEFAULT_SERVICE_URL_HOSTS
    # The download pages (#20): where the client address comes from, and how many attempts
    # one address may make per minute (per process).
    trusted_proxy: ProxyPolicy = field(default_factory=ProxyPolicy)
    download_attempts_per_minute: int = 30
    bot_host: str = BOT_HOSTS[0]

    async def migrate(self) -> None:
        """Bring the schema up to date, as the owner role when one is configured."""
        try:
            await migrate(
                self.database_url,
                self.database_migration_url or None,
                self.database_runtime_role or None,
            )
        except ValueError as error:
            raise ConfigurationError(str(error)) from None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        local = _flag(env.get("LOCAL_MODE"))
        app_id = env.get("MicrosoftAppId", "").strip()
        if not app_id and not local:
            raise ConfigurationError(
                "MicrosoftAppId is not set. Set it (production) or set LOCAL_MODE=1 to run "
                "locally without authentication."
            )
        if local and app_id:
            raise ConfigurationError(
                "LOCAL_MODE=1 runs without authentication: unset MicrosoftAppId."
            )
        if local and env.get("WEBSITE_SITE_NAME"):
            raise ConfigurationError("LOCAL_MODE=1 is for one machine, not for App Service.")
        port = _int(env, "PORT", 3978)
        tenant = env.get("MicrosoftAppTenantId", "").strip().lower()
        # Local mode has no app id: only the SDK's MultiTenant factory runs without one.
        app_type = "MultiTenant" if local else _app_type(env, tenant)
        database_url = _database_url(env, local)
        allowed = _ids(env.get("ALLOWED_TENANT_IDS")) or (
            frozenset({tenant}) if tenant else frozenset()
        )
        public_base_url = (
            env.get("PUBLIC_BASE_URL", "")
            if not local
            else (env.get("PUBLIC_BASE_URL") or f"http://localhost:{port}")
        )
        if not local:
            _check_production(allowed, public_base_url)
        terms = _terms(env)
        return cls(
            app_id=app_id,
            app_password=env.get("MicrosoftAppPassword", ""),
            app_type=app_type,
            app_tenant_id=tenant,
            database_url=database_url,
            database_migration_url=env.get("DATABASE_MIGRATION_URL", "").strip(),
            database_runtime_role=runtime_role_from_env(env) or "",
            port=port,
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            local_mode=local,
            allowed_tenant_ids=allowed,
            admin_object_ids=_ids(env.get("ADMIN_OBJECT_IDS")),
            default_gemeente=env.get("DEFAULT_GEMEENTE", "Zuiderstad"),
            public_base_url=public_base_url,
            signing_key=_signing_key(env, local),
            retention_days=terms[0],
            reopen_days=terms[1],
            audit_retention_days=terms[2],
            reminder_days_before=_int(env, "REMINDER_DAYS_BEFORE", 3, minimum=1),
            escalation_days=_int(env, "ESCALATION_DAYS", 7, minimum=1),
            reminder_time=_clock_time(env, "REMINDER_TIME", "09:00"),
            digest_weekday=_weekday(env, "DIGEST_WEEKDAY", "maandag"),
            digest_time=_clock_time(env, "DIGEST_TIME", "08:00"),
            interventies_file=_catalogue(env),
            msal_instance_discovery=not _flag(env.get("MSAL_DISABLE_INSTANCE_DISCOVERY")),
            sdk={key: env[key] for key in SDK_KEYS if env.get(key)},
            outbox_interval_seconds=_float(env, "OUTBOX_INTERVAL_SECONDS", 5.0),
            jobs_interval_seconds=_float(env, "JOBS_INTERVAL_SECONDS", 30.0),
            # Local mode signs download links with a per-process key: one process only.
            workers=1 if local else _int(env, "WEB_CONCURRENCY", 1, minimum=1),
            allowed_service_url_hosts=_service_url_hosts(env),
            trusted_proxy=_trusted_proxy(env),
            download_attempts_per_minute=_int(env, "DOWNLOAD_ATTEMPTS_PER_MINUTE", 30, minimum=1),
            bot_host=_bot_host(env),
        )

    @property
    def channel_token_issuer(self) -> str:
        """The only `iss` accepted on incoming tokens (outside local mode)."""
        configured = self.sdk.get("TO_BOT_FROM_CHANNEL_TOKEN_ISSUER")
        if configured:
            return configured
        if self.sdk.get("CHANNEL_SERVICE") == GOVERNMENT_CHANNEL_SERVICE:
            return GOVERNMENT_CHANNEL_ISSUER
        return PUBLIC_CHANNEL_ISSUER

    def service_url_policy(self) -> ServiceUrlPolicy:
        """Local mode: this machine only. Otherwise https to ALLOWED_SERVICE_URL_HOSTS."""
        if self.local_mode:
            return ServiceUrlPolicy.loopback()
        return ServiceUrlPolicy.from_entries(self.allowed_service_url_hosts)

    def sdk_configuration(self) -> Any:
        """The object ConfigurationBotFrameworkAuthentication reads attributes from."""
        return SimpleNamespace(
            APP_ID=self.app_id,
            APP_PASSWORD=self.app_password,
            APP_TYPE=self.app_type,
            APP_TENANTID=self.app_tenant_id,
            **self.sdk,
        )

    def dialog_config(self) -> Config:
        return Config(
            local_mode=self.local_mode,
            allowed_tenant_ids=self.allowed_tenant_ids,
            admin_object_ids=self.admin_object_ids,
            default_gemeente=self.default_gemeente,
            public_base_url=self.public_base_url,
            signing_key=self.signing_key,
            retention_days=self.retention_days,
            reopen_days=self.reopen_days,
            reminder_days_before=self.reminder_days_before,
            escalation_days=self.escalation_days,
            reminder_time=self.reminder_time,
            digest_weekday=self.digest_weekday,
            digest_time=self.digest_time,
            interventies_file=self.interventies_file,
        )


def _terms(env: Mapping[str, str]) -> tuple[int, int, int]:
    """RETENTION_DAYS, REOPEN_DAYS and AUDIT_RETENTION_DAYS, refused when they contradict:
    the audit log must outlive the data it is about (a resident may ask who saw data that
    still exists), and a casus can only be reopened while its data is still there."""
    retention = _int(env, "RETENTION_DAYS", 365, minimum=1)
    reopen = _int(env, "REOPEN_DAYS", 90)
    audit = _int(env, "AUDIT_RETENTION_DAYS", 1825, minimum=1)
    if retention > audit:
        raise ConfigurationError(
            f"RETENTION_DAYS ({retention}) is longer than AUDIT_RETENTION_DAYS ({audit}): the "
            "audit log would lose who saw data that is still kept. Set RETENTION_DAYS to at "
            f"most {audit}, or raise AUDIT_RETENTION_DAYS."
        )
    if reopen >= retention:
        raise ConfigurationError(
            f"REOPEN_DAYS ({reopen}) must be shorter than RETENTION_DAYS ({retention}): a "
            "casus cannot be reopened once its data is removed."
        )
    return retention, reopen, audit


def _check_production(allowed_tenants: frozenset[str], public_base_url: str) -> None:
    if not allowed_tenants:
        raise ConfigurationError(
            "No tenant may use the bot: set ALLOWED_TENANT_IDS (comma-separated) or "
            "MicrosoftAppTenantId."
        )
    url = urlsplit(public_base_url)
    if url.scheme != "https" and url.hostname not in ("localhost", "127.0.0.1"):
        raise ConfigurationError(
            "PUBLIC_BASE_URL must be the bot's https address (letter links point there)."
        )


def _app_type(env: Mapping[str, str], tenant: str) -> str:
    configured = env.get("MicrosoftAppType", "").strip() or "SingleTenant"
    app_type = APP_TYPES.get(configured.lower())
    if app_type is None:
        raise ConfigurationError(
            f"MicrosoftAppType {configured[:40]!r} is not supported: set SingleTenant (the "
            "default) or MultiTenant, as in the bot's Entra app registration."
        )
    if app_type == "SingleTenant" and not tenant:
        raise ConfigurationError(
            "MicrosoftAppTenantId is not set: a SingleTenant bot (the default MicrosoftAppType) "
            "needs the id of its Entra tenant. Set MicrosoftAppTenantId, or set "
            "MicrosoftAppType=MultiTenant if the app registration is multi-tenant."
        )
    return app_type


def _database_url(env: Mapping[str, str], local: bool) -> str:
    configured = env.get("DATABASE_URL", "").strip()
    if local:
        if configured and configured.split(":", 1)[0].split("+", 1)[0].lower() != "sqlite":
            raise ConfigurationError(
                "LOCAL_MODE=1 runs without authentication, so only on a local SQLite file: "
                "unset DATABASE_URL or set it to sqlite+aiosqlite:///var/casusoverleg.sqlite3."
            )
        return configured or DEFAULT_SQLITE
    if not configured:
        raise ConfigurationError(
            "DATABASE_URL is not set: production needs a shared database, e.g. "
            "postgresql+asyncpg://user:password@host:5432/casusoverleg (from Key Vault). "
            "Set LOCAL_MODE=1 to try the bot on this machine with a SQLite file."
        )
    return configured


def _service_url_hosts(env: Mapping[str, str]) -> tuple[str, ...]:
    try:
        hosts = parse_host_entries(env.get("ALLOWED_SERVICE_URL_HOSTS", ""))
    except ValueError as error:
        raise ConfigurationError(
            f"ALLOWED_SERVICE_URL_HOSTS: {str(error)[:80]!r} is not a host name. List host "
            "names separated by commas, e.g. smba.trafficmanager.net or *.example.com (no "
            "scheme, port or path)."
        ) from None
    return hosts or DEFAULT_SERVICE_URL_HOSTS


def _trusted_proxy(env: Mapping[str, str]) -> ProxyPolicy:
    """TRUSTED_PROXY_HEADER and TRUSTED_PROXY_COUNT. Without a header the socket peer is the
    client: a header any client can send must not name the address in the audit log."""
    header = env.get("TRUSTED_PROXY_HEADER", "").strip()
    if header and not HEADER_NAME.fullmatch(header):
        raise ConfigurationError(
            "TRUSTED_PROXY_HEADER must be a header name such as X-Forwarded-For (letters, "
            "digits and '-'), or empty to use the connection's own address."
        )
    return ProxyPolicy(header, _int(env, "TRUSTED_PROXY_COUNT", 1, minimum=1))


def _bot_host(env: Mapping[str, str]) -> str:
    value = env.get("BOT_HOST", "").strip().lower() or BOT_HOSTS[0]
    if value not in BOT_HOSTS:
        raise ConfigurationError(
            f"BOT_HOST {value[:40]!r} is not supported: set botbuilder (the Bot Framework SDK) "
            "or agents (the Microsoft 365 Agents SDK)."
        )
    return value


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    try:
        value = int(env.get(name, str(default)))
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number.") from None
    if value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}.")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    try:
        return float(env.get(name, str(default)))
    except ValueError:
        raise ConfigurationError(f"{name} must be a number.") from None


WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def _clock_time(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, default).strip()
    try:
        return dt.datetime.strptime(value, "%H:%M").strftime("%H:%M")
    except ValueError:
        raise ConfigurationError(f"{name} must be a time such as 09:00.") from None


def _catalogue(env: Mapping[str, str]) -> str:
    """INTERVENTIES_FILE, checked whole at start: a gemeente's mistake is told now."""
    path = env.get("INTERVENTIES_FILE", "").strip()
    try:
        interventies.load(path or None)
    except (OSError, interventies.CatalogusFout) as error:
        raise ConfigurationError(f"INTERVENTIES_FILE: {error}") from None
    return path


def _weekday(env: Mapping[str, str], name: str, default: str) -> int:
    value = env.get(name, default).strip().lower()
    if value not in WEEKDAYS:
        raise ConfigurationError(f"{name} must be a Dutch weekday: {', '.join(WEEKDAYS)}.")
    return WEEKDAYS.index(value)


def _signing_key(env: Mapping[str, str], local: bool) -> bytes:
    configured = env.get("DOWNLOAD_SIGNING_KEY", "")
    if configured:
        if len(configured) < 32:
            raise ConfigurationError("DOWNLOAD_SIGNING_KEY must be at least 32 characters.")
        return configured.encode()
    if local:
        return secrets.token_bytes(32)
    raise ConfigurationError(
        "DOWNLOAD_SIGNING_KEY is not set: every instance needs the same secret of at least "
        "32 characters to sign download links (e.g. from Key Vault)."
    )
