"""A private Tor network on loopback, for tests that need real onion services.

Three directory authorities (keys made with ``tor-gencert``), four relays (two of
them exits towards 127.0.0.0/8 only) and any number of *clients* (each with a
ControlPort for stem and a SocksPort), every port bound to 127.0.0.1, with
``TestingTorNetwork 1`` so that consensus intervals are seconds, not hours. It
bootstraps in about 20-35 s and uses about 100 MB per relay.

Every tor runs in the foreground as a child of the test process and is stopped by
its pid in :meth:`TorTestnet.stop`, which the fixture calls in a ``finally``, so a
failing test leaves no tor behind. Use it through the session-scoped
``tor_testnet`` fixture (see ``test_tor.py``) or directly::

    with TorTestnet(tmp_dir) as net:
        client = net.add_client("alice")
        net.wait_bootstrapped()
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

__all__ = ["TorClient", "TorTestnet", "free_port", "tor_available"]

TOR = shutil.which("tor") or "/usr/sbin/tor"
TOR_GENCERT = shutil.which("tor-gencert") or "/usr/bin/tor-gencert"


def tor_available() -> bool:
    return os.path.exists(TOR) and os.path.exists(TOR_GENCERT)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


COMMON = """\
TestingTorNetwork 1
AssumeReachable 1
PathsNeededToBuildCircuits 0.25
TestingDirAuthVoteExit *
TestingDirAuthVoteGuard *
TestingDirAuthVoteHSDir *
TestingMinExitFlagThreshold 0
V3AuthNIntervalsValid 2
RunAsDaemon 0
ShutdownWaitLength 0
CookieAuthentication 1
ClientUseIPv6 0
"""

AUTHORITY = """\
AuthoritativeDirectory 1
V3AuthoritativeDirectory 1
ExitRelay 0
ExitPolicy reject *:*
TestingV3AuthInitialVotingInterval 5
V3AuthVotingInterval 10
TestingV3AuthInitialVoteDelay 2
V3AuthVoteDelay 2
TestingV3AuthInitialDistDelay 2
V3AuthDistDelay 2
"""

EXIT = """\
ExitRelay 1
ExitPolicy accept 127.0.0.0/8:*
ExitPolicy reject *:*
IPv6Exit 0
"""

MIDDLE = """\
ExitRelay 0
ExitPolicy reject *:*
"""


@dataclass
class TorClient:
    """A tor on the private network that nodes use: stem talks to ``control_port``,
    connections go out through ``socks_port``."""

    name: str
    data_dir: Path
    control_port: int
    socks_port: int


@dataclass
class _Proc:
    name: str
    data_dir: Path
    popen: subprocess.Popen[bytes]


class TorTestnet:
    """Builds, runs and stops the private network under ``base`` (a fresh directory)."""

    def __init__(self, base: Path, *, authorities: int = 3, relays: int = 4) -> None:
        self.base = base
        self.n_auth = authorities
        self.n_relays = relays
        self.procs: list[_Proc] = []
        self.clients: dict[str, TorClient] = {}
        self.dir_lines: list[str] = []
        self.started_at = 0.0

    # ----------------------------------------------------------------- lifecycle

    def __enter__(self) -> TorTestnet:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Make the authorities' keys and start authorities and relays."""
        self.base.mkdir(parents=True, exist_ok=True)
        self.started_at = time.monotonic()
        auths = []
        for i in range(self.n_auth):
            nick = f"auth{i}"
            d = self._dir(nick)
            dirport, orport = free_port(), free_port()
            self._gencert(d, dirport)
            fp = self._fingerprint(d, nick, orport)
            v3 = self._v3ident(d)
            self.dir_lines.append(
                f"DirAuthority {nick} orport={orport} no-v2 v3ident={v3} 127.0.0.1:{dirport} {fp}"
            )
            auths.append((nick, d, dirport, orport))
        for nick, d, dirport, orport in auths:
            self._launch(nick, d, AUTHORITY + self._relay_lines(orport, dirport))
        for i in range(self.n_relays):
            nick = f"relay{i}"
            role = EXIT if i < 2 else MIDDLE
            self._launch(nick, self._dir(nick), role + self._relay_lines(free_port(), free_port()))

    def add_client(self, name: str) -> TorClient:
        """Start a client tor with a ControlPort and a SocksPort."""
        d = self._dir(f"client-{name}")
        control, socks = free_port(), free_port()
        self._launch(
            f"client{name}", d, "", control=control, socks=socks,
        )
        client = TorClient(name, d, control, socks)
        self.clients[name] = client
        return client

    def wait_bootstrapped(self, timeout: float = 150.0) -> float:
        """Wait until every client reports 100% bootstrap; returns seconds since start."""
        deadline = time.monotonic() + timeout
        pending = dict(self.clients)
        while pending:
            for name, client in list(pending.items()):
                log = client.data_dir / "notice.log"
                if log.exists() and "Bootstrapped 100%" in log.read_text(errors="replace"):
                    del pending[name]
            self._check_alive()
            if pending and time.monotonic() > deadline:
                raise TimeoutError(
                    f"tor clients {sorted(pending)} did not bootstrap in {timeout:g} s:\n"
                    + self.tail_logs()
                )
            time.sleep(0.5)
        return time.monotonic() - self.started_at

    def stop(self) -> None:
        """Stop every tor this network started, by pid; wait for each to exit."""
        for p in self.procs:
            if p.popen.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(p.popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for p in self.procs:
            try:
                p.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.kill(p.popen.pid, signal.SIGKILL)
                p.popen.wait(timeout=5)
        self.procs.clear()

    def pids(self) -> list[int]:
        return [p.popen.pid for p in self.procs]

    def tail_logs(self, lines: int = 8) -> str:
        out = []
        for p in self.procs:
            log = p.data_dir / "notice.log"
            text = log.read_text(errors="replace").splitlines()[-lines:] if log.exists() else []
            out.append(f"--- {p.name} (rc={p.popen.poll()})\n" + "\n".join(text))
        return "\n".join(out)

    # ------------------------------------------------------------------- helpers

    def _dir(self, nick: str) -> Path:
        d = self.base / nick
        (d / "keys").mkdir(parents=True, exist_ok=True)
        d.chmod(0o700)
        return d

    @staticmethod
    def _relay_lines(orport: int, dirport: int) -> str:
        return (
            f"ORPort 127.0.0.1:{orport}\nDirPort 127.0.0.1:{dirport}\n"
            "Address 127.0.0.1\nContactInfo x@test.test\n"
        )

    def _gencert(self, d: Path, dirport: int) -> None:
        subprocess.run(
            [
                TOR_GENCERT, "--create-identity-key", "--passphrase-fd", "0", "-m", "12",
                "-a", f"127.0.0.1:{dirport}",
                "-i", str(d / "keys/authority_identity_key"),
                "-s", str(d / "keys/authority_signing_key"),
                "-c", str(d / "keys/authority_certificate"),
            ],
            input=b"\n", check=True, capture_output=True, timeout=60,
        )

    @staticmethod
    def _fingerprint(d: Path, nick: str, orport: int) -> str:
        out = subprocess.run(
            [
                TOR, "--quiet", "--ignore-missing-torrc", "-f", "/dev/null",
                "--list-fingerprint", "--DataDirectory", str(d),
                "--ORPort", f"127.0.0.1:{orport}", "--Nickname", nick,
                "--DirAuthority", "xyzzy 127.0.0.1:1 ffffffffffffffffffffffffffffffffffffffff",
            ],
            check=True, capture_output=True, text=True, timeout=60,
        ).stdout
        m = re.search(rf"^{nick} ((?:[0-9A-F]{{4}} ?){{10}})", out, re.M)
        if not m:
            raise RuntimeError(f"no fingerprint for {nick}: {out!r}")
        return m.group(1).replace(" ", "")

    @staticmethod
    def _v3ident(d: Path) -> str:
        text = (d / "keys/authority_certificate").read_text()
        m = re.search(r"^fingerprint ([0-9A-F]{40})", text, re.M)
        if not m:
            raise RuntimeError("no fingerprint in authority certificate")
        return m.group(1)

    def _launch(
        self, nick: str, d: Path, role: str, *, control: int | None = None,
        socks: int | None = None,
    ) -> None:
        torrc = (
            COMMON + role + "\n".join(self.dir_lines) + "\n"
            f"DataDirectory {d}\nNickname {nick}\nPidFile {d}/pid\n"
            f"Log notice file {d}/notice.log\n"
            f"ControlPort 127.0.0.1:{control or free_port()}\n"
            f"SocksPort {f'127.0.0.1:{socks}' if socks else '0'}\n"
        )
        (d / "torrc").write_text(torrc)
        popen = subprocess.Popen(
            [TOR, "-f", str(d / "torrc")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        self.procs.append(_Proc(nick, d, popen))

    def _check_alive(self) -> None:
        dead = [p.name for p in self.procs if p.popen.poll() is not None]
        if dead:
            raise RuntimeError(f"tor processes exited early: {dead}\n" + self.tail_logs())
