"""`keys reencrypt` and `keys device-hash-key`: rotating the secret key after a leak."""

from __future__ import annotations

import argparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.cli.context import AppContext
from wifidesa.cli.parser import add_subcommands
from wifidesa.crypto import SecretBox
from wifidesa.db.models import Router


def reencrypt_router_secrets(*, session: Session, box: SecretBox) -> int:
    """Encrypt every router's RADIUS secret and RouterOS API password again with the current
    key (each read with any key of the ring); how many were rewritten. One that no key opens
    raises UNDECRYPTABLE_SECRET, and the caller's transaction writes none."""
    count = 0
    for router in session.scalars(select(Router).order_by(Router.id)):
        router.secret_enc = box.reencrypt(router.secret_enc)
        count += 1
        if router.api_password_enc:
            router.api_password_enc = box.reencrypt(router.api_password_enc)
            count += 1
    return count


def cmd_keys(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.keys_command == "device-hash-key":
        # The operator's copy, printed once and only here: never logged.
        print(ctx.box.device_hash_key)
        return 0
    with ctx.transaction() as session:
        count = reencrypt_router_secrets(session=session, box=ctx.box)
    print(f"{count} stored secrets re-encrypted with WIFIDESA_SECRET_KEY")
    if ctx.settings.old_secret_key_list:
        print("WIFIDESA_OLD_SECRET_KEYS can now be removed")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("keys", help="key rotation: reencrypt, device-hash-key")
    sub = add_subcommands(p, "keys_command")
    sub.add_parser(
        "reencrypt",
        help="encrypt every stored secret with WIFIDESA_SECRET_KEY (read with any old key)",
    )
    pin = sub.add_parser(
        "device-hash-key",
        help="print the device-hash key in use, to pin as WIFIDESA_DEVICE_HASH_KEY",
    )
    pin.set_defaults(needs_schema=False)
    p.set_defaults(func=cmd_keys)
