"""The Teams app package: manifest valid against the official v1.30 schema, icons as Teams
requires them, Dutch commands, and a build CLI that refuses bad input."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest
from PIL import Image
from referencing import Registry
from referencing.exceptions import NoSuchResource

REPO_ROOT = Path(__file__).resolve().parents[1]
BUILD_SCRIPT = REPO_ROOT / "deployment" / "build_teams_package.py"
ICON_SCRIPT = REPO_ROOT / "deployment" / "teams" / "make_icons.py"
TEMPLATE = REPO_ROOT / "deployment" / "teams" / "manifest.template.json"
SCHEMA_PATH = REPO_ROOT / "tests" / "schemas" / "teams-manifest-1.30.json"

APP_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
DOMAIN = "casusoverleg-test.azurewebsites.net"
VERSION = "1.2.3"

EXPECTED_COMMANDS = {
    "help": "Wat kan ik hier?",
    "aanmelden": "Meld een bewoner aan voor de PGA",
    "triage": "Open aanmeldingen beoordelen",
    "casus": "casus PGA-2026-001",
    "beheer": "Organisaties en professionals beheren",
}


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def builder() -> ModuleType:
    return _load(BUILD_SCRIPT, "casusoverleg_build_teams_package")


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def package(builder: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("teams") / "casusoverleg.zip"
    result = builder.build_package(APP_ID, DOMAIN, VERSION, out)
    assert Path(result) == out
    return out


@pytest.fixture(scope="module")
def manifest_text(package: Path) -> str:
    with zipfile.ZipFile(package) as zf:
        return zf.read("manifest.json").decode("utf-8")


@pytest.fixture(scope="module")
def manifest(manifest_text: str) -> dict[str, Any]:
    return json.loads(manifest_text)


def _offline_registry() -> Registry:
    def refuse(uri: str) -> Any:
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # never fetch remotely

    return Registry(retrieve=refuse)  # type: ignore[call-arg]


def _schema_errors(instance: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    # The schema declares draft-04 but uses `const` and `if`/`then` too: check with both.
    declared = jsonschema.validators.validator_for(schema)
    errors = []
    for cls in (declared, jsonschema.Draft7Validator):
        validator = cls(schema, registry=_offline_registry(), format_checker=cls.FORMAT_CHECKER)
        errors += [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]
    return errors


def _pixels(img: Image.Image) -> list[tuple[int, int, int, int]]:
    data = img.convert("RGBA").tobytes()
    return [tuple(data[i : i + 4]) for i in range(0, len(data), 4)]  # type: ignore[misc]


def _command_lists(manifest: dict[str, Any]) -> dict[str, dict[str, str]]:
    lists: dict[str, dict[str, str]] = {}
    for entry in manifest["bots"][0]["commandLists"]:
        for scope in entry["scopes"]:
            lists[scope] = {c["title"]: c.get("description", "") for c in entry["commands"]}
    return lists


# --- the package ------------------------------------------------------------------------


def test_zip_holds_manifest_and_icons_at_root(package: Path) -> None:
    with zipfile.ZipFile(package) as zf:
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert zf.testzip() is None


def test_manifest_validates_against_v1_30_schema(manifest: dict[str, Any], schema) -> None:
    assert manifest["$schema"] == (
        "https://developer.microsoft.com/en-us/json-schemas/teams/v1.30/MicrosoftTeams.schema.json"
    )
    assert manifest["manifestVersion"] == "1.30"
    assert _schema_errors(manifest, schema) == []


def test_schema_check_is_not_vacuous(manifest: dict[str, Any], schema, builder) -> None:
    broken = json.loads(json.dumps(manifest))
    broken["manifestVersion"] = "1.29"
    broken["accentColor"] = "blauw"
    broken["bots"][0]["botId"] = "not-a-guid"
    del broken["developer"]["privacyUrl"]
    errors = " ".join(_schema_errors(broken, schema))
    for needle in ("1.30", "blauw", "not-a-guid", "privacyUrl"):
        assert needle in errors
    assert len(builder.manifest_errors(broken)) >= 4


def test_no_placeholders_left(manifest_text: str) -> None:
    assert "${{" not in manifest_text
    assert "}}" not in manifest_text


def test_app_id_domain_and_version_filled_in_everywhere(manifest: dict[str, Any]) -> None:
    assert manifest["id"] == APP_ID
    assert manifest["version"] == VERSION
    assert [b["botId"] for b in manifest["bots"]] == [APP_ID]
    assert manifest["webApplicationInfo"]["id"] == APP_ID
    assert manifest["webApplicationInfo"]["resource"] == f"api://{DOMAIN}/{APP_ID}"
    assert manifest["validDomains"] == [DOMAIN]
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        assert manifest["developer"][key].startswith(f"https://{DOMAIN}/")


def test_every_template_placeholder_is_known() -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    assert set(re.findall(r"\$\{\{(\w+)\}\}", text)) == {"BOT_ID", "BOT_DOMAIN", "APP_VERSION"}


def test_bot_scopes_and_conversational(manifest: dict[str, Any]) -> None:
    (bot,) = manifest["bots"]
    assert {"personal", "team", "groupChat"} <= set(bot["scopes"])
    assert bot["supportsFiles"] is False
    assert bot["isNotificationOnly"] is False


def test_dutch_commands_in_every_scope(manifest: dict[str, Any]) -> None:
    lists = _command_lists(manifest)
    assert set(lists) == {"personal", "team", "groupChat"}
    for scope, commands in lists.items():
        assert set(commands) == set(EXPECTED_COMMANDS), scope
        for title, dutch in EXPECTED_COMMANDS.items():
            assert dutch in commands[title], (scope, title)
        # The local-testing impersonation command never ships in the production manifest.
        assert "als" not in commands


def test_names_and_descriptions_are_dutch_and_privacy_minded(manifest: dict[str, Any]) -> None:
    assert manifest["name"]["short"] == "Casusoverleg"
    assert manifest["localizationInfo"]["defaultLanguageTag"].lower().startswith("nl")
    full = manifest["description"]["full"]
    assert "Persoonsgerichte Aanpak" in full
    assert "casuscode" in full and "persoonlijke chat" in full
    assert len(manifest["description"]["short"]) <= 80


# --- icons ------------------------------------------------------------------------------


def test_icons_in_package_have_teams_sizes(package: Path, manifest: dict[str, Any]) -> None:
    with zipfile.ZipFile(package) as zf:
        color = Image.open(io.BytesIO(zf.read(manifest["icons"]["color"])))
        outline = Image.open(io.BytesIO(zf.read(manifest["icons"]["outline"])))
        assert (color.format, color.size) == ("PNG", (192, 192))
        assert (outline.format, outline.size) == ("PNG", (32, 32))
        # The colour icon really has colour (not blank, not only white).
        assert len(set(_pixels(color))) > 2


def test_accent_colour_matches_the_icon_background(package: Path, manifest) -> None:
    with zipfile.ZipFile(package) as zf:
        color = Image.open(io.BytesIO(zf.read("color.png"))).convert("RGB")
    r, g, b = color.getpixel((0, 0))  # type: ignore[misc]
    assert manifest["accentColor"].upper() == f"#{r:02X}{g:02X}{b:02X}"


def test_outline_icon_is_white_on_transparent(package: Path) -> None:
    with zipfile.ZipFile(package) as zf:
        outline = Image.open(io.BytesIO(zf.read("outline.png")))
    pixels = _pixels(outline)
    assert all(a == 0 or (r, g, b) == (255, 255, 255) for r, g, b, a in pixels)
    assert any(a == 0 for *_, a in pixels), "needs a transparent background"
    assert any(a == 255 for *_, a in pixels), "needs a visible white motif"


def test_icon_script_draws_the_same_kind_of_icons() -> None:
    icons = _load(ICON_SCRIPT, "casusoverleg_make_icons")
    color, outline = icons.make_color(), icons.make_outline()
    assert color.size == (192, 192) and outline.size == (32, 32)
    assert all(a == 0 or (r, g, b) == (255, 255, 255) for r, g, b, a in _pixels(outline))


def test_builder_rejects_a_wrong_icon(builder: ModuleType, tmp_path: Path) -> None:
    Image.new("RGBA", (32, 32), (255, 0, 0, 255)).save(tmp_path / "outline.png")
    Image.new("RGB", (100, 100), (0, 0, 255)).save(tmp_path / "color.png")
    problems = " ".join(builder.icon_errors(tmp_path))
    assert "192x192" in problems and "white on transparent" in problems


# --- the builder and its CLI ------------------------------------------------------------


def test_build_is_reproducible(builder: ModuleType, package: Path, tmp_path: Path) -> None:
    again = builder.build_package(APP_ID, DOMAIN, VERSION, tmp_path / "again.zip")
    assert again.read_bytes() == package.read_bytes()


@pytest.mark.parametrize(
    ("app_id", "domain", "version", "needle"),
    [
        ("casusoverleg", DOMAIN, VERSION, "GUID"),
        ("", DOMAIN, VERSION, "app id missing"),
        (APP_ID, "https://" + DOMAIN, VERSION, "scheme"),
        (APP_ID, "", VERSION, "domain missing"),
        (APP_ID, DOMAIN + "/api/messages", VERSION, "host"),
        (APP_ID, DOMAIN, "1.0", "MAJOR.MINOR.PATCH"),
    ],
)
def test_render_refuses_bad_input(builder, app_id, domain, version, needle) -> None:
    with pytest.raises(builder.PackageError, match=f"(?i){needle}"):
        builder.render_manifest(app_id, domain, version)


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MicrosoftAppId", "BOT_DOMAIN")}
    return subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=60,
    )


def test_cli_refuses_a_non_guid_app_id(tmp_path: Path) -> None:
    out = tmp_path / "pkg.zip"
    result = _run_cli("--app-id", "not-a-guid", "--domain", DOMAIN, "--out", str(out))
    assert result.returncode != 0
    assert "not a GUID" in result.stderr
    assert not out.exists()


def test_cli_refuses_a_domain_with_scheme(tmp_path: Path) -> None:
    result = _run_cli(
        "--app-id", APP_ID, "--domain", f"https://{DOMAIN}", "--out", str(tmp_path / "p.zip")
    )
    assert result.returncode != 0
    assert "scheme" in result.stderr


def test_cli_builds_from_environment(tmp_path: Path) -> None:
    out = tmp_path / "env.zip"
    env = {**os.environ, "MicrosoftAppId": APP_ID, "BOT_DOMAIN": DOMAIN}
    result = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as zf:
        built = json.loads(zf.read("manifest.json"))
    assert built["id"] == APP_ID and built["validDomains"] == [DOMAIN]
    assert built["version"] == "1.0.0"
