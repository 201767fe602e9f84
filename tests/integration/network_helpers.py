"""Running real ``samizdat node run`` processes in tests, stopped by pid."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

from tests.conftest import PASSPHRASE


class NodeProcess:
    """One ``samizdat node run`` child; ``address`` is read from its JSON line."""

    def __init__(
        self, home: Path, *, listen: str | None = "127.0.0.1:0", interval: float = 1.0,
        extra: list[str] | None = None, env: dict[str, str] | None = None,
        debug: bool = False,
    ) -> None:
        self.home = home
        self.log_path = home.parent / f"{home.name}.node.log"
        argv = [sys.executable, "-m", "samizdat", "--home", str(home), "--json"]
        if debug:
            argv.append("--debug")
        argv += ["node", "run", "--interval", str(interval), *(extra or [])]
        if listen is not None:
            argv += ["--listen", listen]
        full_env = dict(os.environ, SAMIZDAT_PASSPHRASE=PASSPHRASE, **(env or {}))
        self.log: IO[bytes] = open(self.log_path, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=self.log, env=full_env,
            start_new_session=True,
        )
        self.info: dict[str, Any] = {}

    def wait_ready(self, timeout: float = 60) -> dict[str, Any]:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        os.set_blocking(self.proc.stdout.fileno(), False)
        buf = b""
        while time.monotonic() < deadline:
            chunk = self.proc.stdout.read()
            if chunk:
                buf += chunk
                if b"\n" in buf:
                    self.info = json.loads(buf.split(b"\n", 1)[0])
                    return self.info
            if self.proc.poll() is not None:
                raise RuntimeError(f"node exited {self.proc.returncode}: {self.stderr()}")
            time.sleep(0.05)
        raise TimeoutError(f"node not ready: {self.stderr()}")

    @property
    def address(self) -> str:
        return str(self.info["address"])

    def stderr(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")

    def terminate(self, timeout: float = 20) -> int:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self.log.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.log.close()


def befriend(a: Any, a_store: Any, b: Any, b_store: Any,
             a_addr: str, b_addr: str) -> tuple[Any, Any]:
    """Make two in-process nodes (``samizdat.node.node.Node``) reader contacts of each
    other in their stores; returns (b in a's book, a in b's book)."""
    from samizdat.store.contacts import ContactBook

    with a_store.transaction():
        b_in_a = ContactBook(a_store.db).add(b.identity.public_key, b.identity.certificate,
                                             b_addr, int(time.time()))
    with b_store.transaction():
        a_in_b = ContactBook(b_store.db).add(a.identity.public_key, a.identity.certificate,
                                             a_addr, int(time.time()))
    return b_in_a, a_in_b


async def offer(conn: Any, *items: bytes,
                initiator: bool) -> tuple[Any, list[tuple[bytes, int]]]:
    """Play a contact, with the real protocol machine, that offers ``items`` over the
    ``transports.tcp.Connection`` ``conn`` and asks for nothing, up to the node's
    WANT; returns the machine and the (id, offset) pairs wanted."""
    from samizdat.protocol.reconcile import ItemSet
    from samizdat.protocol.session import Reconciled, Session, Wanted

    machine = Session(ItemSet(list(items)), initiator=initiator)
    if initiator:
        for wire in machine.start()[0]:
            conn.write(wire)
    while True:
        frames, events = machine.receive(await conn.read_frame(timeout=10))
        for wire in frames:
            conn.write(wire)
        for e in events:
            if isinstance(e, Reconciled):
                for wire in machine.want([]):
                    conn.write(wire)
            if isinstance(e, Wanted):
                return machine, e.items
