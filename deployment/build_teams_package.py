"""Build the Microsoft Teams app package (manifest.json + icons, zipped) for Casusoverleg.

    python deployment/build_teams_package.py --app-id <guid> --domain <host> \\
        [--version 1.0.0] [--out deployment/teams/build/casusoverleg.zip]

--app-id defaults to $MicrosoftAppId, --domain to $BOT_DOMAIN. The manifest is filled in from
deployment/teams/manifest.template.json, validated offline against the official v1.30 schema
(tests/schemas/teams-manifest-1.30.json) and zipped with color.png and outline.png at the root,
which is what Teams expects for "Upload a custom app".
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
TEAMS_DIR = REPO_ROOT / "deployment" / "teams"
TEMPLATE_PATH = TEAMS_DIR / "manifest.template.json"
SCHEMA_PATH = REPO_ROOT / "tests" / "schemas" / "teams-manifest-1.30.json"
DEFAULT_OUT = TEAMS_DIR / "build" / "casusoverleg.zip"
DEFAULT_VERSION = "1.0.0"

# Icon file name in the package -> required size (Teams: colour 192x192, outline 32x32).
ICONS: dict[str, tuple[int, int]] = {"color.png": (192, 192), "outline.png": (32, 32)}

GUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
# A DNS host name with at least one dot, e.g. casusoverleg.azurewebsites.net. No scheme, port,
# path or wildcard: the value is used in URLs and validDomains.
HOST_RE = re.compile(
    r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$"
)
SEMVER_RE = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
PLACEHOLDER_RE = re.compile(r"\$\{\{[A-Z0-9_]+\}\}")

# Fixed timestamp so the same inputs give a byte-identical zip.
ZIP_DATE_TIME = (2026, 1, 1, 0, 0, 0)


class PackageError(ValueError):
    """Bad input or an invalid package; the message says what to fix."""


def check_app_id(app_id: str | None) -> str:
    if not app_id:
        raise PackageError(
            "App id missing: pass --app-id <guid> or set MicrosoftAppId "
            "(the Application (client) ID of the Entra app registration)."
        )
    app_id = app_id.strip()
    if not GUID_RE.match(app_id):
        raise PackageError(
            f"App id {app_id!r} is not a GUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, "
            "the Application (client) ID of the Entra app registration)."
        )
    return app_id


def check_domain(domain: str | None) -> str:
    if not domain:
        raise PackageError(
            "Domain missing: pass --domain <host> or set BOT_DOMAIN "
            "(e.g. casusoverleg.azurewebsites.net)."
        )
    domain = domain.strip()
    if "://" in domain:
        raise PackageError(
            f"Domain {domain!r} has a scheme: give the host only, "
            "e.g. casusoverleg.azurewebsites.net (no https://)."
        )
    host = domain.lower().rstrip(".")
    if not HOST_RE.match(host):
        raise PackageError(
            f"Domain {domain!r} is not a host name: give the host only, without port or path, "
            "e.g. casusoverleg.azurewebsites.net."
        )
    return host


def check_version(version: str | None) -> str:
    version = (version or "").strip()
    if not SEMVER_RE.match(version):
        raise PackageError(
            f"Version {version!r} is not MAJOR.MINOR.PATCH (e.g. 1.0.0). "
            "Raise it for every package you upload again."
        )
    return version


def render_manifest(app_id: str, domain: str, version: str = DEFAULT_VERSION) -> dict[str, Any]:
    """Fill in the manifest template. Raises PackageError on bad input."""
    values = {
        "BOT_ID": check_app_id(app_id),
        "BOT_DOMAIN": check_domain(domain),
        "APP_VERSION": check_version(version),
    }
    text = TEMPLATE_PATH.read_text(encoding="utf-8")
    for name, value in values.items():
        # The values are checked above, but escape anyway: they land inside JSON strings.
        text = text.replace("${{" + name + "}}", json.dumps(value)[1:-1])
    left = sorted(set(PLACEHOLDER_RE.findall(text)))
    if left:
        raise PackageError(f"Unfilled placeholders in {TEMPLATE_PATH.name}: {', '.join(left)}")
    manifest: dict[str, Any] = json.loads(text)
    return manifest


def load_schema(schema_path: Path = SCHEMA_PATH) -> dict[str, Any]:
    if not schema_path.is_file():
        raise PackageError(f"Manifest schema not found at {schema_path}.")
    schema: dict[str, Any] = json.loads(schema_path.read_text(encoding="utf-8"))
    return schema


def manifest_errors(manifest: dict[str, Any], schema: dict[str, Any] | None = None) -> list[str]:
    """Schema violations of `manifest`, as readable lines (empty when valid). Offline only.

    The v1.30 schema declares draft-04 but also uses later keywords (`const`, `if`/`then`),
    so it is checked with the declared draft and with Draft-07; both must pass.
    """
    import jsonschema
    from referencing import Registry
    from referencing.exceptions import NoSuchResource

    def refuse(uri: str) -> Any:
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # never fetch remotely

    offline = Registry(retrieve=refuse)  # type: ignore[call-arg]
    schema = schema if schema is not None else load_schema()
    declared = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
    messages: set[str] = set()
    for cls in (declared, jsonschema.Draft7Validator):
        validator = cls(schema, registry=offline, format_checker=cls.FORMAT_CHECKER)
        for error in validator.iter_errors(manifest):
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            messages.add(f"{where}: {error.message}")
    return sorted(messages)


def icon_errors(teams_dir: Path = TEAMS_DIR) -> list[str]:
    """Problems with the icon files (size, format, outline colours)."""
    from PIL import Image

    problems: list[str] = []
    for name, size in ICONS.items():
        path = teams_dir / name
        if not path.is_file():
            problems.append(f"{name}: missing (run deployment/teams/make_icons.py)")
            continue
        with Image.open(path) as img:
            if img.format != "PNG":
                problems.append(f"{name}: not a PNG")
            if img.size != size:
                problems.append(
                    f"{name}: is {img.size[0]}x{img.size[1]}, must be {size[0]}x{size[1]}"
                )
            if name == "outline.png":
                rgba = img.convert("RGBA").tobytes()
                pixels = (rgba[i : i + 4] for i in range(0, len(rgba), 4))
                if any(p[3] and p[:3] != b"\xff\xff\xff" for p in pixels):
                    problems.append(f"{name}: must be white on transparent only")
    return problems


def build_package(
    app_id: str,
    domain: str,
    version: str = DEFAULT_VERSION,
    out_path: Path | str = DEFAULT_OUT,
) -> Path:
    """Render, validate and zip the Teams app package; returns the zip path."""
    manifest = render_manifest(app_id, domain, version)
    errors = manifest_errors(manifest)
    if errors:
        raise PackageError(
            "Manifest does not validate against the v1.30 schema:\n  " + "\n  ".join(errors)
        )
    problems = icon_errors()
    if problems:
        raise PackageError("Icon problems:\n  " + "\n  ".join(problems))

    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        files = {
            "manifest.json": (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()
        }
        files.update({name: (TEAMS_DIR / name).read_bytes() for name in ICONS})
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    out.write_bytes(buffer.getvalue())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build the Casusoverleg Teams app package (manifest.json + icons, zipped)."
    )
    parser.add_argument(
        "--app-id",
        default=os.environ.get("MicrosoftAppId"),  # noqa: SIM112 - Bot Framework's name
        help="Entra app registration Application (client) ID, a GUID (default: $MicrosoftAppId)",
    )
    parser.add_argument(
        "--domain",
        default=os.environ.get("BOT_DOMAIN"),
        help="bot host name, no scheme, e.g. casusoverleg.azurewebsites.net (default: $BOT_DOMAIN)",
    )
    parser.add_argument(
        "--version",
        default=DEFAULT_VERSION,
        help=f"app version MAJOR.MINOR.PATCH, raise it on re-upload (default: {DEFAULT_VERSION})",
    )
    parser.add_argument(
        "--out",
        default=None,
        help=f"zip to write (default: {DEFAULT_OUT.relative_to(REPO_ROOT)} in the repo)",
    )
    args = parser.parse_args(argv)

    try:
        out = build_package(args.app_id, args.domain, args.version, args.out or DEFAULT_OUT)
    except PackageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Teams app package written to {out}")
    print("Upload it in Teams: Apps > Manage your apps > Upload an app > Upload a custom app.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
