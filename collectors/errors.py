"""The errors of the SaaS HTTP stack: what collection cannot go on from."""

from __future__ import annotations


class ApiError(Exception):
    """A source answered in a way collection cannot go on from; the message names the
    source, the request and (for credentials) the environment variable, never its value.
    `status` is the HTTP status that refused the request, when one did (a collector may
    treat one endpoint's 403 or 404 as a gap rather than a failure). `detail`: the start of a
    refusal's body, redacted, kept out of the message (a collector may read the vendor's own
    error code from it, such as Graph's licence refusal)."""

    def __init__(self, message: str, status: int | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


class ResponseTooLarge(ApiError):
    """The body passed `max_response_bytes`; not retried (the next answer would be the same)."""
