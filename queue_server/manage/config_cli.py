"""`python -m queue_server staff add|remove|password` and `device add|remove|token`: staff and
devices added to the hall configuration file without editing the TOML by hand (issue 18).

Passwords are read as one line on stdin (as `hash-password` does; hidden when stdin is a
terminal) and only their argon2 hash is written. A device's token is made here, only its
sha256 is written, and the token is printed once, by `device add` and `device token`. The
edited file is checked with the server's loader before it replaces the old one (config_edit.py).
The server reads its config only at start: each change needs `systemctl restart queue-server`.
Exit codes: 0 done, 2 refused (the file unchanged).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

COMMANDS = ("staff", "device")

RESTART = "the server reads its config only at start: restart it to apply (systemctl restart queue-server)"

# Where a new token goes, by device kind.
TOKEN_HOME = {
    "kiosk": 'on the kiosk: /etc/hall-queue/kiosk.token (root:kiosk 0640), named by token_file in its kiosk.toml',
    "display": "on the screen: /etc/hall-queue/display.token (root:hall-display 0640), named by token_file",
    "evaluator": "in the evaluator tablet's page address: /evaluate/window/{window}?hall={hall}&token=TOKEN",
    "integration": "to the platform's operators: it sends it as Authorization: Bearer …; keep it out of mail and chat",
}


def add_command(sub: Any) -> None:
    staff = sub.add_parser("staff", help="工作人员: add, remove or re-password staff in the hall config")
    staff_actions = staff.add_subparsers(dest="config_action", required=True)
    add = staff_actions.add_parser("add", help="add a [[halls.staff]] entry (password: one line on stdin)")
    _common(add)
    add.add_argument("--name", required=True)
    add.add_argument("--windows", default="", help="comma-separated window ids, e.g. W03,W04")
    add.add_argument("--role", choices=["staff", "manager"], default="staff")
    _common(staff_actions.add_parser("remove", help="delete a staff member's entry"))
    _common(staff_actions.add_parser("password", help="set a new password (one line on stdin)"))

    device = sub.add_parser("device", help="设备: add, remove or give a new token to a device in the hall config")
    device_actions = device.add_subparsers(dest="config_action", required=True)
    add = device_actions.add_parser("add", help="add a [[halls.devices]] entry and print its token once")
    _common(add)
    add.add_argument("--kind", required=True, help="kiosk, display, integration or evaluator")
    add.add_argument("--name", default="")
    _common(device_actions.add_parser("remove", help="delete a device's entry (its token stops working)"))
    _common(device_actions.add_parser("token", help="a new token (the old one stops working); printed once"))


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, help="hall configuration (TOML), edited in place")
    parser.add_argument("--hall", required=True)
    parser.add_argument("--id", required=True, dest="entry_id")


def run(args: argparse.Namespace) -> int:
    from .config_edit import EditError

    try:
        return _run(args)
    except EditError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from ..security.passwords import hash_password, new_token, token_sha256
    from . import config_edit as edit

    path = Path(args.config)
    try:
        original = path.read_bytes()
        text = original.decode("utf-8")
    except OSError as exc:
        raise edit.EditError(f"cannot read config file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise edit.EditError(f"{path}: not UTF-8 text") from None
    doc = edit.parse(text)
    edit.require(doc, args.hall)  # an unknown hall is refused before a password is asked for
    hall, entry_id, action = args.hall, args.entry_id, (args.command, args.config_action)
    token = ""
    if action == ("staff", "add"):
        windows = [w.strip() for w in args.windows.split(",") if w.strip()]
        entry = {"staff_id": entry_id, "name": args.name, "windows": windows, "role": args.role}
        # Refused before the password is asked for: the same entry with a placeholder hash.
        edit.validated(edit.add_staff(doc, hall, password_hash="(to be set)", **entry).as_string(), path.parent)
        doc = edit.add_staff(doc, hall, password_hash=hash_password(_password()), **entry)
        done = f"added staff {entry_id} ({args.name}, {args.role}) to hall {hall}"
    elif action == ("staff", "password"):
        edit.require(doc, hall, "staff", entry_id)
        doc = edit.replace_secret(doc, hall, "staff", entry_id, "password_hash", hash_password(_password()))
        done = f"new password for staff {entry_id} of hall {hall}"
    elif action == ("device", "add"):
        token = new_token()
        doc = edit.add_device(doc, hall, device_id=entry_id, kind=args.kind, name=args.name, token_sha256=token_sha256(token))
        done = f"added {args.kind} device {entry_id} to hall {hall}"
    elif action == ("device", "token"):
        token = new_token()
        doc = edit.replace_secret(doc, hall, "devices", entry_id, "token_sha256", token_sha256(token))
        done = f"new token for device {entry_id} of hall {hall}; the old token stops working at the restart"
    else:
        key = "staff" if args.command == "staff" else "devices"
        doc = edit.remove(doc, hall, key, entry_id)
        done = f"removed {args.command} {entry_id} from hall {hall}"
    new_text = doc.as_string()
    config = edit.validated(new_text, path.parent)
    edit.write_atomically(path, new_text, original)
    if token:
        device = next(d for d in config.hall(hall).devices if d.id == entry_id)  # type: ignore[union-attr]
        print(f"token = {token}")
        print(f"  shown only this once, not kept on the server; put it {TOKEN_HOME[device.kind].replace('{hall}', hall)}")
    print(f"{done}: {path}")
    if not any(person.role == "manager" for person in config.hall(hall).staff):  # type: ignore[union-attr]
        print(f"warning: hall {hall} has no manager left (no one can use the manager console)", file=sys.stderr)
    print(RESTART)
    return 0


def _password() -> str:
    from .config_edit import EditError

    if sys.stdin.isatty():
        password = getpass.getpass("password (not shown): ")
    else:
        line = sys.stdin.readline()
        password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise EditError("no password on stdin (one line, not empty)")
    return password
