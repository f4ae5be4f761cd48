"""The ``clkg serve`` and ``clkg docs`` commands (registered in :mod:`clkg.cli`)."""

import os
from pathlib import Path

from clkg.errors import UsageError

WEB_MODULES = ("starlette", "uvicorn", "jinja2", "multipart", "vl_convert")


def _require(modules) -> None:
    """:raises UsageError: a library of the ``web`` extra is not installed"""
    import importlib.util

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise UsageError(f"this command needs clkg's web extra: pip install 'clkg[web]' (missing: {', '.join(missing)})")


def _listen(host: str, port: int):
    """A socket bound to host:port, so that a busy port or a bad address is an error here.

    :raises OSError: the address cannot be used
    """
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as err:
        raise OSError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    return sock


def _is_loopback(host: str) -> bool:
    import ipaddress
    import socket

    try:
        return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None))
    except (OSError, ValueError):
        return False


def serve(args) -> int:
    """``clkg serve``: the web application over the store, until Ctrl-C.

    :raises UsageError: a bad option, or the web extra is not installed
    :raises OSError: the address cannot be listened on
    """
    from clkg.errors import StoreError
    from clkg.store import DEFAULT_STORE, open_store

    _require(WEB_MODULES + ("pylode",))
    if not 0 <= args.port <= 65535 or args.workers < 1 or args.timeout <= 0 or args.max_result <= 0:
        raise UsageError("--port takes 0-65535, --workers a whole number ≥ 1, --timeout and --max-result "
                         "numbers > 0")
    spec = args.store or os.environ.get("CLKG_STORE") or DEFAULT_STORE
    try:  # a bad spec is an error now; a store that is missing or down gets a page saying so
        open_store(spec, read_only=True).close()
    except StoreError:
        pass
    import uvicorn

    from clkg.web.app import Config, create_app

    sock = _listen(args.host, args.port)
    host, port = sock.getsockname()[:2]
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}/"
    if not _is_loopback(args.host):
        print(f"warning: serving on {args.host}: anyone who can reach this machine can read the graph")
    config = Config(store=spec, workers=args.workers, timeout=args.timeout,
                    max_result=int(args.max_result * 1e6), url=url)
    server = uvicorn.Server(uvicorn.Config(create_app(config), log_level="warning", lifespan="on"))
    server.run(sockets=[sock])
    return 0


def docs(args) -> int:
    """``clkg docs -o DIR``: write the ontology's documentation for publishing.

    :raises UsageError: the web extra is not installed
    :raises OSError: the folder cannot be written
    """
    _require(("pylode", "rdflib"))
    from clkg.web.docs import write_docs

    for path in write_docs(Path(args.output)):
        print(f"wrote {path}")
    return 0
