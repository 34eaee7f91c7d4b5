"""`gwp-monitor portal ...`: serve the supplier portal and manage its accounts (added by cli.py)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from gwp_monitor.cli_support import OperationalError, command_group, open_db
from gwp_monitor.config.settings import Settings

DESCRIPTION = """\
The supplier portal (spec 8): suppliers download templates, hand in returns and see what happened to
them; contract managers see every contract, the dashboard, every submission and the audit trail.
Accounts live in the reporting database. Settings: GWP_DATABASE_URL, GWP_REGISTER, GWP_LANDING_DIR,
GWP_PORTAL_SECRET_KEY (sign sessions; set it in production), GWP_PORTAL_HTTPS=1 (Secure cookies),
GWP_PORTAL_BASE_URL (for sign-in links), GWP_PORTAL_MAX_UPLOAD_BYTES, GWP_AIRFLOW_API_URL /
GWP_AIRFLOW_API_USER / GWP_AIRFLOW_API_PASSWORD (start the returns DAG after an upload)."""

EPILOG = """\
examples:
  gwp-monitor portal serve --db sqlite:///gwp-demo/gwp.db
  gwp-monitor portal user add --email payroll@tynesidecare.example --role supplier --supplier-id 08064685
  gwp-monitor portal user add --email admin@council.example --role admin --password-stdin < password.txt
  gwp-monitor portal user disable --email payroll@tynesidecare.example
  gwp-monitor portal user list
  gwp-monitor portal token create --email payroll@tynesidecare.example --expires-days 90"""


def add_portal_parser(sub: argparse._SubParsersAction, db_flag: Callable[[argparse.ArgumentParser], None]) -> None:
    actions = command_group(
        sub,
        "portal",
        help="the supplier portal: serve it, manage its accounts and API tokens",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    serve = actions.add_parser("serve", help="run the portal (uvicorn)", description="Run the portal with uvicorn.")
    db_flag(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8600, help="port (default 8600)")
    serve.add_argument("--contracts", default=None, help="contract register YAML (env GWP_REGISTER)")
    serve.add_argument("--landing", default=None, help="landing folder uploads go to (env GWP_LANDING_DIR)")
    serve.set_defaults(handler=cmd_serve)

    user_actions = command_group(
        actions, "user", help="portal accounts", description="Add, disable and list portal accounts."
    )
    add = user_actions.add_parser(
        "add",
        help="add an account (prints a one-time sign-in link)",
        description="Adds an account. Without --password-stdin it prints a one-time sign-in link (valid 3 days) "
        "where the person chooses their password; a password is never taken from a flag.",
    )
    db_flag(add)
    add.add_argument("--email", required=True)
    add.add_argument("--role", required=True, choices=("supplier", "contract_manager", "admin"))
    add.add_argument("--supplier-id", default=None, help="the register's supplier_id (supplier users only)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(handler=cmd_user_add)
    disable = user_actions.add_parser("disable", help="disable an account (its sessions and tokens stop at once)")
    db_flag(disable)
    disable.add_argument("--email", required=True)
    disable.set_defaults(handler=cmd_user_disable)
    listing = user_actions.add_parser("list", help="list accounts")
    db_flag(listing)
    listing.set_defaults(handler=cmd_user_list)

    token_actions = command_group(actions, "token", help="API tokens", description="API tokens for the JSON API.")
    create = token_actions.add_parser(
        "create", help="create an API token (printed once, stored only hashed)", description="Create an API token."
    )
    db_flag(create)
    create.add_argument("--email", required=True)
    create.add_argument("--expires-days", type=float, default=90, help="days until it expires (default 90)")
    create.set_defaults(handler=cmd_token_create)


def _db(settings: Settings):  # noqa: ANN202 - a store.database.Database

    return open_db(settings.database_url)


def _fail(message: str) -> int:

    raise OperationalError(message)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from gwp_monitor.portal.app import create_app

    app = create_app(settings, _db(settings))
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", proxy_headers=True, server_header=False)
    return 0


def cmd_user_add(args: argparse.Namespace, settings: Settings) -> int:
    from gwp_monitor.portal import accounts

    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            return _fail("--password-stdin given but standard input held no password")
    db = _db(settings)
    try:
        user = accounts.add_user(db, args.email, args.role, args.supplier_id, password)
    except accounts.AccountError as exc:
        return _fail(str(exc))
    accounts.audit(db, None, "add_user", f"{user.email} ({user.role})", "cli")
    print(f"added {user.email} ({user.role}{', supplier ' + user.supplier_id if user.supplier_id else ''})")
    if user.supplier_id:
        _warn_unknown_supplier(settings, user.supplier_id)
    if password is None:
        secret, expires = accounts.create_token(db, user, "sign_in", accounts.SIGN_IN_LINK_DAYS)
        print(f"one-time sign-in link (valid until {expires:%Y-%m-%d %H:%M} UTC):")
        print(f"{settings.portal_base_url.rstrip('/')}/welcome/{secret}")
    return 0


def _warn_unknown_supplier(settings: Settings, supplier_id: str) -> None:
    """Say so when the register names no contract of this supplier (a dropped leading zero, a typo):
    the account would see nothing and could hand in nothing."""
    from gwp_monitor.config.register import load_register

    path = settings.contract_register
    try:
        register = load_register(path)
    except Exception:  # noqa: BLE001 - no register here (another machine holds it): nothing to compare
        return
    if not any(c.supplier.supplier_id == supplier_id for c in register.contracts.values()):
        print(
            f"warning: no contract in {path} has supplier_id '{supplier_id}' (compared exactly, leading zeros "
            "included): this account will see no contract until one does",
            file=sys.stderr,
        )


def cmd_user_disable(args: argparse.Namespace, settings: Settings) -> int:
    from gwp_monitor.portal import accounts

    db = _db(settings)
    try:
        user = accounts.set_disabled(db, args.email, True)
    except accounts.AccountError as exc:
        return _fail(str(exc))
    accounts.audit(db, None, "disable_user", user.email, "cli")
    print(f"disabled {user.email}: its sessions and API tokens no longer work")
    return 0


def cmd_user_list(args: argparse.Namespace, settings: Settings) -> int:
    from gwp_monitor.portal import accounts

    for u in accounts.list_users(_db(settings)):
        state = "disabled" if u.disabled else "active" if u.has_password else "sign-in link not used"
        print(f"{u.email}\t{u.role}\t{u.supplier_id or '-'}\t{state}")
    return 0


def cmd_token_create(args: argparse.Namespace, settings: Settings) -> int:
    from gwp_monitor.portal import accounts

    db = _db(settings)
    user = accounts.user_by_email(db, args.email)
    if user is None or user.disabled:
        return _fail(f"no enabled account for {args.email}: add it with `gwp-monitor portal user add`")
    try:
        secret, expires = accounts.create_token(db, user, "api", args.expires_days)
    except accounts.AccountError as exc:
        return _fail(str(exc))
    accounts.audit(db, None, "create_token", user.email, "cli")
    print(f"API token for {user.email} (expires {expires:%Y-%m-%d %H:%M} UTC); it is shown only now:")
    print(secret)
    return 0
