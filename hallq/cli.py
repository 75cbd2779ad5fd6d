"""The `hallq` command line (CONTRACT.md). Imports stay light until a command runs, because `serve`
must monkey-patch for its async mode before anything else is imported."""
from __future__ import annotations

import argparse
import os
import sys
import warnings

DEFAULT_DB = "sqlite:///var/hallq.db"
MAX_CONNECTIONS = 10_000  # per process; the open-file limit must allow as many


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default=os.environ.get("HALLQ_CONFIG"),
                        help="hall config TOML (default: $HALLQ_CONFIG or the bundled demo hall)")
    parser.add_argument("--db", default=os.environ.get("HALLQ_DATABASE_URL", DEFAULT_DB),
                        help="SQLAlchemy database URL (default: $HALLQ_DATABASE_URL or sqlite:///var/hallq.db)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hallq", description="Queue management for a government service hall.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the hall server")
    _common(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.add_argument("--async-mode", choices=("eventlet", "gevent"), default=os.environ.get("HALLQ_ASYNC_MODE", "eventlet"))
    serve.add_argument("--message-queue", default=os.environ.get("HALLQ_MESSAGE_QUEUE"),
                       help="redis://… to share Socket.IO events between several server processes")
    serve.add_argument("--message-queue-channel", default=os.environ.get("HALLQ_MQ_CHANNEL", "flask-socketio"),
                       help="pub/sub channel on the message queue; processes of one hall share it, other halls "
                            "(or test runs) on the same Redis use their own (default: $HALLQ_MQ_CHANNEL or flask-socketio)")

    serve.add_argument("--trusted-proxy", action="append", default=None, metavar="ADDR",
                       help="a reverse proxy (address or CIDR block) whose X-Forwarded-For names the client; repeat "
                            "for several (default: $HALLQ_TRUSTED_PROXIES, comma-separated; none)")

    users = sub.add_parser("users", help="staff accounts").add_subparsers(dest="action", required=True)
    add_user = users.add_parser("add", help="create a staff account")
    _common(add_user)
    add_user.add_argument("name")
    add_user.add_argument("--role", required=True, choices=("clerk", "backoffice", "admin", "supervisor"))
    add_user.add_argument("--department", action="append", default=[],
                          help="a department whose windows (or cases) the account works for; repeat for several")
    add_user.add_argument("--password-stdin", action="store_true", required=True,
                          help="read the password from standard input (required: never on the command line)")
    add_user.add_argument("--display-name", metavar="TEXT",
                          help='what public screens show of this clerk at a window, e.g. "工号 0123 张三" '
                               "(without one they show no name)")

    passwd = users.add_parser("passwd", help="give an account a new password (its sign-ins and sockets end)")
    _common(passwd)
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true", required=True,
                        help="read the new password from standard input (required: never on the command line)")
    for action, text in (("disable", "stop an account signing in (its sign-ins and sockets end)"),
                         ("enable", "let a disabled account sign in again"),
                         ("remove", "delete an account (its sign-ins and sockets end)")):
        one = users.add_parser(action, help=text)
        _common(one)
        one.add_argument("name")
    unlock = users.add_parser("unlock", help="forget the failed sign-ins of an account, or of a client address")
    _common(unlock)
    unlock.add_argument("name", nargs="?")
    unlock.add_argument("--address", help="a client address instead of an account")

    devices = sub.add_parser("devices", help="kiosks and screens").add_subparsers(dest="action", required=True)
    add_device = devices.add_parser("add", help="register a device and print its token on the last line")
    _common(add_device)
    add_device.add_argument("name")
    add_device.add_argument("--kind", required=True, choices=("kiosk", "display", "pad", "platform"))
    _common(devices.add_parser("list", help="every paired device, its kind and its token's age"))
    for action, text in (("revoke", "refuse a device's token from now on (until a rotate)"),
                         ("rotate", "give a device a new token, printed alone on the last line; the old one ends")):
        one = devices.add_parser(action, help=text)
        _common(one)
        one.add_argument("name")
    devices.add_parser("simulate", add_help=False,
                       help="stand-ins for a printer, LED screens, a pager and an evaluator (see --help)")

    bench = sub.add_parser("bench", help="replay a peak hall against a server and report (docs/performance.md)")
    _common(bench)
    from bench.options import add_arguments
    add_arguments(bench)

    simulate = sub.add_parser("simulate", help="play a hall day on the real service layer and report its waits "
                                               "(docs/waits.md)")
    simulate.add_argument("--config", default=os.environ.get("HALLQ_CONFIG"),
                          help="hall config TOML (default: $HALLQ_CONFIG or the bundled demo hall)")
    from .simulate import add_arguments as simulate_arguments
    simulate_arguments(simulate)

    config = sub.add_parser("config", help="hall configuration").add_subparsers(dest="action", required=True)
    check = config.add_parser("check", help="validate a hall config; exit 1 listing the problems")
    check.add_argument("file")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:2] == ["devices", "simulate"]:
        from drivers.simulate import main as simulate
        return simulate(argv[2:])
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "config":
        return config_check(args.file)
    if args.command == "simulate":
        from .simulate import main as simulate_main
        return simulate_main(args)
    if args.command == "bench":
        from bench.run import main as bench_main

        from .bootstrap import build_hall
        return bench_main(args, DEFAULT_DB, build_hall)
    return manage(args)


def config_check(path: str) -> int:
    from server.config import ConfigError, load_config
    from server.config.printing import public_url_warning
    try:
        cfg = load_config(path)
    except ConfigError as exc:
        print(f"{exc.path}: {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"{path}: OK — {cfg.hall.name}: {len(cfg.floors)} floors, {len(cfg.departments)} departments, "
          f"{len(cfg.queues)} queues, {len(cfg.matters)} matters, {len(cfg.windows)} windows, {len(cfg.devices)} devices")
    # Warnings: the config works, but something a citizen meets would not (exit 0 all the same).
    warning = public_url_warning(cfg.hall.public_url, "public_url" in cfg.hall.model_fields_set)
    if warning:
        print(f"{path}: warning: {warning}", file=sys.stderr)
    return 0


def manage(args) -> int:
    from server.config import ConfigError
    from server.domain.errors import HallError

    from .bootstrap import build_hall
    from .accounts_cli import manage_devices, manage_users
    try:
        hall, database = build_hall(args.config, args.db)
        (manage_users if args.command == "users" else manage_devices)(hall, args)
    except ConfigError as exc:
        print(f"hallq: {exc}", file=sys.stderr)
        return 1
    except HallError as exc:
        print(f"hallq: {exc.message}", file=sys.stderr)
        return 1
    return 0


def patch_for(async_mode: str) -> None:
    """Make blocking libraries cooperative. Must run before Flask, SQLAlchemy or psycopg load."""
    if async_mode == "eventlet":
        # psycopg detects gevent's patching by itself, but not eventlet's (platform.md §8).
        os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
        warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
        import eventlet
        eventlet.monkey_patch()
    elif async_mode == "gevent":
        from gevent import monkey
        monkey.patch_all()


def serve(args, clock=None) -> int:
    """`clock`: the time the hall runs on (tests/launchers/clock_server.py gives one a test moves)."""
    patch_for(args.async_mode)
    import gc
    import logging

    from .logs import configure
    configure(os.environ.get("HALLQ_LOG_LEVEL", "INFO"))
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from server.config import ConfigError

    from .serve import create_server
    from server.web.proxies import parse_trusted
    proxies = args.trusted_proxy if args.trusted_proxy is not None else \
        os.environ.get("HALLQ_TRUSTED_PROXIES", "").split(",")
    try:
        parse_trusted(proxies)
    except ValueError as exc:
        print(f"hallq: {exc}", file=sys.stderr)
        return 1
    try:
        app, socketio = create_server(args.config, args.db, args.async_mode, args.message_queue,
                                      args.message_queue_channel, trusted_proxies=tuple(proxies),
                                      **({"clock": clock} if clock else {}))
    except ConfigError as exc:
        print(f"hallq: {exc}", file=sys.stderr)
        return 1
    hall = app.extensions["hallq"]
    print(f"hallq: {hall.config.hall.name} on http://{args.host}:{args.port} "
          f"({args.async_mode}, {args.db.split('://')[0]})", flush=True)
    # eventlet's server stops accepting at 1024 open connections by default, and every screen's
    # websocket holds one for good: a hall's screens and kiosks must not lock clerks out.
    from server.web.http_limits import server_options
    # What start-up built (config, routes, schemas, SQLAlchemy's compiled statements) lives as long as
    # the process: freezing it keeps the collector's full passes from walking it again. Without this a
    # full pass stalled every request for 130-180 ms a few seconds into a busy minute
    # (tests/test_screen_limits.py's kiosk p99).
    gc.collect()
    gc.freeze()
    extra = {"error_log": _pywsgi_error_log()} if args.async_mode == "gevent" else {"max_size": MAX_CONNECTIONS}
    extra.update(server_options(args.async_mode))  # over-long requests refused in the contract's shape
    socketio.run(app, host=args.host, port=args.port, log_output=False, use_reloader=False, **extra)
    return 0


def _pywsgi_error_log():
    """gevent's pywsgi parses WebSocket close frames as HTTP and logs them as bad requests
    (platform.md §2): harmless noise, filtered out here; other errors still reach the log."""
    import logging

    class DropWebSocketFrames(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            text = record.getMessage()
            return not any(noise in text for noise in ("Invalid HTTP method", "Invalid http version", "Expected GET method"))

    logger = logging.getLogger("hallq.wsgi")
    logger.addFilter(DropWebSocketFrames())
    return logger


if __name__ == "__main__":
    sys.exit(main())
