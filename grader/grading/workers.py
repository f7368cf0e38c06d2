"""The threads that grade a class side by side, each with its own warm fork server.

A thread starts its fork server (:mod:`grader.grading.forkserver`, seconds of imports) the
first time it needs one, so a run that reuses every stored result starts none. On Ctrl-C,
:meth:`Workers.stop` lets no new submission start, ends every server and the job it runs (the
threads waiting for those jobs give up), and waits for the threads: a student whose files
were being written keeps them whole, the others keep what they had.

    with Workers(jobs=2) as workers:
        for result in workers.map(grade_one, submissions):  # grade_one calls workers.server()
            ...
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from grader.grading.forkserver import ForkServer

Item = TypeVar("Item")
Result = TypeVar("Result")
ServerOf = Callable[[], ForkServer]  # the calling thread's fork server: Workers.server


class Stopped(Exception):
    """Raised in a thread that asks for a server after :meth:`Workers.stop`."""


class Workers:
    """``jobs`` threads; :meth:`server` is the calling thread's own fork server."""

    def __init__(self, jobs: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max(1, jobs))
        self._local = threading.local()
        self._servers: list[ForkServer] = []
        self._lock = threading.Lock()
        self._stopped = False

    def server(self) -> ForkServer:
        """This thread's fork server, started (and waited for) on first use."""
        server = getattr(self._local, "server", None)
        if server is None:
            with self._lock:  # registered before its imports, so stop() can end it meanwhile
                if self._stopped:
                    raise Stopped
                server = self._local.server = ForkServer(wait=False)
                self._servers.append(server)
            server.ready()
        return server

    def map(self, function: Callable[[Item], Result], items: Iterable[Item]) -> Iterator[Result]:
        """``function`` of each item, in the items' order, computed by the threads."""
        return self._pool.map(function, items)

    def close(self) -> None:
        """Wait for the threads, then end the servers as they finish their last job."""
        self._pool.shutdown(wait=True)
        for server in self._servers:
            server.close()

    def stop(self) -> None:
        """End everything now (Ctrl-C); a second Ctrl-C meanwhile is ignored."""
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            with self._lock:
                self._stopped = True
                servers = list(self._servers)
            self._pool.shutdown(wait=False, cancel_futures=True)
            for server in servers:
                server.stop()
            self._pool.shutdown(wait=True)
        finally:
            if main:
                signal.signal(signal.SIGINT, previous)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        self.stop() if kind is not None else self.close()
