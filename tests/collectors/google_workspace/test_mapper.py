"""Directory API user resources (a captured-shape users.list page) to exact identities."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from collectors.google_workspace import mapper
from vaultward.contract.records import Identity

PAYLOADS = Path(__file__).parent / "payloads"


def identity(number: int, email: str, name: str, **fields) -> Identity:
    return Identity(
        key=f"google:10423311321000000000{number}",
        name=name,
        source="google_workspace",
        account="C03acme01",
        email=email,
        person=True,
        console_access=True,
        **fields,
    )


def test_every_user_shape_maps_exactly():
    page = json.loads((PAYLOADS / "users_page.json").read_text())
    assert mapper.map_users(page["users"], "C03acme01") == [
        identity(
            1, "alice@acme.example", "Alice Moreau",
            privileged=True, privileged_via=["isAdmin"], admin_roles=["super_admin"], full_admin=True,
            mfa_enrolled=True, mfa_enforced=True,
            created_at=datetime(2021, 3, 4, 10, 0, tzinfo=UTC),
            last_used_at=datetime(2026, 11, 20, 8, 12, 44, tzinfo=UTC),
        ),
        identity(
            2, "carol@acme.example", "Carol Lindqvist",
            privileged=True, privileged_via=["isDelegatedAdmin"], admin_roles=["delegated_admin"],
            full_admin=False, mfa_enrolled=True, mfa_enforced=False,
            created_at=datetime(2022, 7, 11, 9, 15, 30, tzinfo=UTC),
            last_used_at=datetime(2026, 11, 21, 10, 30, tzinfo=UTC),
        ),
        # Mixed-case primary e-mail lower-cased; lastLoginTime 1970-01-01 means never.
        identity(
            3, "zoe.park@acme.example", "Zoe Park",
            privileged=False, full_admin=False, mfa_enrolled=False, mfa_enforced=False,
            created_at=datetime(2026, 11, 1, 12, 0, tzinfo=UTC), last_used_at=None,
        ),
        identity(
            4, "frank@acme.example", "Frank Osei",
            privileged=False, full_admin=False, mfa_enrolled=False, mfa_enforced=False, suspended=True,
            created_at=datetime(2020, 1, 6, 8, 0, tzinfo=UTC),
            last_used_at=datetime(2025, 6, 30, 12, 0, tzinfo=UTC),
        ),
        # Archived users cannot sign in either: suspended.
        identity(
            5, "grace@acme.example", "Grace Ito",
            privileged=False, full_admin=False, mfa_enrolled=True, mfa_enforced=False, suspended=True,
            created_at=datetime(2019, 5, 20, 8, 0, tzinfo=UTC),
            last_used_at=datetime(2025, 1, 15, 9, 20, tzinfo=UTC),
        ),
        # Missing isDelegatedAdmin / isEnforcedIn2Sv: unknown, not False. A value of the
        # wrong type and an unparseable time: unknown, kept in anomalies.
        identity(
            6, "quinn@acme.example", "Quinn Reyes",
            privileged=None, full_admin=False, mfa_enrolled=None, mfa_enforced=None,
            created_at=datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC), last_used_at=None,
            anomalies=["isEnrolledIn2Sv:ENROLLED", "lastLoginTime:yesterday"],
        ),
        # A guest (users.createGuest, isGuestUser): someone from outside the organisation.
        identity(
            7, "dana@partner.example", "Dana Ruiz",
            privileged=False, full_admin=False, external=True, mfa_enrolled=True, mfa_enforced=False,
            created_at=datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
            last_used_at=datetime(2026, 11, 19, 14, 0, tzinfo=UTC),
        ),
    ]  # fmt: skip


def test_factor_kinds_stay_unreported_so_phishing_resistance_is_not_claimed():
    page = json.loads((PAYLOADS / "users_page.json").read_text())
    alice = mapper.map_user(page["users"][0], "C03acme01")
    # The Directory API does not name the 2SV method: no kind is invented, none claimed.
    assert alice.mfa_enrolled is True and alice.factor_kinds == []
