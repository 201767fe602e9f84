"""The one place samizdat imports cryptography.

Code elsewhere calls these recipes (``sha256``, ``sign``, ``aead_encrypt``...) and
never imports PyNaCl, pyca ``cryptography`` or ``blake3`` itself; the only other
module allowed to is :mod:`samizdat.core.group`, which exposes libsodium's
Ed25519 group operations for FROST.

Nothing here reaches for global randomness: functions that need random bytes take an
``rng`` (a ``Callable[[int], bytes]``) so that tests, the simulator and vectors can
pass a deterministic one. The real one is :func:`samizdat.runtime.system_rng`.

Failures raise :class:`~samizdat.errors.CryptoError` (or its subclass
:class:`~samizdat.errors.BadSignature`); no function answers a failed check with
``False``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Final

import blake3 as _blake3
import nacl.bindings as _sodium
import nacl.exceptions as _nacl_exc
import nacl.public as _nacl_public
import nacl.pwhash.argon2id as _argon2id
from cryptography.exceptions import InvalidTag as _InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305 as _ChaCha

from samizdat.errors import BadSignature, CryptoError

__all__ = [
    "AEAD_KEY_BYTES",
    "AEAD_NONCE_BYTES",
    "AEAD_TAG_BYTES",
    "ARGON2_SALT_BYTES",
    "ED25519_PUBLIC_BYTES",
    "ED25519_SEED_BYTES",
    "ED25519_SIGNATURE_BYTES",
    "MAX_CERTIFICATE_BYTES",
    "Aead",
    "Rng",
    "SecretBytes",
    "aead_decrypt",
    "aead_encrypt",
    "argon2id",
    "blake3_hash",
    "blake3_hasher",
    "box_open",
    "box_seal",
    "certificate_ed25519_key",
    "constant_time_equal",
    "derive_key",
    "ed25519_pair_key",
    "ed25519_public_key",
    "ed25519_sign",
    "ed25519_verify",
    "keyed_hash",
    "keyed_hasher",
    "sha256",
    "sha256_hasher",
    "transport_certificate",
    "x25519_public_key",
]

Rng = Callable[[int], bytes]
"""A source of random bytes: ``rng(n)`` returns ``n`` bytes."""

ED25519_SEED_BYTES: Final = 32
ED25519_PUBLIC_BYTES: Final = 32
ED25519_SIGNATURE_BYTES: Final = 64
AEAD_KEY_BYTES: Final = 32
AEAD_NONCE_BYTES: Final = 12
AEAD_TAG_BYTES: Final = 16
ARGON2_SALT_BYTES: Final = 16


class SecretBytes:
    """Bytes that must never be printed: ``repr`` and ``str`` show only a label.

    Call :meth:`reveal` at the single point where the raw bytes are needed.
    """

    __slots__ = ("_label", "_value")

    def __init__(self, value: bytes, label: str = "secret") -> None:
        self._value = bytes(value)
        self._label = label

    def reveal(self) -> bytes:
        """The raw secret. Never log, print or put it in an exception."""
        return self._value

    def __len__(self) -> int:
        return len(self._value)

    def __repr__(self) -> str:
        return f"<{self._label}: {len(self._value)} bytes, hidden>"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SecretBytes):
            return NotImplemented
        return hmac.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(("SecretBytes", hashlib.sha256(self._value).digest()))

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("secrets are not picklable")


# --------------------------------------------------------------------------- hashes


def sha256(data: bytes) -> bytes:
    """SHA-256 of ``data`` (32 bytes). Used wherever stock tools must agree."""
    return hashlib.sha256(data).digest()


def sha256_hasher() -> hashlib._Hash:
    """An incremental SHA-256, for streams."""
    return hashlib.sha256()


def sha3_256(data: bytes) -> bytes:
    """SHA3-256 (used only where a format outside samizdat fixes it: the checksum
    of a Tor v3 onion address)."""
    return hashlib.sha3_256(data).digest()


def blake3_hash(data: bytes, *, length: int = 32) -> bytes:
    """BLAKE3 of ``data``: the fast hash for internal ids and integrity checks."""
    return bytes(_blake3.blake3(data).digest(length=length))


def blake3_hasher() -> _blake3.blake3:
    """An incremental BLAKE3, for streams."""
    return _blake3.blake3()


def keyed_hasher(key: bytes) -> _blake3.blake3:
    """An incremental keyed BLAKE3 (a streaming MAC), so that a tag can cover a
    header and a large block without copying them into one buffer. ``key`` is 32
    bytes."""
    if len(key) != 32:
        raise CryptoError("keyed hash needs a 32-byte key")
    return _blake3.blake3(key=key)


def keyed_hash(key: bytes, data: bytes, *, length: int = 32) -> bytes:
    """BLAKE3 in keyed mode (a MAC / PRF). ``key`` must be 32 bytes."""
    if len(key) != 32:
        raise CryptoError("keyed hash needs a 32-byte key")
    return bytes(_blake3.blake3(data, key=key).digest(length=length))


def derive_key(context: str, material: bytes, *, length: int = 32) -> bytes:
    """BLAKE3's key derivation mode: a subkey for ``context`` (a fixed, globally
    unique string such as ``"samizdat 2026 envelope key v1"``) from ``material``."""
    return bytes(_blake3.blake3(material, derive_key_context=context).digest(length=length))


def constant_time_equal(a: bytes, b: bytes) -> bool:
    """Compare two byte strings without leaking where they differ."""
    return hmac.compare_digest(a, b)


# ------------------------------------------------------------------------- Ed25519


def ed25519_public_key(seed: bytes) -> bytes:
    """The 32-byte Ed25519 public key for a 32-byte seed (RFC 8032)."""
    if len(seed) != ED25519_SEED_BYTES:
        raise CryptoError("an Ed25519 seed is 32 bytes")
    pk, _sk = _sodium.crypto_sign_seed_keypair(seed)
    return bytes(pk)


def ed25519_sign(seed: bytes, message: bytes) -> bytes:
    """A 64-byte Ed25519 signature of ``message`` by the key with this seed."""
    if len(seed) != ED25519_SEED_BYTES:
        raise CryptoError("an Ed25519 seed is 32 bytes")
    _pk, sk = _sodium.crypto_sign_seed_keypair(seed)
    signed = _sodium.crypto_sign(message, sk)
    return bytes(signed[:ED25519_SIGNATURE_BYTES])


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bytes:
    """Check an Ed25519 signature and return the verified message.

    Raises :class:`BadSignature` when it does not verify (including keys or
    signatures of the wrong length).
    """
    if len(public_key) != ED25519_PUBLIC_BYTES or len(signature) != ED25519_SIGNATURE_BYTES:
        raise BadSignature("signature or key has the wrong length")
    try:
        _sodium.crypto_sign_open(signature + message, public_key)
    except (_nacl_exc.BadSignatureError, _nacl_exc.ValueError, _nacl_exc.TypeError) as exc:
        raise BadSignature("signature does not verify") from exc
    return message


# -------------------------------------------------------------- X25519 sealed boxes


def x25519_public_key(secret: bytes) -> bytes:
    """The X25519 public key for a 32-byte secret."""
    if len(secret) != 32:
        raise CryptoError("an X25519 secret is 32 bytes")
    return bytes(_sodium.crypto_scalarmult_base(secret))


def box_seal(recipient_public: bytes, plaintext: bytes, rng: Rng) -> bytes:
    """Anonymous public-key encryption to an X25519 key, byte for byte libsodium's
    sealed box (``crypto_box_seal``; :func:`box_open` opens it), with the ephemeral
    key pair made from ``rng`` like every other random choice in ``core/``:

        esk, epk = crypto_box_seed_keypair(rng(32))
        nonce    = BLAKE2b-192(epk || recipient_public)
        box      = epk || crypto_box(plaintext, nonce, recipient_public, esk)

    So the same ``rng`` gives the same box (tests and vectors can be replayed), and
    a good ``rng`` gives what ``crypto_box_seal`` gives.
    """
    if len(recipient_public) != _sodium.crypto_box_PUBLICKEYBYTES:
        raise CryptoError("cannot encrypt to this key")
    seed = rng(_sodium.crypto_box_SEEDBYTES)
    epk, esk = _sodium.crypto_box_seed_keypair(seed)
    nonce = hashlib.blake2b(epk + recipient_public,
                            digest_size=_sodium.crypto_box_NONCEBYTES).digest()
    try:
        return bytes(epk) + bytes(_sodium.crypto_box(plaintext, nonce, recipient_public, esk))
    except (_nacl_exc.CryptoError, _nacl_exc.ValueError, _nacl_exc.TypeError) as exc:
        raise CryptoError("cannot encrypt to this key") from exc


def box_open(recipient_secret: bytes, ciphertext: bytes) -> bytes:
    """Open a sealed box; :class:`CryptoError` if it was not for this key or was
    changed."""
    try:
        box = _nacl_public.SealedBox(_nacl_public.PrivateKey(recipient_secret))
        return bytes(box.decrypt(ciphertext))
    except (_nacl_exc.CryptoError, _nacl_exc.ValueError, _nacl_exc.TypeError) as exc:
        raise CryptoError("sealed message cannot be opened with this key") from exc


def ed25519_pair_key(own_seed: bytes, peer_public: bytes, context: str) -> bytes:
    """A 32-byte key that the holders of two Ed25519 keys share, for ``context``.

    X25519 between the keys in Montgomery form (libsodium's
    ``crypto_sign_ed25519_*_to_curve25519``), then BLAKE3 derive-key over the shared
    point and both public keys in sorted order: either side computes the same key
    from its own seed and the other's public key, nobody else can. Low-order or
    invalid public keys raise :class:`CryptoError`.
    """
    if len(own_seed) != ED25519_SEED_BYTES or len(peer_public) != ED25519_PUBLIC_BYTES:
        raise CryptoError("an Ed25519 seed and public key are 32 bytes each")
    own_public, own_secret = _sodium.crypto_sign_seed_keypair(own_seed)
    try:
        x_secret = _sodium.crypto_sign_ed25519_sk_to_curve25519(own_secret)
        x_public = _sodium.crypto_sign_ed25519_pk_to_curve25519(peer_public)
        shared = bytes(_sodium.crypto_scalarmult(x_secret, x_public))
    except (_nacl_exc.RuntimeError, _nacl_exc.ValueError, _nacl_exc.TypeError) as exc:
        raise CryptoError("cannot agree a key with this public key") from exc
    if shared == bytes(32):
        raise CryptoError("cannot agree a key with this public key")
    low, high = sorted((bytes(own_public), peer_public))
    return derive_key(context, shared + low + high)


# ---------------------------------------------------------------------- bulk AEAD


class Aead:
    """ChaCha20-Poly1305 (IETF, 12-byte nonce) under one key, for bulk data.

    Keep one instance per key when encrypting many chunks: the key schedule is done
    once. The caller owns nonce uniqueness (envelopes use a fresh random key and a
    chunk counter as nonce).
    """

    __slots__ = ("_cipher",)

    def __init__(self, key: bytes) -> None:
        if len(key) != AEAD_KEY_BYTES:
            raise CryptoError("an AEAD key is 32 bytes")
        self._cipher = _ChaCha(key)

    def __repr__(self) -> str:
        return "<Aead: key hidden>"

    def encrypt(self, nonce: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
        """Ciphertext followed by a 16-byte tag."""
        return self._cipher.encrypt(nonce, plaintext, aad)

    def decrypt(self, nonce: bytes, ciphertext: bytes, aad: bytes = b"") -> bytes:
        """The plaintext, or :class:`CryptoError` if anything was changed."""
        try:
            return self._cipher.decrypt(nonce, ciphertext, aad)
        except (_InvalidTag, ValueError) as exc:
            raise CryptoError("encrypted data was changed or the key is wrong") from exc


def aead_encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
    """One-shot :meth:`Aead.encrypt`."""
    return Aead(key).encrypt(nonce, plaintext, aad)


def aead_decrypt(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes = b"") -> bytes:
    """One-shot :meth:`Aead.decrypt`."""
    return Aead(key).decrypt(nonce, ciphertext, aad)


# --------------------------------------------------------------------- passphrases


def argon2id(passphrase: bytes, salt: bytes, *, opslimit: int, memlimit: int) -> bytes:
    """A 32-byte key from a passphrase with libsodium's Argon2id."""
    if len(salt) != ARGON2_SALT_BYTES:
        raise CryptoError("an Argon2id salt is 16 bytes")
    return bytes(
        _argon2id.kdf(32, passphrase, salt, opslimit=opslimit, memlimit=memlimit)
    )


ARGON2_INTERACTIVE: Final = (_argon2id.OPSLIMIT_INTERACTIVE, _argon2id.MEMLIMIT_INTERACTIVE)
ARGON2_MODERATE: Final = (_argon2id.OPSLIMIT_MODERATE, _argon2id.MEMLIMIT_MODERATE)
ARGON2_MIN: Final = (_argon2id.OPSLIMIT_MIN, _argon2id.MEMLIMIT_MIN)


# ------------------------------------------------------- TLS transport certificates
# Added for transports/tls.py: the stdlib ``ssl`` module speaks TLS 1.3 but cannot
# make certificates, and only this module may import pyca ``cryptography``.

_CERT_NOT_BEFORE: Final = (2000, 1, 1)
_CERT_NOT_AFTER: Final = (9999, 12, 31)
MAX_CERTIFICATE_BYTES: Final = 2048


def transport_certificate(seed: bytes) -> tuple[bytes, SecretBytes]:
    """A self-signed X.509 certificate (DER) for the Ed25519 key with this seed, and the
    private key as PKCS#8 PEM (wrapped so it stays out of ``repr``).

    The certificate is a pure function of the seed (fixed names, serial and validity;
    Ed25519 signatures are deterministic), so a node's certificate never changes and a
    contact can pin it byte for byte. The names carry nothing about the person: the
    subject is ``samizdat`` and a hash of the key.
    """
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.x509.oid import NameOID

    if len(seed) != ED25519_SEED_BYTES:
        raise CryptoError("an Ed25519 seed is 32 bytes")
    key = Ed25519PrivateKey.from_private_bytes(seed)
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    # the name must differ per key: OpenSSL finds a trust anchor by subject name, and
    # with several contacts under one name it would try the wrong certificate
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "samizdat " + sha256(public)[:16].hex())]
    )
    utc = datetime.UTC
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(sha256(public)[:8], "big") >> 1 or 1)
        .not_valid_before(datetime.datetime(*_CERT_NOT_BEFORE, tzinfo=utc))
        .not_valid_after(datetime.datetime(*_CERT_NOT_AFTER, 23, 59, 59, tzinfo=utc))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, None)
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.DER), SecretBytes(key_pem, "tls key")


def certificate_ed25519_key(cert_der: bytes) -> bytes:
    """The raw 32-byte Ed25519 public key inside a DER certificate, after checking the
    certificate's self-signature.

    Raises :class:`CryptoError` for anything else: not DER, not Ed25519, too large, or
    a signature that does not verify.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not cert_der or len(cert_der) > MAX_CERTIFICATE_BYTES:
        raise CryptoError("a transport certificate is missing or too large")
    try:
        cert = x509.load_der_x509_certificate(cert_der)
        public = cert.public_key()
    except (ValueError, TypeError) as exc:
        raise CryptoError("not a transport certificate") from exc
    if not isinstance(public, Ed25519PublicKey):
        raise CryptoError("a transport certificate must hold an Ed25519 key")
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    ed25519_verify(raw, cert.tbs_certificate_bytes, cert.signature)
    return raw
