"""Store work in worker processes, every call with a time limit.

pyoxigraph cannot cancel a running query, so a call past the limit is stopped by ending the
worker process that runs it, and a fresh worker takes its place. Each worker opens the store
(read-only) on its first task and keeps it open. A worker is given a function of
:mod:`clkg.web.tasks` and its arguments and sends back its result, or the kind and message of
the error it raised: a traceback never leaves the worker (it goes to the server's log).

A worker sees writes made while the server runs (another process's ``clkg load``): before its
first task of each HTTP request (:data:`REQUEST`, set by :class:`EachRequest`), and before each
task outside a request, it calls ``Store.refresh``, which for the embedded store costs a ``stat``
and reopens the store after a completed write. Its tasks are one at a time, so no answer it is
reading is cut off. The worker tells the server when its store may have changed
(:attr:`Runner.changes`), so that what the server keeps from the store (the studies' prefixes) is
read again.
"""

import asyncio
import contextvars
import itertools
import multiprocessing
from concurrent.futures import ThreadPoolExecutor

from clkg.errors import ClkgError, StoreError, StoreMissing, UsageError


class QueryTimeout(StoreError):
    """A call ran past the time limit and was stopped."""


class AnswerTooLarge(StoreError):
    """An answer larger than the size limit."""


class QueryError(UsageError):
    """A SPARQL query that the store cannot parse or answer."""


class NotAcceptable(UsageError):
    """No format the client accepts can hold the answer."""


class WorkerFailed(ClkgError):
    """A bug in clkg, or a worker process that died: an internal error."""


_ERRORS = {cls.__name__: cls for cls in
           (QueryTimeout, AnswerTooLarge, QueryError, NotAcceptable, StoreMissing, StoreError,
            UsageError, WorkerFailed)}


#: The HTTP request being answered (a number, one per request), None outside a request.
REQUEST: contextvars.ContextVar[int | None] = contextvars.ContextVar("clkg_request", default=None)
_NUMBERS = itertools.count(1)


class EachRequest:
    """ASGI middleware: gives every HTTP request its own :data:`REQUEST` number."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        token = REQUEST.set(next(_NUMBERS))
        try:
            await self.app(scope, receive, send)
        finally:
            REQUEST.reset(token)


def _kind(err: BaseException) -> str:
    """The name under which an error crosses the pipe: the nearest class the server knows."""
    if isinstance(err, SyntaxError):  # pyoxigraph: a query that does not parse
        return "QueryError"
    if isinstance(err, OSError):  # pyoxigraph or a SPARQL server failing to read
        return "StoreError"
    for cls in type(err).__mro__:
        if cls.__name__ in _ERRORS and issubclass(cls, ClkgError):
            return cls.__name__
    return "WorkerFailed"


def _work(conn, spec: str) -> None:
    """A worker process: answer (task, args) messages until the server goes away."""
    import signal
    import traceback

    from clkg.web.tasks import State

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    state = State(spec)
    last = None  # the request of the last task
    while True:
        try:
            task, args, request = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        changed = False
        try:
            if request is None or request != last:
                last = request
                changed = state.refresh()
            reply = ("ok", task(state, *args))
        except Exception as err:  # every error is reported to the server, which shows a page for it
            kind = _kind(err)
            if kind == "WorkerFailed":
                traceback.print_exc()
                message = f"internal error ({type(err).__name__}); the server's log has the details"
            else:
                message = str(err)
            reply = (kind, message)
        conn.send((*reply, changed))


class _Worker:
    def __init__(self, context, spec: str):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_work, args=(child, spec), daemon=True,
                                       name="clkg-serve-worker")
        self.process.start()
        child.close()

    def call(self, task, args: tuple, request: int | None, timeout: float):
        self.conn.send((task, args, request))
        if not self.conn.poll(timeout):
            raise QueryTimeout(f"the query took longer than the time limit of {timeout:g} s and was "
                               "stopped: narrow it down (a LIMIT, fewer optional parts)")
        return self.conn.recv()

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


class Runner:
    """A pool of ``workers`` processes over the store ``spec``; :meth:`run` calls a task in one."""

    def __init__(self, spec: str, *, workers: int, timeout: float):
        self.spec, self.timeout, self.size = spec, timeout, workers
        self._context = multiprocessing.get_context("spawn")
        self._threads = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="clkg-call")
        self._all: set[_Worker] = set()
        self._idle: asyncio.Queue | None = None
        self._loop = None
        #: how many times a worker found that its store may have changed (see Store.refresh)
        self.changes = 0

    async def start(self) -> None:
        """Start the worker processes."""
        self._loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        for worker in await asyncio.gather(*(asyncio.to_thread(self._spawn) for _ in range(self.size))):
            self._idle.put_nowait(worker)

    async def run(self, task, *args):
        """The result of ``task(state, *args)`` in a worker.

        :raises QueryTimeout: past the time limit (waiting for a free worker included)
        :raises ClkgError: the error the task raised, as the class the server knows
        """
        try:
            worker = await asyncio.wait_for(self._idle.get(), self.timeout)
        except TimeoutError:
            raise QueryTimeout(f"the server is busy: no worker was free within {self.timeout:g} s") from None
        # shielded: a client that goes away does not cancel the call, whose thread hands the
        # worker back to the pool when it ends
        call = self._loop.run_in_executor(self._threads, self._call, worker, task, args, REQUEST.get())
        kind, value, changed = await asyncio.shield(call)
        self.changes += changed
        if kind == "ok":
            return value
        raise _ERRORS.get(kind, WorkerFailed)(value)

    def close(self) -> None:
        """Stop every worker process."""
        for worker in list(self._all):
            worker.stop()
        self._all.clear()
        self._threads.shutdown(wait=False, cancel_futures=True)

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, self.spec)
        self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> _Worker:
        worker.stop()
        self._all.discard(worker)
        return self._spawn()

    def _call(self, worker: _Worker, task, args: tuple, request: int | None):
        """In a thread: one call, (kind, value, whether the store may have changed); always gives a
        working worker back to the pool (a new one opens the store anew: it may have changed)."""
        try:
            return worker.call(task, args, request, self.timeout)
        except QueryTimeout as err:
            worker = self._replace(worker)
            return ("QueryTimeout", str(err), True)
        except (EOFError, OSError) as err:  # the worker died (killed, out of memory)
            worker = self._replace(worker)
            return ("WorkerFailed", f"a worker process stopped ({type(err).__name__}); it was restarted", True)
        finally:
            self._loop.call_soon_threadsafe(self._idle.put_nowait, worker)
