"""The hot path (issue #7): a turn that changes nothing writes nothing."""

from __future__ import annotations

from sqlalchemy import event

from dialogs import router
from tests.conftest import incoming


async def test_a_help_turn_of_a_known_professional_commits_nothing(demo_db, config):
    seen: list[str] = []

    def on_commit(_connection) -> None:
        seen.append("commit")

    who = incoming("a2")
    await router.handle_text(demo_db, config, who, "help")  # first contact stores the chat
    event.listen(demo_db.engine.sync_engine, "commit", on_commit)
    try:
        for _ in range(3):
            outcome = await router.handle_text(demo_db, config, who, "help")
            assert outcome.card is not None
        assert seen == []
        await router.handle_text(demo_db, config, who, "casus PGA-1999-001")  # a refusal
        assert seen == ["commit"]  # the refusal is audited: that is a write
    finally:
        event.remove(demo_db.engine.sync_engine, "commit", on_commit)
