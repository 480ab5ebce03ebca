"""An Innkeep in a child process: ``innkeep serve`` or ``innkeep demo`` started with a given
environment, waited for until it answers, stopped with a given signal, its log kept.

The tests, the end-to-end suite and the benchmarks all start Innkeep this way. The
end-to-end suite plays a guest and an owner from outside the service, so this module uses the
standard library only and imports nothing else of the package.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: The folder that holds this ``widget`` package (the checkout, or site-packages): the child
#: runs from it, so ``python -m widget.cli`` runs the same code as the process that started it.
HOME = Path(__file__).resolve().parents[2]
#: What ``innkeep demo`` prints once both of its servers listen.
DEMO_ANNOUNCEMENT = "Press Ctrl-C to stop."


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def innkeep_command(*args: str) -> list[str]:
    """The ``innkeep`` command line, run by this interpreter (installed or not)."""
    return [sys.executable, "-m", "widget.cli", *args]


def answers(url: str, timeout: float = 2.0) -> bool:
    """True if a GET of ``url`` answers 200."""
    try:
        # Only the http://127.0.0.1 URLs of the child we started.
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return bool(response.status == 200)
    except OSError:  # refused, reset, timed out, or an HTTP error status
        return False


@dataclass(frozen=True)
class Launch:
    """How a caller wants its Innkeep run: everything that differs between callers."""

    #: The child's whole environment (not added to ours).
    env: Mapping[str, str]
    #: Sent to stop it: the demo handles SIGINT (Ctrl-C) and SIGTERM alike.
    stop: signal.Signals = signal.SIGTERM
    #: Seconds it may take to stop before it is killed.
    grace: float = 30.0
    #: Seconds it may take to become ready.
    start_timeout: float = 60.0
    #: Its stdout and stderr are appended here; None: a temporary file, removed afterwards.
    log: Path | None = None
    #: CPU cores it (and the servers it starts) may run on; None: any.
    cores: frozenset[int] | None = None


@dataclass
class Running:
    """A started Innkeep: where it answers, and its process and log."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path
    launch: Launch
    #: The demo's sample guesthouse site (None for ``innkeep serve``).
    site: str | None = None
    #: More URLs that must answer 200 before it counts as ready.
    ready_urls: Sequence[str] = field(default_factory=tuple)
    #: Text its log must show before it counts as ready.
    announcement: str | None = None

    def log_text(self) -> str:
        """Everything it has written so far."""
        try:
            return self.log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def is_ready(self) -> bool:
        """Its log says so (if it announces anything) and every ready URL answers 200."""
        if self.announcement is not None and self.announcement not in self.log_text():
            return False
        return all(answers(url) for url in (f"{self.url}/readyz", *self.ready_urls))

    def wait_until_ready(self) -> None:
        """Poll until ready; raise with its log if it stops or takes too long."""
        deadline = time.monotonic() + self.launch.start_timeout
        while not self.is_ready():
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"innkeep stopped with exit code {self.process.returncode}:\n" + self.log_text()
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.url} did not become ready:\n{self.log_text()}")
            time.sleep(0.1)

    def stop(self) -> int:
        """Send the stop signal, kill it after the grace period; its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(self.launch.stop)
            try:
                self.process.wait(self.launch.grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait()


@contextlib.contextmanager
def started(running: Running) -> Iterator[Running]:
    """Wait until ``running`` is ready, yield it, and stop it whatever happens."""
    try:
        running.wait_until_ready()
        yield running
    finally:
        running.stop()
        if running.launch.log is None:
            running.log.unlink(missing_ok=True)


def spawn(args: Sequence[str], launch: Launch) -> tuple[subprocess.Popen[bytes], Path]:
    """Start ``innkeep *args`` as ``launch`` says; the process and its log file."""
    if launch.log is None:
        handle, name = tempfile.mkstemp(prefix="innkeep-", suffix=".log")
        os.close(handle)
        log = Path(name)
    else:
        log = launch.log
    cores = launch.cores

    def pin() -> None:  # in the child, before exec: its servers inherit the cores
        if cores is not None:
            os.sched_setaffinity(0, cores)

    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter, our own arguments
            innkeep_command(*args),
            cwd=HOME,
            env=dict(launch.env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=pin if cores is not None else None,
        )
    return process, log


def innkeep_serve(
    launch: Launch, *, workers: int = 1, port: int | None = None
) -> contextlib.AbstractContextManager[Running]:
    """``innkeep serve`` on 127.0.0.1 (a free port unless given), ready when /readyz answers.
    The database and Redis come from ``launch.env`` (INNKEEP_DATABASE_URL, INNKEEP_REDIS_URL).
    """

    def start() -> Running:
        chosen = port or free_port()
        process, log = spawn(["serve", "--port", str(chosen), "--workers", str(workers)], launch)
        return Running(f"http://127.0.0.1:{chosen}", process, log, launch)

    return _started_on_free_ports(start, retry=port is None)


def innkeep_demo(
    launch: Launch, data_dir: Path, *, port: int | None = None, host_port: int | None = None
) -> contextlib.AbstractContextManager[Running]:
    """``innkeep demo`` with its data in ``data_dir`` (free ports unless given), ready once it
    has announced itself and both the service and the sample site answer."""

    def start() -> Running:
        service, site_port = port or free_port(), host_port or free_port()
        args = ["demo", "--port", str(service), "--host-port", str(site_port)]
        process, log = spawn([*args, "--data-dir", str(data_dir)], launch)
        site = f"http://127.0.0.1:{site_port}"
        return Running(
            f"http://127.0.0.1:{service}",
            process,
            log,
            launch,
            site=site,
            ready_urls=(f"{site}/",),
            announcement=DEMO_ANNOUNCEMENT,
        )

    return _started_on_free_ports(start, retry=port is None or host_port is None)


#: A port found free can be taken by another process before the child binds it (other test
#: runs share the machine): a child that says so is started again on new ports, this many
#: times in all.
PORT_ATTEMPTS = 3
_PORT_TAKEN = "address already in use"


@contextlib.contextmanager
def _started_on_free_ports(start: Callable[[], Running], *, retry: bool) -> Iterator[Running]:
    """`started` for a child on ports picked here: started again if one was taken meanwhile."""
    for attempt in range(1, PORT_ATTEMPTS + 1):
        running = start()
        try:
            running.wait_until_ready()
        except RuntimeError:
            running.stop()
            taken = _PORT_TAKEN in running.log_text()
            if running.launch.log is None:
                running.log.unlink(missing_ok=True)
            if retry and taken and attempt < PORT_ATTEMPTS:
                continue
            raise
        break
    with started(running):
        yield running
