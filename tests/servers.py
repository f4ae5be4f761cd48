"""What the throw-away test servers (tests/virtuoso.py, tests/oxigraph_server.py) share: loopback,
a free port, and whether a SPARQL endpoint answers yet."""

import socket
import urllib.error
import urllib.parse
import urllib.request

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def answers(url: str) -> bool:
    """Whether the SPARQL endpoint at ``url`` answers a query."""
    query = urllib.parse.urlencode({"query": "ASK { }", "format": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(f"{url}?{query}", timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False
