"""knowbe4: training enrolments, phishing-test results and phish-prone percentages from the
KnowBe4 Reporting API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from collectors.degrade import mapped, side_listing, side_request
from collectors.http_api import bearer, credential
from collectors.knowbe4 import mapper
from collectors.knowbe4.client import BASE_URLS, MAX_PAGE_SIZE, KnowBe4Client
from collectors.saas import SaasCollector, http_url
from collectors.training_category import DEFAULT_LURE_MODULES
from vaultward.config.bounded import Name
from vaultward.contract.records import PhishingResult, PhishingTest, PhishProne, Record, TrainingRecord
from vaultward.contract.sdk import Problem, Scope

DEFAULT_TOKEN_VARIABLE = "KNOWBE4_API_TOKEN"  # noqa: S105 - a variable name, not a secret


class KnowBe4Options(BaseModel):
    """`[sources.knowbe4]` keys besides the common ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    region: Literal["us", "eu", "ca", "uk", "de"] = "us"
    base_url: Annotated[str | None, http_url()] = None  # overrides the region's URL (tests, the demo)
    lure_modules: list[Name] = Field(default_factory=lambda: list(DEFAULT_LURE_MODULES), max_length=1000)
    page_size: int = Field(default=MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class KnowBe4Collector(SaasCollector):
    """One scope per KnowBe4 account, `knowbe4:<region>`.

    Configuration (`[sources.knowbe4]`):

    - `region`: the KnowBe4 server of the account: `us` (training.knowbe4.com, default),
      `eu`, `ca`, `uk`, `de`; the API host is `https://<region>.api.knowbe4.com`.
    - `base_url`: another API URL (tests, the demo); overrides `region`.
    - `lure_modules`: case-insensitive substrings of module or campaign names that count as
      the specialised lure training (default: recruit, job offer, social engineering,
      collaborat, deepfake, lazarus); every other module counts as awareness training.
    - `page_size`: records per page, 1-500 (default 500, the API's maximum).
    - `credentials_env.token`: the variable holding a Reporting API token (default
      `KNOWBE4_API_TOKEN`), created under Account Settings > Account Integrations > API >
      Reporting API; the Reporting API is read-only (Platinum and Diamond subscriptions).

    Produces a training record per enrolment (key `knowbe4:enrollment:<id>`), each phishing
    security test, one run of a phishing campaign, with KnowBe4's counts
    (`knowbe4:pst:<pst_id>`), a phishing result per recipient of every test
    (`knowbe4:pst:<pst_id>:<recipient id>`: delivered, each failure KnowBe4 counts, reported)
    and each active user's phish-prone percentage (`knowbe4:user:<id>`). An enrolment
    status the collector does not know is recorded as `not_started` and reported, so the Run
    is `partial` rather than wrong. Campaign names come from the campaign listing: when it
    cannot be read, only the tests' campaign names are unknown; when one test's recipients
    cannot be read, the recipient listing is incomplete and the other tests are still read.
    """

    name = "knowbe4"
    title = "KnowBe4 training, phishing tests and phish-prone percentages"
    produces = (TrainingRecord, PhishingTest, PhishingResult, PhishProne)
    permissions = (
        "GET /v1/users",
        "GET /v1/training/enrollments",
        "GET /v1/phishing/campaigns",
        "GET /v1/phishing/security_tests",
        "GET /v1/phishing/security_tests/{pst_id}/recipients",
    )
    options_model = KnowBe4Options
    enabled_by_default = False  # needs a token: runs once [sources.knowbe4] is configured
    credentials = {"token": DEFAULT_TOKEN_VARIABLE}
    # KnowBe4's Reporting API has a daily request limit and a burst limit (its fair usage
    # policy); 50 a minute is a conservative pace under the burst limit: check your account's.
    rate_limit_per_minute = 50

    def scopes(self) -> list[Scope]:
        options: KnowBe4Options = self.options
        base_url = options.base_url or BASE_URLS[options.region]
        return [Scope(self.name, f"knowbe4:{options.region}", {"base_url": base_url})]

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        options: KnowBe4Options = self.options
        token = credential(self.name, self.source.credentials_env, "token", DEFAULT_TOKEN_VARIABLE)
        as_of = datetime.now(UTC)
        api = self.http(self.name, scope.params["base_url"], bearer(token), token)
        with KnowBe4Client(api, options.page_size) as client:
            for raw in client.users():  # the main listing: failing, it fails the Run
                yield from mapped(mapper.map_user(raw, as_of), PhishProne.kind)
            # Each further listing feeds one kind: failing, it leaves only that kind incomplete.
            yield from side_listing(
                lambda: (
                    item
                    for raw in client.enrollments()
                    for item in mapped(mapper.map_enrollment(raw, options.lure_modules), TrainingRecord.kind)
                ),
                (TrainingRecord.kind,),
            )
            campaigns = yield from side_request(
                lambda: mapper.campaign_names(client.phishing_campaigns()),
                fields=(f"{PhishingTest.kind}.campaign",),
            )
            yield from side_listing(
                lambda: _phishing_tests(client, campaigns or {}), (PhishingTest.kind, PhishingResult.kind)
            )


def _phishing_tests(client: KnowBe4Client, campaigns: dict) -> Iterator[Record | Problem]:
    """Each test, then its recipients; a test whose recipients cannot be read leaves the
    recipient listing incomplete, and the next test is still read."""
    for test in client.security_tests():
        record, problems = mapper.map_security_test(test, campaigns)
        yield from mapped((record, problems), PhishingTest.kind)
        if record is None:
            yield Problem(
                f"knowbe4 phishing test {test.get('name')!r}: no pst_id, recipients skipped",
                (PhishingResult.kind,),
            )
            continue
        yield from side_listing(_recipients(client, test), (PhishingResult.kind,))


def _recipients(client: KnowBe4Client, test: dict) -> Callable[[], Iterator[Record | Problem]]:
    def read() -> Iterator[Record | Problem]:
        for raw in client.recipients(test["pst_id"]):
            yield from mapped(mapper.map_recipient(raw, test), PhishingResult.kind)

    return read
