"""A local SMTP server for the tests (aiosmtpd), never a real one: it keeps
what it receives, and can ask for STARTTLS and a password."""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl
import subprocess
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.servers import free_port


@dataclass
class Received:
    sender: str
    recipients: List[str]
    message: EmailMessage
    logged_in_as: Optional[str]
    encrypted: bool

    @property
    def text(self) -> str:
        return self.message.get_content()


class Inbox:
    """aiosmtpd's handler: every e-mail it accepts, in order."""

    def __init__(self) -> None:
        self.received: List[Received] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        login = session.auth_data
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                message,
                login.decode() if isinstance(login, bytes) else login,
                bool(session.ssl),
            )
        )
        return "250 OK"

    async def wait_for(self, count: int = 1, timeout: float = 15.0) -> List[Received]:
        end = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > end:
                raise AssertionError(f"{len(self.received)} e-mail(s) arrived, not {count}, within {timeout} s")
            await asyncio.sleep(0.05)
        return self.received


class MailServer:
    """aiosmtpd on loopback, in a thread of its own."""

    def __init__(
        self,
        port: Optional[int] = None,
        password: Optional[Tuple[str, str]] = None,
        tls: Optional[Tuple[Path, Path]] = None,
    ) -> None:
        self.inbox = Inbox()
        self.port = port or free_port()
        options: Dict[str, Any] = {}
        if password is not None:

            def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
                ok = (
                    isinstance(auth_data, LoginPassword)
                    and (
                        auth_data.login.decode(),
                        auth_data.password.decode(),
                    )
                    == password
                )
                return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)

            options.update(authenticator=authenticator, auth_required=True, auth_require_tls=tls is not None)
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            options.update(tls_context=context, require_starttls=True)
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **options)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> MailServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def self_signed_certificate(folder: Path) -> Tuple[Path, Path]:
    """A certificate for 127.0.0.1 (openssl); trust it with SSL_CERT_FILE."""
    certificate, key = folder / "smtp.crt", folder / "smtp.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
        ],
        check=True,
        capture_output=True,
    )
    return certificate, key
