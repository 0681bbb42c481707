"""Any card action with any data: a Dutch answer, never an exception, never a half record."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from dialogs import router
from tests.conftest import incoming

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = st.sampled_from(
    [
        "casus",
        "naam",
        "geboortedatum",
        "gemeente",
        "besluit",
        "casusregisseur",
        "professional",
        "crit_overlast",
        "partners",
        "prof_object_id",
        "_form",
        "datum",
        "code",
        "_args",
    ]
)
PAYLOADS = st.dictionaries(FIELDS | st.text(max_size=10), VALUES, max_size=6) | VALUES


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    verb=st.sampled_from(sorted(router.ROUTES)) | st.text(max_size=20),
    data=PAYLOADS,
    who=st.sampled_from(["a1", "a2", "a5"]),
    space=st.sampled_from(["personal", "channel", "groupChat"]),
)
async def test_any_action_gets_an_answer_and_stores_no_casus(
    demo_db, config, verb, data, who, space
):
    outcome = await router.handle_action(demo_db, config, incoming(who, space), verb, data)
    assert outcome.card is not None or outcome.text
    async with demo_db.engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM casus")) == 0
