"""`python -m queue_server serve|hash-password|make-token`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .identity import cli as identity_commands
from .manage import config_cli as config_commands
from .manage import statistics_cli as stats_command
from .simulation.adapters import cli as simulate_command
from .storage import backup_cli as backup_commands


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m queue_server")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the server")
    serve.add_argument("--config", required=True, help="hall configuration (TOML)")
    serve.add_argument("--database", help="sqlite:///PATH or postgresql+psycopg://…")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--data-dir", help="where the SQLite file and the secret key live (default ./data)")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    serve.add_argument("--forwarded-allow-ips", help="proxies whose X-Forwarded-For/-Proto are believed (e.g. 127.0.0.1); default none")
    sub.add_parser("hash-password", help="read one password line on stdin, print its hash")
    token = sub.add_parser("make-token", help="print a new device token and the sha256 the config takes")
    token.add_argument("--show-hash-only", action="store_true")
    identity_commands.add_commands(sub)  # demo-lutong, hash-id, purge
    simulate_command.add_command(sub)  # simulate run|compare|plan|learn|template|seed-history
    stats_command.add_command(sub)  # stats rebuild
    config_commands.add_command(sub)  # staff add|remove|password, device add|remove|token
    backup_commands.add_commands(sub)  # backup, restore
    args = parser.parse_args(argv)
    if args.command in backup_commands.COMMANDS:
        return backup_commands.run(args)
    if args.command == stats_command.COMMAND:
        return stats_command.run(args)
    if args.command in config_commands.COMMANDS:
        return config_commands.run(args)
    if args.command in identity_commands.COMMANDS:
        return identity_commands.run(args)
    if args.command == simulate_command.COMMAND:
        return simulate_command.run(args)
    if args.command == "hash-password":
        return _hash_password()
    if args.command == "make-token":
        from .security.passwords import new_token, token_sha256

        value = new_token()
        if not args.show_hash_only:
            print(f"token        = {value}")
        print(f"token_sha256 = {token_sha256(value)}")
        return 0
    return _serve(args)


def _hash_password() -> int:
    from .security.passwords import hash_password

    line = sys.stdin.readline()
    password = line[:-1] if line.endswith("\n") else line
    if password.endswith("\r"):
        password = password[:-1]
    if not password:
        print("error: no password on stdin", file=sys.stderr)
        return 2
    print(hash_password(password))
    return 0


def _serve(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from .config import ConfigError, load_config
    from .storage.database import DatabaseError

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"error: config: {exc}", file=sys.stderr)
        return 2
    import uvicorn

    from .app import create_app
    from .runtime import Runtime

    try:
        rt = Runtime(
            config,
            database_url=args.database,
            data_dir=Path(args.data_dir).resolve() if args.data_dir else None,
        )
    except DatabaseError as exc:
        print(f"error: database: {exc}", file=sys.stderr)
        return 3
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    app = create_app(rt)
    try:
        uvicorn.run(
            app,
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            access_log=False,  # request lines would carry ticket ids and secrets
            ws_per_message_deflate=False,  # frames are pre-built once for every client
            ws_ping_interval=10,
            ws_ping_timeout=10,
            timeout_graceful_shutdown=5,
            # The client address (login limits) comes from X-Forwarded-For only when the peer is one of these.
            proxy_headers=bool(args.forwarded_allow_ips),
            forwarded_allow_ips=args.forwarded_allow_ips or "",
        )
    finally:
        rt.close()
    return 0
