"""One HTTP request to a SPARQL or Graph Store endpoint, with its failures told plainly."""

from clkg.errors import StoreError, UsageError


def request(url: str, *, body: bytes, content_type: str, accept: str = "*/*", method: str = "POST",
            endpoint: str, what: str):
    """(body, headers) of the answer to one request.

    ``endpoint`` names the endpoint in messages (``the SPARQL endpoint URL``), ``what`` the request
    (``query``, ``update``, ``graph upload``).

    :raises UsageError: a query the endpoint refuses as malformed (HTTP 400, as the SPARQL
        Protocol has it).
    :raises StoreError: the endpoint cannot be reached, or refused the request.
    """
    import http.client
    import urllib.error
    import urllib.request

    from clkg.text import shown

    call = urllib.request.Request(url, data=body, method=method,
                                  headers={"Content-Type": content_type, "Accept": accept})
    try:
        with urllib.request.urlopen(call) as response:
            return response.read(), response.headers
    except urllib.error.HTTPError as err:
        text = " ".join(err.read().decode("utf-8", "replace").split())
        error = UsageError if err.code == 400 and what == "query" else StoreError
        raise error(f"{endpoint} refused the {what} (HTTP {err.code}): {shown(text, limit=600)}"
                    f"{_hint(err.code, text)}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as err:
        raise StoreError(f"cannot reach {endpoint}: {getattr(err, 'reason', err)}") from None


def _hint(status: int, body: str) -> str:
    if status in (401, 403) or "permission" in body.lower() or "SECURITY" in body:
        return (" — the endpoint does not let clkg write: allow updates for it (Virtuoso: "
                "GRANT SPARQL_UPDATE TO \"SPARQL\"; in isql), or name a writable endpoint with #update=/#gsp=")
    return ""
