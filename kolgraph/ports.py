"""Loopback ports for the servers kolgraph starts (a local Neo4j; the web app in tests and
benchmarks)."""

from __future__ import annotations

import socket
import subprocess
import time

LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port nothing listens on right now, chosen by the OS (another process could
    still take it before the caller binds it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def wait_until_listening(
    port: int, process: subprocess.Popen, timeout: float = 60.0, host: str = LOOPBACK
) -> bool:
    """Wait until something accepts connections on ``host:port``: True then; False when
    ``process`` (the server meant to listen there) exits first or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False
