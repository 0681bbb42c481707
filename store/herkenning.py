"""Does a channel message name a resident? (issue #10, DESIGN §3.1)

Text typed in a channel is visible to everyone before the bot reads it. When a message that
mentions the bot holds a known identifier of any casus of the tenant, the author is asked in
private to remove it. The answer is only yes or no: nothing says which casus matched.

The check runs on every channel message, so it must not read every resident. Each resident's
identifiers are kept as digests in `herkenning` (surname parts, the full name, the address,
the postcode, the birth date); a message is turned into the same digests (each run of up to
six words, each date in any notation `store.dates` reads, each postcode) and looked up with
one indexed query per 900 keys. Both sides are compared as a reader sees them
(`store.visible`): a soft hyphen, a zero-width space or a Cyrillic О does not hide a name.
Digests, not names: the names in clear stay in `Persoonsgegevens` alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from store import dates, visible
from store.models import Aanmelding, Casus, Herkenning, Professional
from store.privacy import TUSSENVOEGSELS, KnownPerson, name_key, words

LONGEST_NAME = 6  # words in a run that can be a full name or an address
CHUNK = 900  # keys per query: under SQLite's oldest limit of 999 parameters
MENTION = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)  # a colleague, not a resident

POSTCODE = re.compile(r"(?<!\d)(\d{4})\s?([a-z]{2})(?![a-z])")

# Two steps, so the lookup always starts from the digest index (a planner with stale
# statistics would otherwise start from the tenant and read every casus): the casussen whose
# digests match, almost always none; then whether one of them is of the tenant.
MATCHING = select(Herkenning.casus_id).where(
    Herkenning.sleutel.in_(bindparam("keys", expanding=True))
)
OF_TENANT = (
    select(Aanmelding.casus_id)
    .join(Professional, Professional.id == Aanmelding.aanmelder_id)
    .where(
        Aanmelding.casus_id.in_(bindparam("casussen", expanding=True)),
        Professional.tenant_id == bindparam("tenant"),
    )
    .limit(1)
)
# A channel of a gemeente's team is screened against that gemeente's inwoners only (#26): a
# name of another gemeente of the region is not recognised there, so a channel (or its
# author) cannot learn who is an inwoner elsewhere.
OF_GEMEENTEN = (
    select(Casus.id)
    .where(
        Casus.id.in_(bindparam("casussen", expanding=True)),
        Casus.gemeente_id.in_(bindparam("gemeenten", expanding=True)),
    )
    .limit(1)
)


def digest(key: str) -> str:
    return hashlib.blake2b(key.encode(), digest_size=16, person=b"casusoverleg").hexdigest()


def running_key(gemeente_id: int, naam: str, geboortedatum: dt.date) -> str:
    """The key a running casus holds for its resident in its gemeente (unique while it runs,
    so two aanmeldingen at the same moment cannot both pass the duplicate check)."""
    return digest(f"lopend:{gemeente_id}:{name_key(naam)}:{geboortedatum.isoformat()}")


def keys_of(persoon: KnownPerson) -> set[str]:
    """What identifies this resident, as `keys_in` finds it in a text. The first given name
    alone does not count: a colleague called Kevin is not the resident."""
    naam = words(persoon.naam)
    surname = naam[1:] if len(naam) > 1 else naam
    # The whole name; one short word alone ("Mo") would hit every other message.
    keys = {"t:" + " ".join(naam)} if len(naam) > 1 or (naam and _telling(naam[0])) else set()
    keys |= {"t:" + part for part in surname if _telling(part)}
    if persoon.adres and words(persoon.adres):
        keys.add("t:" + " ".join(words(persoon.adres)))
    if persoon.postcode:
        keys |= {
            f"p:{digits}{letters}"
            for digits, letters in POSTCODE.findall(visible.fold(persoon.postcode))
        }
    keys.add(f"d:{persoon.geboortedatum.isoformat()}")
    return keys


def keys_in(text: str) -> set[str]:
    """Every key a text could match: each run of up to six words, each date in any notation
    (every reading of it), each postcode."""
    # The mention of a colleague is taken out as Teams sent it, before folding: a look-alike
    # "‹at›" must not hide a name.
    folded = visible.fold(MENTION.sub(" ", text))
    found = {"t:" + run for run in _runs(visible.words_of_folded(folded))}
    found |= {f"p:{digits}{letters}" for digits, letters in POSTCODE.findall(folded)}
    found |= {f"d:{day.isoformat()}" for written in dates.dates_in(folded) for day in written.dates}
    return found


async def index(session: AsyncSession, casus_id: int, persoon: KnownPerson) -> None:
    """(Re)write the digests of one resident, after a referral or a new address."""
    await session.execute(delete(Herkenning).where(Herkenning.casus_id == casus_id))
    session.add_all(Herkenning(casus_id=casus_id, sleutel=digest(k)) for k in keys_of(persoon))
    await session.flush()


async def names_a_resident(session: AsyncSession, tenant_id: str, text: str) -> bool:
    """True when `text` holds an identifier of a resident of any casus of the tenant."""
    keys = sorted({digest(k) for k in keys_in(text)})
    for start in range(0, len(keys), CHUNK):
        found = (await session.scalars(MATCHING, {"keys": keys[start : start + CHUNK]})).all()
        if found and await session.scalar(
            OF_TENANT, {"casussen": sorted(set(found))[:CHUNK], "tenant": tenant_id}
        ):
            return True
    return False


async def names_an_inwoner_of(session: AsyncSession, gemeenten: set[int], text: str) -> bool:
    """True when `text` holds an identifier of a resident of a casus of these gemeenten."""
    keys = sorted({digest(k) for k in keys_in(text)})
    for start in range(0, len(keys), CHUNK):
        found = (await session.scalars(MATCHING, {"keys": keys[start : start + CHUNK]})).all()
        if found and await session.scalar(
            OF_GEMEENTEN, {"casussen": sorted(set(found))[:CHUNK], "gemeenten": sorted(gemeenten)}
        ):
            return True
    return False


def _telling(part: str) -> bool:
    return len(part) >= 3 and any(c.isalpha() for c in part) and part not in TUSSENVOEGSELS


def _runs(tokens: list[str]) -> Iterator[str]:
    for start in range(len(tokens)):
        for end in range(start + 1, min(start + LONGEST_NAME, len(tokens)) + 1):
            yield " ".join(tokens[start:end])
