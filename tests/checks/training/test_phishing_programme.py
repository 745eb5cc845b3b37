"""The phishing-programme checks: the organisation's phish-prone trend, repeat clickers and
privileged people who fell for their latest test. KnowBe4 counts each failure kind once per
recipient (clicked, data entered, attachment opened, macro enabled, replied, QR code
scanned) over the messages delivered ("Failures and Phish-prone Percentages")."""

from __future__ import annotations

from checks.training.phish_prone_trend import phish_prone_trend
from checks.training.privileged_clicked_latest import privileged_clicked_latest
from checks.training.repeat_clickers import repeat_clickers
from tests.checks.run import run, statuses
from tests.factories import make_identity, make_phishing_result, make_phishing_test, make_wallet
from vaultward.config.policy import PeopleRules, Policy, TrainingPolicy


def staff(test, clicks: dict[str, tuple[str, ...]], others: int) -> list:
    """Results of `test`: the named people failing as given, and `others` who did not."""
    found = [make_phishing_result(test, person, *how) for person, how in clicks.items()]
    return found + [make_phishing_result(test, f"p{n}@x.io") for n in range(others)]


def policy(**training) -> Policy:
    return Policy(training=TrainingPolicy(**training))


def test_the_trend_judges_each_recent_finished_test_against_the_bound_and_the_one_before():
    t0, t1, t2, t3 = (
        make_phishing_test(n, days) for n, days in ((100, 200), (101, 90), (102, 60), (103, 30))
    )
    running = make_phishing_test(104, 5, status="Open", final=False)
    records = [
        t0, t1, t2, t3, running,
        *staff(t0, {}, 10),
        # 2 recipients fail, one of them twice (clicked, then entered data): 3 failures / 10
        *staff(t1, {"a@x.io": ("clicked", "data_entered"), "b@x.io": ("replied",)}, 8),
        *staff(t2, {"a@x.io": ("clicked",)}, 9),  # 10 %
        *staff(t3, {"c@x.io": ("qr_code_scanned",)}, 7),  # 12.5 %: rising
        *staff(running, {"a@x.io": ("clicked",)}, 9),
    ]  # fmt: skip
    results = {
        r.resource: r
        for r in run(
            phish_prone_trend, records, policy=policy(org_max_phish_prone_percent=15, phish_trend_tests=3)
        )
    }
    assert {key: r.status for key, r in results.items()} == {
        "knowbe4:pst:100": "skipped",  # before the 3 the trend judges
        "knowbe4:pst:101": "fail",  # 30 % over the bound of 15 %
        "knowbe4:pst:102": "pass",  # 10 %, down from 30 %
        "knowbe4:pst:103": "fail",  # 12.5 %, up from 10 %
        "knowbe4:pst:104": "skipped",  # still running
    }
    assert results["knowbe4:pst:101"].evidence["percentage"] == 30.0
    assert results["knowbe4:pst:103"].reason == (
        "campaign 103 (2026-10-24): phish-prone rose to 12.5 % from 10.0 % in campaign 102 (2026-09-24)"
    )
    assert "still running (status Open)" in results["knowbe4:pst:104"].reason


def test_one_finished_test_under_the_bound_is_no_trend_yet():
    test = make_phishing_test(1, 10)
    assert statuses(phish_prone_trend, [test, *staff(test, {}, 5)]) == {"knowbe4:pst:1": "unknown"}
    # over the bound, one test is enough to fail
    assert statuses(phish_prone_trend, [test, *staff(test, {"a@x.io": ("clicked",)}, 4)]) == {
        "knowbe4:pst:1": "fail"
    }


def test_missing_recipients_leave_the_test_and_the_comparison_with_it_unknown():
    partial = make_phishing_test(1, 40, scheduled=6)  # KnowBe4 scheduled 6, the listing holds 5
    after = make_phishing_test(2, 10, scheduled=5)
    nobody = make_phishing_test(3, 5)  # every message bounced
    records = [
        partial, after, nobody,
        *staff(partial, {}, 5),
        *staff(after, {}, 5),
        make_phishing_result(nobody, "a@x.io", delivered=False),
    ]  # fmt: skip
    results = {r.resource: r for r in run(phish_prone_trend, records)}
    assert {key: r.status for key, r in results.items()} == {
        "knowbe4:pst:1": "unknown",
        "knowbe4:pst:2": "unknown",
        "knowbe4:pst:3": "skipped",
    }
    assert (
        "scheduled 6 recipient(s) for test 1, its recipient listing holds 5"
        in results["knowbe4:pst:1"].reason
    )
    assert "the test before cannot be measured" in results["knowbe4:pst:2"].reason
    assert results["knowbe4:pst:3"].reason.endswith("no message was delivered")


def test_an_unrecorded_failure_flag_is_no_pass():
    test = make_phishing_test(1, 10)
    earlier = make_phishing_test(2, 40)
    unsure = make_phishing_result(test, "a@x.io", macro_enabled=None)
    records = [test, earlier, *staff(earlier, {}, 4), unsure, *staff(test, {}, 3)]
    assert statuses(phish_prone_trend, records)["knowbe4:pst:1"] == "unknown"
    assert statuses(repeat_clickers, records, policy=policy(repeat_clicker_failures=2))["a@x.io"] == "pass"


def test_repeat_clickers_count_failures_over_the_recent_tests():
    t0, t1, t2, t3 = (make_phishing_test(n, days) for n, days in ((1, 300), (2, 90), (3, 60), (4, 30)))
    records = [
        t0, t1, t2, t3,
        make_phishing_result(t0, "old@x.io", "clicked"),  # only in a test before the window
        make_phishing_result(t1, "old@x.io", "clicked"),
        make_phishing_result(t1, "rep@x.io", "clicked"),
        make_phishing_result(t3, "rep@x.io", "attachment_opened"),
        make_phishing_result(t1, "once@x.io"),
        make_phishing_result(t2, "once@x.io", "replied"),
        make_phishing_result(t3, "bounced@x.io", delivered=False),
        make_phishing_result(t2, "Left@X.io", "clicked"),
        make_phishing_result(t3, "left@x.io", "clicked"),
        make_identity(key="okta:left", source="okta", email="left@x.io", suspended=True),
    ]  # fmt: skip
    results = {r.resource: r for r in run(repeat_clickers, records, policy=policy(recent_phishing_tests=3))}
    assert {key: r.status for key, r in results.items()} == {
        "rep@x.io": "fail",
        "old@x.io": "pass",  # one failure among the last 3
        "once@x.io": "pass",
        "bounced@x.io": "skipped",  # no recent test reached them
        "left@x.io": "skipped",  # every identity suspended
    }
    assert results["rep@x.io"].reason == (
        "failed 2 of the last 3 finished tests: campaign 2 (2026-08-25), campaign 4 (2026-10-24)"
    )
    assert results["rep@x.io"].evidence["failed"] == {
        "campaign 2 (2026-08-25)": ["clicked"],
        "campaign 4 (2026-10-24)": ["attachment_opened"],
    }


def test_a_test_missing_recipients_may_hold_a_second_failure():
    t1, t2 = make_phishing_test(1, 60), make_phishing_test(2, 30, scheduled=3)
    records = [
        t1, t2,
        make_phishing_result(t1, "a@x.io", "clicked"),  # t2 does not list a: maybe a second failure
        make_phishing_result(t1, "b@x.io"),
        make_phishing_result(t2, "b@x.io"),
        make_phishing_result(t2, "c@x.io", "clicked"),
    ]  # fmt: skip
    assert statuses(repeat_clickers, records) == {
        "a@x.io": "unknown",
        "b@x.io": "pass",
        "c@x.io": "pass",
        "knowbe4:pst:2": "unknown",  # the people it does not list cannot be judged
    }


def test_privileged_people_and_signers_are_judged_by_their_latest_test():
    old, latest = make_phishing_test(1, 60), make_phishing_test(2, 10)
    rules = PeopleRules(signers={"0xa": "signer@x.io"})
    records = [
        make_identity(key="okta:1", source="okta", email="admin@x.io", privileged=True),
        make_identity(key="okta:2", source="okta", email="bounced@x.io", privileged=True),
        make_identity(key="okta:3", source="okta", email="untested@x.io", privileged=True),
        make_identity(key="okta:4", source="okta", email="dev@x.io", privileged=False),
        make_identity(key="okta:5", source="okta", email="signer@x.io", privileged=False),
        make_wallet(key="safe:eth:0x1", name="treasury", signers=["0xa"]),
        old, latest,
        make_phishing_result(latest, "admin@x.io", "clicked", "data_entered"),
        make_phishing_result(old, "admin@x.io"),
        make_phishing_result(latest, "bounced@x.io", delivered=False),
        make_phishing_result(old, "bounced@x.io", reported=True),
        make_phishing_result(latest, "signer@x.io"),
        make_phishing_result(latest, "dev@x.io", "clicked"),
    ]  # fmt: skip
    results = {r.resource: r for r in run(privileged_clicked_latest, records, policy=Policy(people=rules))}
    assert {key: r.status for key, r in results.items()} == {
        "admin@x.io": "fail",
        "bounced@x.io": "pass",  # the latest bounced: judged by the one before, which they reported
        "untested@x.io": "unknown",  # no recent test reached them
        "signer@x.io": "pass",
        "dev@x.io": "skipped",
    }
    assert results["admin@x.io"].reason == "fell for campaign 2 (2026-11-13): clicked, data_entered"
    assert results["bounced@x.io"].reason == "did not fall for campaign 1 (2026-09-24) and reported it"
    assert results["signer@x.io"].evidence["signer_for"] == ["signer of treasury"]


def test_privileged_people_without_a_phishing_source_are_unknown():
    records = [make_identity(key="okta:1", source="okta", email="admin@x.io", privileged=True)]
    results = run(privileged_clicked_latest, records)
    assert [(r.resource, r.status, r.reason) for r in results] == [
        ("admin@x.io", "unknown", "no phishing simulation source is connected")
    ]


def test_a_latest_test_missing_recipients_may_have_reached_them():
    old, latest = make_phishing_test(1, 60), make_phishing_test(2, 10, scheduled=2)
    records = [
        make_identity(key="okta:1", source="okta", email="admin@x.io", privileged=True),
        old, latest,
        make_phishing_result(old, "admin@x.io"),
        make_phishing_result(latest, "dev@x.io"),
    ]  # fmt: skip
    assert statuses(privileged_clicked_latest, records) == {"admin@x.io": "unknown"}


def test_a_person_listed_twice_in_a_test_counts_once_with_the_worse_outcome():
    test = make_phishing_test(1, 10)
    records = [
        test,
        make_phishing_result(test, "a@x.io", key="r1"),
        make_phishing_result(test, "A@X.io", "clicked", key="r2"),  # the same person, another row
        make_phishing_result(test, "b@x.io", key="r3"),
    ]
    [result] = run(phish_prone_trend, records)
    assert (result.evidence["delivered"], result.evidence["failures"], result.evidence["percentage"]) == (
        2,
        1,
        50.0,
    )
