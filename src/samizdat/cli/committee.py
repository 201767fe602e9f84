"""Commands of the editorial committee: ``committee secret|dkg1|dkg2|dkg3|commit|sign|
finalize|export`` and ``statement`` (``trust`` is in :mod:`samizdat.cli.trust`).
Each parses arguments, calls
:mod:`samizdat.app.committee` and writes message files; files travel by any channel
and may be given in any order."""

from __future__ import annotations

import os
from pathlib import Path

import click

from samizdat.app import committee as app
from samizdat.cli.context import Context
from samizdat.core.committee_wire import MAX_MESSAGE_BYTES, CommitteeSecret
from samizdat.errors import InputError, UsageError
from samizdat.files import atomic_writer, is_stdout
from samizdat.runtime import system_rng, wall_clock

__all__ = ["register"]

_in_files = click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
_out = click.option("--out", "out", required=True,
                    type=click.Path(dir_okay=False, path_type=Path), help="Message file to write.")


SECRET_ENV = "SAMIZDAT_COMMITTEE_SECRET"  # noqa: S105 (a variable name, not a secret)
"""Where ``dkg1`` looks for the committee secret if ``--secret-file`` is not given;
never a command-line value, which other users could read in the process list."""


def _secret(path: Path | None) -> CommitteeSecret | None:
    if path is not None:
        try:
            with path.open("r", encoding="ascii", errors="replace") as f:
                text = f.read(1024)
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror}") from None
        return CommitteeSecret.parse(text)
    env = os.environ.get(SECRET_ENV)
    if env is None or not env.strip():
        return None
    return CommitteeSecret.parse(env)


def _now() -> int:
    return int(wall_clock())


def _read(paths: tuple[Path, ...]) -> list[bytes]:
    out = []
    for p in paths:
        try:
            with p.open("rb") as f:
                data = f.read(MAX_MESSAGE_BYTES + 1)
        except OSError as exc:
            raise InputError(f"cannot read {p}: {exc.strerror}") from None
        out.append(data)
    return out


def _write(path: Path, data: bytes) -> None:
    """Write atomically, so a half-written message file never exists."""
    if not is_stdout(path):
        path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(path) as f:
        f.write(data)


@click.group("committee")
def committee() -> None:
    """Editorial committee: k of n members sign with ONE key, no dealer.

    Key generation: dkg1, dkg2, dkg3 (all n members). Signing a version: commit,
    sign, finalize (any k members); then, for minisign's trusted comment, sign and
    finalize once more with the final file.
    """


@committee.command("secret")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the secret to this file (mode 0600) instead of printing it.")
@click.pass_obj
def secret(ctx: Context, out: Path | None) -> None:
    """A fresh committee secret: share it with every member in person, then give it
    to 'dkg1' with --secret-file or SAMIZDAT_COMMITTEE_SECRET. It seals the
    committee's message files so that couriers carry random-looking bytes."""
    code = CommitteeSecret.generate(system_rng).danger_real_secret_string()
    if out is None:
        ctx.emit({"secret": code}, code)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UsageError(f"{out} already exists", hint="pick another file name") from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(code + "\n")
    ctx.emit({"out": str(out)}, f"committee secret written to {out} (share it in person)")


@committee.command("dkg1")
@click.argument("name")
@click.option("--n", "n", type=int, required=True, help="Number of members.")
@click.option("--k", "k", type=int, required=True, help="Members needed to sign.")
@click.option("--index", type=int, required=True, help="This member's index (1..n).")
@click.option("--restart", is_flag=True, help="Start an unfinished key generation again.")
@click.option("--secret-file", type=click.Path(dir_okay=False, path_type=Path),
              help=f"File holding the committee secret (else ${SECRET_ENV}).")
@_out
@click.pass_obj
def dkg1(ctx: Context, name: str, n: int, k: int, index: int, restart: bool,
         secret_file: Path | None, out: Path) -> None:
    """Round 1 of key generation: this member's broadcast message.

    With the committee secret (from 'committee secret') every message file of this
    member is sealed; the store keeps the secret's key for the later commands.
    """
    code = _secret(secret_file)
    store = ctx.store()
    msg = app.dkg1(store, name, n, k, index, system_rng, _now(), restart=restart,
                   secret=code)
    if code is None and not app.status(store, name).sealed:
        ctx.note("warning: no committee secret; message files are readable by couriers")
    _write(out, msg)
    ctx.emit({"committee": name, "out": str(out)}, f"round-1 message written to {out}")


@committee.command("dkg2")
@click.argument("name")
@_in_files
@_out
@click.pass_obj
def dkg2(ctx: Context, name: str, files: tuple[Path, ...], out: Path) -> None:
    """Round 2: check every round-1 message; shares sealed to each member."""
    msg = app.dkg2(ctx.store(), name, _read(files), _now(), system_rng)
    _write(out, msg)
    ctx.emit({"committee": name, "out": str(out)}, f"round-2 message written to {out}")


@committee.command("dkg3")
@click.argument("name")
@_in_files
@click.pass_obj
def dkg3(ctx: Context, name: str, files: tuple[Path, ...]) -> None:
    """Finish: check the shares sent to this member; print the group key.

    Compare the group key with the other members in person: equal keys mean
    everyone saw the same messages.
    """
    key = app.dkg3(ctx.store(), name, _read(files), _now())
    ctx.emit({"committee": key.committee, "group_key": key.group_key.hex(), "k": key.k,
              "n": key.n}, f"committee {name}: group key {key.group_key.hex()}")


@committee.command("commit")
@click.argument("name")
@_out
@click.pass_obj
def commit(ctx: Context, name: str, out: Path) -> None:
    """Signing round 1: single-use nonces kept in the store."""
    _write(out, app.commit(ctx.store(), name, system_rng, _now()))
    ctx.emit({"committee": name, "out": str(out)}, f"commitment written to {out}")


@committee.command("sign")
@click.argument("name")
@click.argument("ver")
@_in_files
@_out
@click.pass_obj
def sign(ctx: Context, name: str, ver: str, files: tuple[Path, ...], out: Path) -> None:
    """Signing round 2: this member's share on VER's statement (give the final file
    too for the second, trusted-comment round)."""
    store = ctx.store()
    version = store.find_version(ver)
    _write(out, app.sign(store, name, version, _read(files), system_rng))
    ctx.emit({"committee": name, "version": version.hex(), "out": str(out)},
             f"signature share written to {out}")


@committee.command("finalize")
@click.argument("name")
@click.argument("ver")
@_in_files
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the final file, for the signers' second round.")
@click.pass_obj
def finalize(ctx: Context, name: str, ver: str, files: tuple[Path, ...],
             out: Path | None) -> None:
    """Aggregate and check the shares; record VER as final."""
    store = ctx.store()
    version = store.find_version(ver)
    final = app.finalize(store, name, version, _read(files), system_rng)
    if out is not None:
        _write(out, final.final_file)
    human = f"version {final.version.hex()} is final; signature {final.signature.hex()}"
    if not final.minisign_ready:
        human += "\n(for minisign: each signer runs 'committee sign' again with the final file)"
    ctx.emit({"version": final.version.hex(), "signature": final.signature.hex(),
              "minisign_ready": final.minisign_ready}, human)


@committee.command("status")
@click.argument("name")
@click.pass_obj
def status(ctx: Context, name: str) -> None:
    """This member's state in committee NAME (no secret is shown)."""
    info = app.status(ctx.store(), name)
    data: dict[str, object] = {
        "committee": info.committee, "state": info.state.value, "index": info.index,
        "n": info.n, "k": info.k,
    }
    if info.group_key is not None:
        data["group_key"] = info.group_key.hex()
    ctx.emit({**data, "unused_nonces": info.unused_nonces, "sealed": info.sealed})


@committee.command("export")
@click.argument("name")
@_out
@click.pass_obj
def export(ctx: Context, name: str, out: Path) -> None:
    """The committee's public key file (minisign format), for 'trust add'."""
    text = app.export(ctx.store(), name)
    _write(out, text.encode())
    ctx.emit({"committee": name, "out": str(out)}, f"public key written to {out}")


@click.command("statement")
@click.argument("ver")
@click.option("--out-dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def statement(ctx: Context, ver: str, out_dir: Path) -> None:
    """Write statement.txt, text.txt, statement.txt.sig (signify, after one signing
    round), committee.pub, committee.sig.pub, committee.pem and, after the second
    round, statement.txt.minisig."""
    store = ctx.store()
    version = store.find_version(ver)
    files = app.statement_files(store, version)
    for fname, data in files.items():
        _write(out_dir / fname, data)
    if "statement.txt.minisig" not in files:
        ctx.note("no statement.txt.minisig yet: the trusted-comment round is not finished")
    ctx.emit({"version": version.hex(), "files": sorted(files)},
             f"statement written to {out_dir}")


def register(group: click.Group) -> None:
    group.add_command(committee)
    group.add_command(statement)
