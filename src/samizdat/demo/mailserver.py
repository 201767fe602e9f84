"""A real SMTP server on loopback for the demo: aiosmtpd, delivering into an mbox.

The demo's e-mail chapter sends with ``samizdat mail send`` over real SMTP to this
server and fetches with ``samizdat mail fetch --mbox``, as a recipient would from
their mail client's mbox export.
"""

from __future__ import annotations

import mailbox
import socket
from email import message_from_bytes
from pathlib import Path
from types import TracebackType
from typing import Any

from samizdat.errors import MissingExtra

__all__ = ["LoopbackMailbox"]


class _MboxHandler:
    def __init__(self, path: Path) -> None:
        self.path = path

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        box = mailbox.mbox(str(self.path))
        try:
            box.add(message_from_bytes(envelope.original_content or envelope.content))
            box.flush()
        finally:
            box.close()
        return "250 Message accepted for delivery"


class LoopbackMailbox:
    """``with LoopbackMailbox(folder) as box:`` an SMTP server on 127.0.0.1:box.port
    that appends every message to ``box.mbox``."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.mbox = folder / "inbox.mbox"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self._controller: Any = None

    def __enter__(self) -> LoopbackMailbox:
        try:
            from aiosmtpd.controller import Controller
        except ImportError as exc:
            raise MissingExtra("the demo's mail server", "mail") from exc
        self._controller = Controller(_MboxHandler(self.mbox), hostname="127.0.0.1",
                                      port=self.port)
        self._controller.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._controller is not None:
            self._controller.stop()
