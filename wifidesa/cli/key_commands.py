"""`keys reencrypt` and `keys device-hash-key`: rotating the secret key after a leak."""

from __future__ import annotations

import argparse

from wifidesa.admin.scope import OPERATOR
from wifidesa.cli.context import AppContext
from wifidesa.cli.parser import add_subcommands
from wifidesa.places.routers import reencrypt_secrets


def cmd_keys(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.keys_command == "device-hash-key":
        # The operator's copy, printed once and only here: never logged.
        print(ctx.box.device_hash_key)
        return 0
    with ctx.transaction() as session:
        count = reencrypt_secrets(session=session, scope=OPERATOR, box=ctx.box)
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
