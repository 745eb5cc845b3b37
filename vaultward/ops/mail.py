"""Sending e-mail through the configured SMTP server: STARTTLS (or implicit TLS) with
certificate verification; plain SMTP only to a loopback relay (see `SmtpConfig`)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from vaultward.config.notification import SmtpConfig


class MailError(Exception):
    """The mail server refused or could not be reached; the message says which server."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str  # e.g. "application/pdf"


def build_message(
    smtp: SmtpConfig,
    to: list[str],
    subject: str,
    text: str,
    html: str | None = None,
    attachments: tuple[Attachment, ...] = (),
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=smtp.sender.rsplit("@", 1)[1])
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for attachment in attachments:
        maintype, subtype = attachment.mime_type.split("/", 1)
        message.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message


def _tls_context(smtp: SmtpConfig) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if smtp.ca_file is not None:
        context.load_verify_locations(cafile=str(smtp.ca_file))
    return context


def send_mail(smtp: SmtpConfig, message: EmailMessage) -> None:
    """Deliver `message` to all its recipients; `MailError` if the server does not accept it."""
    where = f"SMTP {smtp.host}:{smtp.port}"
    try:
        if smtp.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=_tls_context(smtp)
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
        with client:
            if smtp.security == "starttls":
                client.starttls(context=_tls_context(smtp))
                client.ehlo()
            if smtp.username is not None:
                password = smtp.password()
                if password is None:
                    raise MailError(f"{where}: username is set but ${smtp.password_env} is not")
                client.login(smtp.username, password)
            refused = client.send_message(message)
    except MailError:
        raise
    except smtplib.SMTPNotSupportedError:
        raise MailError(
            f"{where}: the server does not offer STARTTLS; refusing to send unencrypted"
        ) from None
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"{where}: {type(error).__name__}: {error}") from None
    if refused:
        raise MailError(f"{where}: refused recipients {', '.join(sorted(refused))}")
