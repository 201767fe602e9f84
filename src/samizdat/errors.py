"""One error tree for the whole of samizdat, written for the person at the keyboard.

Every failure the code can foresee is a :class:`SamizdatError`. The command line
prints ``message`` (and ``hint`` when there is one) as one line on stderr and exits
with ``exit_code``; it never shows a traceback for these. Messages never contain
secrets (passphrases, keys, read capabilities), nor the text of a document.

::

    SamizdatError                 exit 3 unless said otherwise
    ├── UsageError                exit 2: the command line itself is wrong
    │   └── AddressError          not HOST:PORT
    ├── VerificationFailed        exit 1: a check answered "no" (altered, forged,
    │   │                                 unknown, not enough shards)
    │   └── NotEnoughShards
    ├── InputError                a file or message given to us is unusable
    │   ├── DecodeError           malformed, truncated, oversized or hostile bytes
    │   │   └── WrongCode         a code of another kind than the one asked for
    │   └── TextError             not text (binary, bad UTF-8, empty, too large)
    ├── CryptoError
    │   └── BadSignature
    ├── StoreError
    │   ├── WrongPassphrase
    │   ├── NotAStore             missing, not ours, truncated beyond repair
    │   ├── StoreExists
    │   └── StoreWiped
    ├── NotFound                  an id or prefix that names nothing (or several things)
    ├── ProtocolError             a protocol rule was broken
    │   ├── RemoteProtocolError   by the peer: the only kind that cuts a contact off
    │   └── LocalProtocolError    by our own code driving a machine wrongly (a bug)
    ├── NetworkError              a peer or server could not be reached
    └── MissingExtra              an optional part is not installed

Checks never answer with ``None`` or ``False``: they return what they verified or
raise one of these.
"""

from __future__ import annotations

__all__ = [
    "AddressError",
    "BadSignature",
    "CryptoError",
    "DecodeError",
    "InputError",
    "LocalProtocolError",
    "MissingExtra",
    "NetworkError",
    "NotAStore",
    "NotEnoughShards",
    "NotFound",
    "ProtocolError",
    "RemoteProtocolError",
    "SamizdatError",
    "StoreError",
    "StoreExists",
    "StoreWiped",
    "TextError",
    "UsageError",
    "VerificationFailed",
    "WrongCode",
    "WrongPassphrase",
]


class SamizdatError(Exception):
    """Root of every error samizdat raises on purpose.

    ``message`` is one line for a person; ``hint`` (optional) says what to try next.
    """

    exit_code: int = 3
    default_hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint

    def one_line(self) -> str:
        """The message and hint joined into the single line the CLI prints."""
        text = " ".join(self.message.split())
        if self.hint:
            text += f" (hint: {' '.join(self.hint.split())})"
        return text


class UsageError(SamizdatError):
    """The command line asks for something impossible (k > n, a bad flag value...)."""

    exit_code = 2


class AddressError(UsageError, ValueError):
    """Not a ``HOST:PORT`` (``core/address.py``, the one parser). Also a
    :class:`ValueError`, for code that checks an address it read itself."""


class VerificationFailed(SamizdatError):
    """A check was carried out and its answer is no."""

    exit_code = 1


class NotEnoughShards(VerificationFailed):
    """Fewer than k good shards of an envelope were found."""


class InputError(SamizdatError):
    """A file, message or argument handed to us cannot be used."""


class DecodeError(InputError):
    """Bytes that do not follow the format they claim to: malformed, truncated,
    oversized or hostile. Decoders raise this and nothing else."""


class WrongCode(DecodeError):
    """A hand-held code of another kind than the one asked for: an invite pasted
    where a read capability belongs, a read capability given as a dead-drop key.
    The message names both kinds; the code itself is never repeated."""


class TextError(InputError):
    """The input is not a text samizdat can take: binary, invalid UTF-8, empty, or
    larger than the limit."""


class CryptoError(SamizdatError):
    """A cryptographic check failed."""


class BadSignature(CryptoError):
    """A signature does not verify under the key it claims."""


class StoreError(SamizdatError):
    """The encrypted store cannot be used as asked."""


class WrongPassphrase(StoreError):
    """The passphrase opens no key slot of this store.

    Most likely a typing mistake, or SAMIZDAT_PASSPHRASE is set for another store.
    Nothing in the store was changed.
    """

    default_hint = "check SAMIZDAT_PASSPHRASE or --home; nothing was changed"


class NotAStore(StoreError):
    """There is no samizdat store here, or the files are not ours or are truncated."""

    default_hint = "run 'samizdat init' or pass the right --home"


class StoreExists(StoreError):
    """``init`` was asked to create a store where one already is."""


class StoreWiped(StoreError):
    """The store's keys were destroyed; nothing in it can be read again."""


class NotFound(SamizdatError):
    """An id, prefix or name that matches nothing, or more than one thing."""


class ProtocolError(SamizdatError):
    """A protocol rule was broken. Code that cannot tell who broke it raises this;
    the sans-io machines raise one of the two kinds below."""


class RemoteProtocolError(ProtocolError):
    """The peer sent something the protocol does not allow. The session is over and
    the driver cuts that contact off (and only that contact)."""


class LocalProtocolError(ProtocolError):
    """Our own code drove a machine wrongly (asked for an item twice, answered before
    being asked). A bug: it is raised to the caller and never cuts a contact off."""


class NetworkError(SamizdatError):
    """A peer, relay or server could not be reached or went away."""


class MissingExtra(SamizdatError):
    """An optional part of samizdat is needed but not installed."""

    def __init__(self, what: str, extra: str) -> None:
        super().__init__(
            f"{what} needs the optional part '{extra}'",
            hint=f"pip install 'samizdat[{extra}]'",
        )
