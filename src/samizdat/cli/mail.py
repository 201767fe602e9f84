"""``samizdat mail send`` and ``samizdat mail fetch``: copies by e-mail.

Settings come from flags, else from ``<home>/mail.toml`` (sections ``[smtp]`` and
``[imap]``, see ``docs/mail.md``). Passwords come only from the environment
(``SAMIZDAT_SMTP_PASSWORD``, ``SAMIZDAT_IMAP_PASSWORD``): never argv, where other
users can read them in the process list, and never the config file.
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from samizdat.cli.codes import env_codes
from samizdat.cli.context import Context
from samizdat.core import codes
from samizdat.core.caps import ReadCap
from samizdat.core.crypto import SecretBytes
from samizdat.errors import InputError, UsageError
from samizdat.runtime import system_rng, wall_clock

__all__ = ["register"]

CONFIG_NAME = "mail.toml"


def _config(ctx: Context, section: str) -> dict[str, Any]:
    path = ctx.home / CONFIG_NAME
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read {path}", hint="fix or remove the file") from exc
    value = data.get(section, {})
    if not isinstance(value, dict):
        raise InputError(f"[{section}] in {path} is not a table")
    for key in ("password", "pass"):
        if key in value:
            raise UsageError(
                f"{path} holds a password; samizdat takes passwords only from the environment",
                hint=f"remove it and set SAMIZDAT_{section.upper()}_PASSWORD",
            )
    return value


def _security(flag_starttls: bool, flag_tls: bool, conf: dict[str, Any]) -> str:
    if flag_starttls and flag_tls:
        raise UsageError("choose one of --starttls and --tls")
    if flag_starttls:
        return "starttls"
    if flag_tls:
        return "tls"
    return str(conf.get("security", "none"))  # app/mail.py checks it


def _opt_path(value: Path | None, conf: dict[str, Any]) -> Path | None:
    if value is not None:
        return value
    text = conf.get("cafile")
    return Path(str(text)) if text else None


def _password(var: str, user: str | None) -> SecretBytes | None:
    """The password for ``user`` from ``var``, else asked on the terminal (hidden)
    when there is one; never from argv or the config file."""
    value = os.environ.get(var)
    if not value and user is not None and sys.stdin.isatty():
        value = click.prompt(f"Password for {user}", hide_input=True, err=True)
    return SecretBytes(value.encode("utf-8"), "mail password") if value else None


def _caps(given: Sequence[str]) -> list[ReadCap]:
    """Every ``--cap``, and every read capability among the codes in SAMIZDAT_CAP."""
    texts = [*given, *env_codes(codes.READ_CAP)]
    caps: list[ReadCap] = []
    for text in texts:
        cap = ReadCap.parse(text.strip())
        if cap not in caps:
            caps.append(cap)
    return caps


@click.group("mail")
def mail_group() -> None:
    """Send and receive copies by e-mail (settings: flags or HOME/mail.toml)."""


@mail_group.command("send")
@click.argument("ref", metavar="VER|DOC")
@click.option("--to", "to", required=True, help="The recipient's address.")
@click.option("--from", "sender", help="The From address (default: --user, else --to).")
@click.option("--smtp", "server", metavar="HOST:PORT", help="The SMTP server.")
@click.option("--starttls", is_flag=True, help="Upgrade the connection with STARTTLS.")
@click.option("--tls", is_flag=True, help="Implicit TLS (usually port 465).")
@click.option("--user", help="Log in as USER (password from SAMIZDAT_SMTP_PASSWORD).")
@click.option("--cafile", type=click.Path(dir_okay=False, path_type=Path),
              help="Trust only this CA/certificate file (a self-hosted server).")
@click.option("--subject", help="The subject (default: an everyday one).")
@click.option("--contact", metavar="ID",
              help="Seal the read capability for this contact inside the attachment "
                   "(number or fingerprint from 'contact list') instead of printing it.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the message to this .eml file; without an SMTP "
                   "server, only write it.")
@click.pass_obj
def send_cmd(
    ctx: Context, ref: str, to: str, sender: str | None, server: str | None, starttls: bool,
    tls: bool, user: str | None, cafile: Path | None, subject: str | None,
    contact: str | None, out: Path | None,
) -> None:
    """Mail a sealed copy of VER (or DOC's latest version) to ADDR.

    The message is ordinary: a short everyday text and an attachment. The read
    capability is NOT in it in the clear: it is printed here, for you to give the
    recipient by another channel (in person, on paper, by phone) or, with --contact,
    sealed inside the attachment for that contact alone. A circle's draft goes as a
    circle item that only the circle's members open, and has no capability.
    """
    from samizdat.app import mail as app

    conf = _config(ctx, "smtp")
    server = server or conf.get("server")
    user = user or conf.get("user")
    security = _security(starttls, tls, conf)
    sender = sender or conf.get("from") or (user if user and "@" in user else None) or to
    if not server and out is None:
        raise UsageError(
            "no SMTP server", hint=f"pass --smtp HOST:PORT, or set [smtp] in {CONFIG_NAME}"
        )
    store = ctx.store()
    if server:
        settings = app.smtp_settings(str(server), security, str(user) if user else None,
                                     _opt_path(cafile, conf))
        sent = app.send_copy(
            store, ref, sender=sender, to=to, smtp=settings,
            password=_password("SAMIZDAT_SMTP_PASSWORD", settings.user), rng=system_rng,
            now=int(wall_clock()), subject=subject, save_to=out, contact=contact,
        )
    else:
        assert out is not None
        sent = app.write_copy(store, ref, sender=sender, to=to, path=out, rng=system_rng,
                              now=int(wall_clock()), subject=subject, contact=contact)
    action = "sent" if server else f"written to {escape(str(out))}"
    label = f"{escape(sent.message_id)} ({sent.bytes} bytes) for {escape(to)}"
    data: dict[str, Any] = {"message_id": sent.message_id, "bytes": sent.bytes, "to": to}
    if sent.cap is None:
        data["cap"] = None
        data["circle"] = sent.circle
        ctx.emit(data, f"{action}: {label}\n"
                       f"a draft of circle {escape(str(sent.circle))!r}, sealed to the "
                       "circle: only its members open it, with no capability")
        return
    if sent.sealed_for is not None:
        data["sealed_for"] = sent.sealed_for
        ctx.emit(data, f"{action}: {label}\n"
                       f"the read capability is sealed inside for contact {sent.sealed_for}")
        return
    cap_text = sent.cap.danger_real_capability_string()
    data["cap"] = cap_text
    ctx.emit(
        data,
        f"{action}: {label}\n"
        f"read capability (give it to the recipient by another channel, not by mail):\n"
        f"{cap_text}",
    )


@mail_group.command("fetch")
@click.option("--imap", "server", metavar="HOST:PORT", help="Fetch from this IMAP server.")
@click.option("--starttls", is_flag=True, help="IMAP: upgrade with STARTTLS.")
@click.option("--tls", is_flag=True, help="IMAP: implicit TLS (usually port 993).")
@click.option("--user", help="IMAP user (password from SAMIZDAT_IMAP_PASSWORD).")
@click.option("--cafile", type=click.Path(dir_okay=False, path_type=Path),
              help="Trust only this CA/certificate file (a self-hosted server).")
@click.option("--mailbox", "folder", help="IMAP mailbox (default INBOX).")
@click.option("--mbox", "mboxes", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An mbox file (repeatable).")
@click.option("--maildir", "maildirs", multiple=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A Maildir folder (repeatable).")
@click.option("--eml", "eml", is_flag=True,
              help="FILES are .eml messages (or folders of them).")
@click.argument("files", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--cap", "caps", multiple=True, metavar="CAP",
              help="A read capability to try (repeatable; also SAMIZDAT_CAP, "
                   "which keeps it out of the process list).")
@click.option("--max-attachment", type=click.IntRange(1, 1 << 30), default=32 << 20,
              show_default=True, help="Skip attachments larger than this many bytes.")
@click.pass_obj
def fetch_cmd(
    ctx: Context, server: str | None, starttls: bool, tls: bool, user: str | None,
    cafile: Path | None, folder: str | None, mboxes: tuple[Path, ...],
    maildirs: tuple[Path, ...], eml: bool, files: tuple[Path, ...], caps: tuple[str, ...],
    max_attachment: int,
) -> None:
    """Import every samizdat copy found in mail: an IMAP mailbox, mbox files,
    Maildirs, or .eml files (--eml FILES...).

    Circle items of this store's circles open without a capability. Everything
    else is skipped and counted by reason; a copy is never imported twice. The IMAP
    mailbox is opened read-only.
    """
    from samizdat.app import mail as app

    if files and not eml:
        raise UsageError("say what FILES are", hint="mail fetch --eml FILES...")
    if eml and not files:
        raise UsageError("--eml needs FILES")
    keys = _caps(caps)
    conf = _config(ctx, "imap")
    use_config = not (server or mboxes or maildirs or files)
    if use_config:
        server = conf.get("server")
        if not server:
            raise UsageError(
                "nothing to fetch from",
                hint=f"pass --imap, --mbox, --maildir or --eml FILES, or set [imap] "
                     f"in {CONFIG_NAME}",
            )
    imap = None
    if server:
        imap = app.imap_settings(
            str(server), _security(starttls, tls, conf), user or conf.get("user"),
            folder or str(conf.get("mailbox", "INBOX")), _opt_path(cafile, conf),
        )
    sources = app.MailSources(
        mboxes, maildirs, files, imap,
        lambda: _password("SAMIZDAT_IMAP_PASSWORD", imap.user if imap else None),
    )
    report = app.fetch_from(ctx.store(), sources, keys, system_rng, int(wall_clock()),
                            max_attachment=max_attachment,
                            progress=lambda m: ctx.note(escape(m)))
    imported = [
        {"document": c.document, "version": c.version, "status": c.status, "where": c.where}
        | ({"circle": c.circle} if c.circle is not None else {})
        for c in report.imported
    ]
    skipped = dict(sorted(report.skipped.items()))

    def human(console: Any) -> None:
        console.print(f"{len(imported)} imported from {report.messages} messages")
        for c in report.imported:
            status = c.status if c.circle is None else f"circle {escape(c.circle)}"
            console.print(f"  {c.version} ({status}) from {escape(c.where)}")
        if skipped:
            console.print(
                "skipped: " + ", ".join(f"{n} {r.replace('_', ' ')}" for r, n in skipped.items())
            )
            if ctx.debug:
                for where, reason in report.details:
                    console.print(f"  {escape(where)}: {reason}")

    ctx.emit(
        {"imported": imported, "skipped": skipped, "messages": report.messages}, human
    )


def register(group: click.Group) -> None:
    """Add ``mail`` to the root command."""
    group.add_command(mail_group)
