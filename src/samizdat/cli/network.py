"""Commands of the friend-to-friend network: ``contact``, ``share``/``unshare``,
``node run`` and ``sync`` (see ``docs/network.md``)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from samizdat.cli.codes import code_text
from samizdat.cli.context import Context
from samizdat.errors import NetworkError, NotFound, UsageError
from samizdat.runtime import system_rng, wall_clock

__all__ = ["register"]


def _now() -> int:
    return int(wall_clock())


def _setup_logging(debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    if not debug:  # asyncio's own chatter ("eof_received()...") says nothing useful
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)


# ------------------------------------------------------------------ contacts


@click.group("contact")
def contact_group() -> None:
    """Add, list and remove contacts (the only nodes yours talks to)."""


@contact_group.command("invite")
@click.option("--address", help="HOST:PORT or ONION:PORT to put in the invite "
              "(default: where 'node run' last listened).")
@click.option("--ttl", type=click.IntRange(60, 30 * 24 * 3600), default=24 * 3600,
              show_default=True, help="Seconds until the invite expires.")
@click.option("--no-qr", is_flag=True, help="Do not draw the QR code.")
@click.option("--courier", is_flag=True,
              help="The one who accepts becomes your courier: sealed shards only.")
@click.pass_obj
def contact_invite(
    ctx: Context, address: str | None, ttl: int, no_qr: bool, courier: bool
) -> None:
    """Make a single-use invite code (also drawn as a QR code). Your node must be
    running to answer it."""
    from samizdat.app import network

    code, expires = network.create_invite(
        ctx.store(), system_rng, _now(), address=address, ttl=ttl, wait=10.0,
        role="courier" if courier else "reader",
    )

    def human(console: object) -> None:
        click.echo(code)
        if not no_qr:
            import segno

            segno.make(code.upper(), error="m").terminal(compact=True)
        click.echo(f"single use; expires in {ttl // 3600} h {ttl % 3600 // 60} min", err=True)

    ctx.emit({"code": code, "expires": expires}, human)


@contact_group.command("accept")
@click.argument("code", required=False)
@click.option("--code-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Read the invite code from this file ('-': standard input).")
@click.option("--courier", is_flag=True,
              help="The inviter becomes your courier: sealed shards only.")
@click.pass_obj
def contact_accept(
    ctx: Context, code: str | None, code_file: Path | None, courier: bool
) -> None:
    """Answer an invite code: reach the inviter and add each other.

    The code is read from CODE, from --code-file FILE, from standard input (CODE
    '-') or from SAMIZDAT_INVITE. A file, standard input or the variable is better
    than CODE: a command line can be read by every user of this machine and stays
    in the shell's history, and the invite works only once.
    """
    from samizdat.app import network
    from samizdat.core import codes

    text = code_text(codes.INVITE, value=code, file=code_file, env_var="SAMIZDAT_INVITE")
    if text is None:
        raise UsageError("an invite code is needed",
                         hint="give it with --code-file FILE, '-' (standard input), "
                         "SAMIZDAT_INVITE or as CODE")
    if code is not None and code != "-":
        ctx.note("note: an invite on the command line can be seen by other users of this "
                 "machine; next time use --code-file or '-'")
    contact = network.accept_invite(
        ctx.store(), text, system_rng, _now(), socks=network.socks_from_env(),
        role="courier" if courier else "reader",
    )
    ctx.emit(
        {"contact": contact.id, "fingerprint": contact.fingerprint, "role": contact.role},
        f"added contact {contact.id} (fingerprint {contact.fingerprint})",
    )


@contact_group.command("list")
@click.pass_obj
def contact_list(ctx: Context) -> None:
    """Show your contacts."""
    from samizdat.app import network

    contacts = network.contacts(ctx.store())
    rows = [
        {"id": c.id, "fingerprint": c.fingerprint, "address": c.address, "added": c.added,
         "role": c.role}
        for c in contacts
    ]

    def human(console: object) -> None:
        if not rows:
            click.echo("no contacts yet (see 'samizdat contact invite')")
        for r in rows:
            click.echo(f"{r['id']:>4}  {r['fingerprint']}  {r['role']:<7}  "
                       f"{r['address'] or '-'}")

    ctx.emit({"contacts": rows}, human)


@contact_group.command("role")
@click.argument("contact_id")
@click.argument("role", type=click.Choice(["reader", "courier"]))
@click.pass_obj
def contact_role(ctx: Context, contact_id: str, role: str) -> None:
    """Make a contact a reader (gets copies and tickets) or a courier (gets sealed
    shards it cannot open, and never a capability)."""
    from samizdat.app import network

    contact = network.set_role(ctx.store(), contact_id, role)
    ctx.emit({"contact": contact.id, "role": contact.role},
             f"contact {contact.id} is now a {contact.role}")


@contact_group.command("remove")
@click.argument("contact_id")
@click.pass_obj
def contact_remove(ctx: Context, contact_id: str) -> None:
    """Remove a contact: their next connection is refused in the TLS handshake."""
    from samizdat.app import network

    contact = network.remove_contact(ctx.store(), contact_id)
    ctx.emit({"removed": contact.id}, f"removed contact {contact.id}")


# -------------------------------------------------------------------- shares


def _version(ctx: Context, ref: str) -> bytes:
    try:
        return ctx.store().find_version(ref)
    except NotFound:
        from samizdat.app.documents import version_for

        return version_for(ctx.store(), ref)


@click.command("share")
@click.argument("ver")
@click.option("--public", is_flag=True,
              help="Give VER to readers too (by every transport), although no committee "
              "made it final: a circle's draft is otherwise kept to the circle.")
@click.pass_obj
def share_cmd(ctx: Context, ver: str, public: bool) -> None:
    """Pass VER along to your contacts (and let them pass it on)."""
    from samizdat.app import network

    version_id = _version(ctx, ver)
    if public:
        from samizdat.app import circle

        circle.make_public(ctx.store(), version_id, _now())
    name = network.share(ctx.store(), version_id, _now(), system_rng)
    human = f"sharing {version_id.hex()[:16]}" + (
        "" if name is None else f" with circle {name!r} only, sealed to it")
    ctx.emit({"version": version_id.hex(), "shared": True, "circle": name} | (
             {"public": True} if public else {}), human)


@click.command("unshare")
@click.argument("ver")
@click.pass_obj
def unshare_cmd(ctx: Context, ver: str) -> None:
    """Stop passing VER along (copies already handed over stay where they are)."""
    from samizdat.app import network

    version_id = _version(ctx, ver)
    was = network.unshare(ctx.store(), version_id)
    ctx.emit({"version": version_id.hex(), "shared": False, "was_shared": was},
             f"no longer sharing {version_id.hex()[:16]}")


# ------------------------------------------------------------------- tickets


@click.group("ticket")
def ticket_group() -> None:
    """Tickets: what lets a reader rebuild a copy from the shards couriers carry."""


@ticket_group.command("export")
@click.argument("ver")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write the ticket to (it holds the read capability: a secret).")
@click.pass_obj
def ticket_export(ctx: Context, ver: str, out: Path) -> None:
    """Write the ticket of VER, to hand to a reader in person: with it, their node
    rebuilds the text from any k shards its couriers carry."""
    from samizdat.app import couriers
    from samizdat.core.tickets import decode_ticket
    from samizdat.files import atomic_writer

    version_id = _version(ctx, ver)
    data = couriers.ticket_for(ctx.store(), version_id, system_rng, _now())
    with atomic_writer(out, mode=0o600) as f:
        f.write(data)
    cap = decode_ticket(data).cap
    ctx.emit({"version": version_id.hex(), "file": str(out), "k": cap.k, "n": cap.n},
             f"ticket for {version_id.hex()[:16]} ({cap.k} of {cap.n} shards) in {out}")


@ticket_group.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def ticket_add(ctx: Context, file: Path) -> None:
    """Keep a ticket you were handed; your node then asks its couriers for the
    shards and rebuilds the text once k of them are here."""
    from samizdat.app import couriers
    from samizdat.errors import InputError

    data = file.read_bytes()
    if len(data) > 64 * 1024:
        raise InputError("that file is too large to be a ticket")
    record, rebuilt = couriers.add_ticket(ctx.store(), data, _now())
    vid = record.ticket.version_id.hex()
    ctx.emit({"version": vid, "rebuilt": rebuilt},
             f"ticket kept for {vid[:16]}" + ("; rebuilt from shards here" if rebuilt else ""))


# ---------------------------------------------------------------------- node


@click.group("node")
def node_group() -> None:
    """Run this person's node."""


@node_group.command("run")
@click.option("--listen", default=None,
              help="HOST:PORT to listen on (port 0: any free port). Default: the port "
              "this node used last time on 127.0.0.1 (contacts know it), else any.")
@click.option("--advertise", help="HOST:PORT to give contacts, if not the listening one.")
@click.option("--tor", "use_tor", is_flag=True,
              help="Publish an onion service and reach .onion contacts through Tor.")
@click.option("--tor-control", default=lambda: os.environ.get("SAMIZDAT_TOR_CONTROL", "9051"),
              help="Tor's ControlPort (env SAMIZDAT_TOR_CONTROL).")
@click.option("--interval", type=click.FloatRange(0.2, 86400), default=30.0,
              show_default=True, help="Seconds between rounds of syncing with every contact.")
@click.pass_obj
def node_run(
    ctx: Context, listen: str | None, advertise: str | None, use_tor: bool, tor_control: str,
    interval: float,
) -> None:
    """Serve contacts and invites until SIGTERM; syncs with every contact each round."""
    from samizdat.app import network

    _setup_logging(ctx.debug)
    options = network.NodeOptions(listen=listen, advertise=advertise, tor=use_tor,
                                  tor_control=tor_control, interval=interval, debug=ctx.debug)

    def ready(address: str, port: int) -> None:
        ctx.emit({"address": address, "port": port},
                 f"node running; contacts reach it at {address}")

    totals = network.run_node(ctx.store(), system_rng, _now, options, on_ready=ready)
    ctx.note(f"node stopped: {totals.sent} sent, {totals.received} received")


# ---------------------------------------------------------------------- sync


@click.command("sync")
@click.argument("contact", required=False)
@click.pass_obj
def sync_cmd(ctx: Context, contact: str | None) -> None:
    """One exchange now with CONTACT (id or fingerprint prefix), or with every contact."""
    from samizdat.app import network

    store = ctx.store()
    contacts = network.contacts(store, contact)
    if not contacts:
        raise UsageError("no contacts yet", hint="see 'samizdat contact invite'")
    result = network.sync(
        store, system_rng, _now, contacts, socks=network.socks_from_env(), progress=ctx.note
    )
    if result.reached == 0:
        raise NetworkError("no contact could be reached", hint="is their node running?")
    ctx.emit(
        {"contacts": result.contacts, "reached": result.reached, "sent": result.sent,
         "received": result.received},
        f"reached {result.reached} of {result.contacts} contacts: "
        f"{result.sent} sent, {result.received} received",
    )


def register(group: click.Group) -> None:
    """Add the network commands to the root command."""
    group.add_command(contact_group)
    group.add_command(share_cmd)
    group.add_command(ticket_group)
    group.add_command(unshare_cmd)
    group.add_command(node_group)
    group.add_command(sync_cmd)
