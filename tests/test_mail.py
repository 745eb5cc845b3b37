"""E-mail through a loopback SMTP server that requires STARTTLS and a login."""

from __future__ import annotations

import pytest

from vaultward.config.notification import SmtpConfig
from vaultward.ops.mail import Attachment, MailError, build_message, send_mail


def test_sends_over_starttls_with_login_and_attachment(smtp_server):
    smtp = SmtpConfig.model_validate(smtp_server.settings())
    message = build_message(
        smtp,
        ["ciso@example.com", "board@example.com"],
        "Posture 2026-W47",
        "Readiness 61.3 (fair)",
        attachments=(Attachment("r.pdf", b"%PDF-1.7 fake", "application/pdf"),),
    )
    send_mail(smtp, message)

    [received] = smtp_server.messages
    assert received["Subject"] == "Posture 2026-W47"
    assert received["To"] == "ciso@example.com, board@example.com"
    assert received.get_body(("plain",)).get_content().strip() == "Readiness 61.3 (fair)"
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == "r.pdf"
    assert attachment.get_content() == b"%PDF-1.7 fake"


def test_wrong_password_is_a_clear_error_without_the_password(smtp_server, monkeypatch):
    monkeypatch.setenv("VAULTWARD_SMTP_PASSWORD", "not-the-password")
    smtp = SmtpConfig.model_validate(smtp_server.settings())
    with pytest.raises(
        MailError, match=rf"SMTP 127.0.0.1:{smtp_server.port}: SMTPAuthenticationError"
    ) as caught:
        send_mail(smtp, build_message(smtp, ["a@example.com"], "s", "t"))
    assert "not-the-password" not in str(caught.value)
    assert smtp_server.messages == []


def test_untrusted_certificate_is_refused(smtp_server):
    smtp = SmtpConfig.model_validate(smtp_server.settings(ca_file=None))
    with pytest.raises(MailError, match="CERTIFICATE_VERIFY_FAILED"):
        send_mail(smtp, build_message(smtp, ["a@example.com"], "s", "t"))
    assert smtp_server.messages == []


def test_missing_password_variable_is_named(smtp_server, monkeypatch):
    monkeypatch.delenv("VAULTWARD_SMTP_PASSWORD")
    smtp = SmtpConfig.model_validate(smtp_server.settings())
    with pytest.raises(MailError, match=r"\$VAULTWARD_SMTP_PASSWORD is not"):
        send_mail(smtp, build_message(smtp, ["a@example.com"], "s", "t"))


def test_temporary_refusal_is_an_error(smtp_server):
    smtp_server.refuse_next = 1
    smtp = SmtpConfig.model_validate(smtp_server.settings())
    with pytest.raises(MailError, match="451"):
        send_mail(smtp, build_message(smtp, ["a@example.com"], "s", "t"))


def test_plain_smtp_only_to_loopback():
    with pytest.raises(ValueError, match="only allowed for a loopback host"):
        SmtpConfig(host="smtp.example.com", security="none", sender="a@example.com")
    assert SmtpConfig(host="127.0.0.1", security="none", sender="a@example.com").security == "none"
