"""Run a real local Neo4j Community server for users without one, and for the tests.

The server's jars are fetched once from Maven Central by Maven into a cache folder outside
the repository (``~/.cache/kolgraph/neo4j-<version>/lib``), and the server runs on Java 17+
straight from that class path, with no Neo4j launcher script. Each server lives in its own
folder (by default ``<home>/neo4j-server``) holding ``conf/``, ``data/``, ``logs/``, ``run/``
and ``password``; it listens for Bolt on 127.0.0.1 only, with HTTP switched off.

``start`` / ``stop`` / ``status`` are the functions behind ``kolgraph neo4j start|stop|status``;
``start_and_describe`` and ``stop_and_describe`` add the one message the CLI prints.
``offline`` stops a running server for a block and starts it again as it was, and
``import_database`` runs ``neo4j-admin database import full`` from the same jars while it is
stopped (a first load into an empty database, :mod:`kolgraph.store.neo4j.first_load`). Every
failure is a :class:`~kolgraph.errors.Neo4jServerError` with a one-line reason.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path

from kolgraph.errors import Neo4jServerError

NEO4J_VERSION = "5.26.30"
DEFAULT_PORT = 7687
USERNAME = "neo4j"
MIN_JAVA = 17
START_TIMEOUT = 120.0
STOP_TIMEOUT = 60.0
HOST = "127.0.0.1"

Echo = Callable[[str], None]

_POM = f"""<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kolgraph</groupId>
  <artifactId>neo4j-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.neo4j</groupId><artifactId>neo4j</artifactId><version>{NEO4J_VERSION}</version>
    </dependency>
    <dependency>
      <groupId>org.neo4j.app</groupId><artifactId>neo4j-server</artifactId>
      <version>{NEO4J_VERSION}</version>
    </dependency>
  </dependencies>
</project>
"""

# The flags Neo4j's own launcher passes (minus pre-touching the whole heap, which would
# claim all of it at once on a machine other programs share).
_JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
)


@dataclass(frozen=True)
class Memory:
    """How much memory the server may take (Neo4j size syntax: ``512m``, ``2g``)."""

    heap_initial: str = "1g"
    heap_max: str = "4g"
    pagecache: str = "2g"


#: Sized for a 2-core, 24 GB machine running one local server.
DEFAULT_MEMORY = Memory()
#: A size as Neo4j's memory settings take it: a whole number, then k, m or g (or bytes).
SIZE = re.compile(r"[1-9][0-9]*[kmgKMG]?")
#: Enough for test data, small enough to share the machine with other test runs.
TEST_MEMORY = Memory(heap_initial="512m", heap_max="1g", pagecache="256m")


@dataclass(frozen=True)
class Layout:
    """The files and folders of one server folder."""

    directory: Path

    @property
    def conf_dir(self) -> Path:
        return self.directory / "conf"

    @property
    def conf_file(self) -> Path:
        return self.conf_dir / "neo4j.conf"

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    @property
    def logs_dir(self) -> Path:
        return self.directory / "logs"

    @property
    def run_dir(self) -> Path:
        return self.directory / "run"

    @property
    def pid_file(self) -> Path:
        return self.run_dir / "neo4j.pid"

    @property
    def password_file(self) -> Path:
        return self.directory / "password"

    @property
    def console_log(self) -> Path:
        return self.logs_dir / "console.log"

    @property
    def initialised(self) -> bool:
        """True once the server has started here: the initial password no longer applies."""
        return (self.data_dir / "databases" / "system").exists()


@dataclass(frozen=True)
class ServerStatus:
    """Whether a local server runs in a folder, and how to reach it."""

    directory: Path
    running: bool
    pid: int | None
    port: int | None
    memory: Memory = DEFAULT_MEMORY
    version: str = NEO4J_VERSION

    @property
    def uri(self) -> str | None:
        """The Bolt URI clients use (``neo4j://127.0.0.1:<port>``), if a port is configured."""
        return f"neo4j://{HOST}:{self.port}" if self.port else None

    def describe(self) -> str:
        """One line for ``kolgraph neo4j status``."""
        memory = f"heap {self.memory.heap_max}, page cache {self.memory.pagecache}"
        if self.running:
            return (
                f"Neo4j {self.version} is running (pid {self.pid}) at {self.uri}; "
                f"folder {self.directory}; {memory}"
            )
        return f"Neo4j is not running (folder {self.directory}; {memory} at its next start)"


@dataclass(frozen=True)
class StartResult:
    """What ``start`` did: the server's status, its password, and where the password came from."""

    status: ServerStatus
    password: str | None
    password_source: str  # "generated", "given", "stored" or "unknown"
    already_running: bool

    @property
    def uri(self) -> str:
        return self.status.uri or ""

    def describe(self) -> str:
        """The message ``kolgraph neo4j start`` prints; a generated password is shown once."""
        st = self.status
        verb = "is already running" if self.already_running else "started"
        head = f"Neo4j {st.version} {verb} (pid {st.pid}) at {st.uri}; folder {st.directory}"
        where = Layout(st.directory).password_file
        password = {
            "generated": f"password {self.password} (generated; kept in {where}, mode 0600)",
            "stored": f"password in {where}",
            "given": "password as given (NEO4J_PASSWORD)",
        }.get(self.password_source, "password unknown: set NEO4J_PASSWORD")
        return f"{head}\nuser {USERNAME}, {password}"


# --- the jar cache ---------------------------------------------------------------------------


def cache_dir() -> Path:
    """Where the jars are kept: ``KOLGRAPH_NEO4J_CACHE``, else ``$XDG_CACHE_HOME/kolgraph/...``."""
    override = os.environ.get("KOLGRAPH_NEO4J_CACHE")
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kolgraph" / f"neo4j-{NEO4J_VERSION}"


def _lib_complete(lib: Path) -> bool:
    # The manifest is written last, inside the temporary folder, before the rename; a lib
    # folder with a manifest whose every jar is present is a finished fetch.
    manifest = lib / "MANIFEST.txt"
    if not manifest.is_file():
        return False
    names = manifest.read_text().split()
    return bool(names) and all((lib / name).is_file() for name in names)


def fetch_jars(cache: Path | None = None, echo: Echo | None = None) -> Path:
    """The folder of Neo4j's jars, fetched once by Maven; returns ``<cache>/lib``."""
    cache = cache or cache_dir()
    lib = cache / "lib"
    if _lib_complete(lib):
        return lib
    mvn = shutil.which("mvn")
    if not mvn:
        raise Neo4jServerError(
            "cannot fetch Neo4j: Maven (mvn) is not installed; "
            "install it (e.g. apt-get install maven)"
        )
    if echo:
        echo(f"Fetching Neo4j {NEO4J_VERSION} jars into {lib} (once; about 120 MB)...")
    try:
        cache.mkdir(parents=True, exist_ok=True)
        # Fetch into a temporary folder and rename: an interrupted fetch leaves no "lib".
        work = Path(tempfile.mkdtemp(prefix="fetch-", dir=cache))
        try:
            _run_maven(mvn, work)
            _install_lib(work / "lib", lib)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    except OSError as exc:
        raise Neo4jServerError(f"cannot fetch Neo4j into {cache}: {exc}") from exc
    return lib


def _run_maven(mvn: str, work: Path) -> None:
    (work / "pom.xml").write_text(_POM)
    command = [
        mvn,
        "-q",
        "-B",
        "-f",
        str(work / "pom.xml"),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={work / 'lib'}",
        "-Dmdep.includeScope=runtime",
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    except subprocess.TimeoutExpired as exc:
        raise Neo4jServerError("fetching Neo4j with Maven took longer than 30 minutes") from exc
    jars = sorted(p.name for p in (work / "lib").glob("*.jar")) if (work / "lib").is_dir() else []
    if done.returncode != 0 or not jars:
        raise Neo4jServerError(
            f"fetching Neo4j {NEO4J_VERSION} with Maven failed "
            f"(exit {done.returncode}): {_tail(done.stdout + done.stderr)}"
        )
    (work / "lib" / "MANIFEST.txt").write_text("\n".join(jars) + "\n")


def _install_lib(fetched: Path, lib: Path) -> None:
    if lib.exists() and not _lib_complete(lib):
        shutil.rmtree(lib)  # left by an older, interrupted or damaged fetch
    try:
        fetched.rename(lib)
    except OSError:
        if not _lib_complete(lib):  # another process may have finished first
            raise


# --- Java ------------------------------------------------------------------------------------


def find_java() -> str:
    """The ``java`` to run Neo4j with (``JAVA_HOME`` first, then PATH), checked to be 17+."""
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java or not os.access(java, os.X_OK):
        where = f"JAVA_HOME={java_home}" if java_home else "PATH"
        raise Neo4jServerError(
            f"cannot start Neo4j: no java found on {where}; install Java "
            f"{MIN_JAVA}+ (e.g. apt-get install openjdk-17-jre-headless)"
        )
    major = java_major_version(java)
    if major < MIN_JAVA:
        raise Neo4jServerError(
            f"Neo4j {NEO4J_VERSION} needs Java {MIN_JAVA} or newer; {java} is Java {major}"
        )
    return java


def java_major_version(java: str) -> int:
    """The major version ``java -version`` reports (``1.8.0`` is 8, ``17.0.15`` is 17)."""
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Neo4jServerError(f"cannot run {java} -version: {exc}") from exc
    match = re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr + done.stdout)
    if not match:
        raise Neo4jServerError(
            f"cannot read the Java version from {java} -version: {_tail(done.stderr + done.stdout)}"
        )
    first, second = int(match.group(1)), int(match.group(2) or 0)
    return second if first == 1 else first


# --- configuration and password --------------------------------------------------------------


def _write_conf(layout: Layout, port: int, memory: Memory) -> None:
    d = layout.directory
    settings = {
        "server.directories.data": d / "data",
        "server.directories.logs": d / "logs",
        "server.directories.run": d / "run",
        "server.directories.plugins": d / "plugins",
        "server.directories.import": d / "import",
        "server.default_listen_address": HOST,
        "server.default_advertised_address": HOST,
        "server.bolt.listen_address": f"{HOST}:{port}",
        "server.bolt.advertised_address": f"{HOST}:{port}",
        "server.http.enabled": "false",
        "server.https.enabled": "false",
        "server.memory.heap.initial_size": memory.heap_initial,
        "server.memory.heap.max_size": memory.heap_max,
        "server.memory.pagecache.size": memory.pagecache,
        "dbms.security.auth_enabled": "true",
        "dbms.usage_report.enabled": "false",
        "db.tx_log.rotation.retention_policy": "2 files",
        # Netty waits for 5 s of quiet per event-loop group before Bolt shuts down: 10 s of
        # nothing on every stop, for a server whose clients are gone by then anyway.
        # (An internal setting, valid for the pinned version; the value is in seconds.)
        "internal.dbms.bolt.netty_server_shutdown_quiet_period": "0",
        "server.config.strict_validation.enabled": "true",
    }
    header = "# Written by kolgraph on every `kolgraph neo4j start`; edits are overwritten.\n"
    layout.conf_dir.mkdir(parents=True, exist_ok=True)
    layout.conf_file.write_text(header + "".join(f"{k}={v}\n" for k, v in settings.items()))


def configured_port(layout: Layout) -> int | None:
    """The Bolt port written in the folder's ``neo4j.conf``, if any."""
    if not layout.conf_file.is_file():
        return None
    match = re.search(
        r"^server\.bolt\.listen_address=.*:(\d+)\s*$", layout.conf_file.read_text(), re.MULTILINE
    )
    return int(match.group(1)) if match else None


def configured_memory(layout: Layout) -> Memory:
    """The heap and page cache written in the folder's ``neo4j.conf`` (defaults where absent)."""
    text = layout.conf_file.read_text() if layout.conf_file.is_file() else ""

    def setting(name: str, default: str) -> str:
        match = re.search(rf"^{re.escape(name)}=(\S+)\s*$", text, re.MULTILINE)
        return match.group(1) if match else default

    return Memory(
        heap_initial=setting("server.memory.heap.initial_size", DEFAULT_MEMORY.heap_initial),
        heap_max=setting("server.memory.heap.max_size", DEFAULT_MEMORY.heap_max),
        pagecache=setting("server.memory.pagecache.size", DEFAULT_MEMORY.pagecache),
    )


def _store_password(layout: Layout, password: str) -> None:
    fd = os.open(layout.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # also when the file existed with a looser mode
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")


def _choose_password(layout: Layout, given: str | None) -> tuple[str, str]:
    """The password to use and where it came from: given, stored or generated."""
    if given:
        return given, "given"
    if layout.initialised:
        stored = layout.password_file.read_text().strip() if layout.password_file.exists() else ""
        if not stored:
            raise Neo4jServerError(
                f"the server in {layout.directory} was set up before and its "
                "password file is missing; set NEO4J_PASSWORD to its password"
            )
        return stored, "stored"
    return generate_password(), "generated"


def generate_password(length: int = 32) -> str:
    """A random password of letters and digits (nothing a shell or a URL would mangle)."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _set_initial_password(java: str, lib: Path, layout: Layout, password: str) -> None:
    auth = layout.data_dir / "dbms" / "auth.ini"
    auth.unlink(missing_ok=True)  # from an earlier attempt that never started
    # "--": a password may begin with "-" and must not be read as an option.
    command = [
        java,
        "-cp",
        f"{lib}/*",
        "org.neo4j.cli.AdminTool",
        "dbms",
        "set-initial-password",
        "--",
        password,
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=_server_env(layout),
        cwd=layout.directory,
        timeout=300,
    )
    if done.returncode != 0:
        raise Neo4jServerError(
            f"setting the initial Neo4j password failed: {_tail(done.stdout + done.stderr)}"
        )


def _server_env(layout: Layout) -> dict[str, str]:
    return {**os.environ, "NEO4J_HOME": str(layout.directory), "NEO4J_CONF": str(layout.conf_dir)}


# --- processes -------------------------------------------------------------------------------


def _read_pid(layout: Layout) -> int | None:
    try:
        pid = int(layout.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if pid > 1 else None  # 0 and -1 would mean "every process" to kill()


def _alive(pid: int, layout: Layout) -> bool:
    """True when ``pid`` is a live Neo4j server of this folder (not a reused pid, not a zombie)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False  # our own child, which has just exited: now reaped
    except ChildProcessError:
        pass  # not our child: fine
    if not Path("/proc/self").exists():  # no procfs (not Linux): trust the pid file
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    if stat.rsplit(")", 1)[-1].split()[0] == "Z":
        return False
    return f"--home-dir={layout.directory}".encode() in cmdline


def _running_pid(layout: Layout) -> int | None:
    pid = _read_pid(layout)
    return pid if pid is not None and _alive(pid, layout) else None


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR as servers set it: only a listening socket blocks the bind.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _launch(java: str, lib: Path, layout: Layout, memory: Memory) -> subprocess.Popen:
    command = [
        java,
        f"-Xms{memory.heap_initial}",
        f"-Xmx{memory.heap_max}",
        *_JVM_FLAGS,
        "-cp",
        f"{lib}/*",
        "org.neo4j.server.CommunityEntryPoint",
        f"--home-dir={layout.directory}",
        f"--config-dir={layout.conf_dir}",
    ]
    layout.logs_dir.mkdir(parents=True, exist_ok=True)
    layout.run_dir.mkdir(parents=True, exist_ok=True)
    with open(layout.console_log, "ab") as log:
        # A new session: the server outlives this process and ignores its terminal's Ctrl-C.
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=layout.directory,
            env=_server_env(layout),
            start_new_session=True,
        )
    layout.pid_file.write_text(f"{process.pid}\n")
    return process


def _wait_until_ready(
    process: subprocess.Popen, uri: str, password: str, layout: Layout, timeout: float
) -> None:
    """Wait until Bolt answers a real query with the credentials; fail fast if the JVM dies."""
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, DriverError, Neo4jError

    deadline = time.monotonic() + timeout
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Neo4jServerError(
                f"Neo4j exited with code {process.returncode} while starting; {_log_tail(layout)}"
            )
        try:
            # bolt:// and an auto-commit query: no routing and no driver-side retries, which
            # would log warnings and back off for seconds while the server is still booting.
            with (
                GraphDatabase.driver(uri, auth=(USERNAME, password)) as driver,
                driver.session(database="system") as session,
            ):
                session.run("CALL dbms.components() YIELD versions RETURN versions").consume()
            return
        except AuthError as exc:
            raise Neo4jServerError(
                f"Neo4j in {layout.directory} rejected the password "
                f"({exc.message}); set NEO4J_PASSWORD to its password"
            ) from exc
        except (DriverError, Neo4jError, OSError) as exc:
            last_error = f"{type(exc).__name__}: {exc}"
        time.sleep(0.2)
    raise Neo4jServerError(
        f"Neo4j did not answer on {uri} within {timeout:.0f} s "
        f"(last: {last_error}); {_log_tail(layout)}"
    )


def _terminate(pid: int, layout: Layout, timeout: float) -> None:
    """SIGTERM, wait for a clean exit; SIGKILL after ``timeout`` seconds."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 30.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not _alive(pid, layout):
                return
            time.sleep(0.2)
    raise Neo4jServerError(f"Neo4j (pid {pid}) did not exit even after SIGKILL")


# --- the commands ----------------------------------------------------------------------------


def status(directory: Path) -> ServerStatus:
    """Whether a server runs in ``directory`` (by its pid file), with its pid and Bolt port."""
    layout = Layout(Path(directory).resolve())
    pid = _running_pid(layout)
    return ServerStatus(
        directory=layout.directory,
        running=pid is not None,
        pid=pid,
        port=configured_port(layout),
        memory=configured_memory(layout),
    )


def start(
    directory: Path,
    port: int = DEFAULT_PORT,
    *,
    password: str | None = None,
    memory: Memory | None = None,
    timeout: float = START_TIMEOUT,
    echo: Echo | None = None,
) -> StartResult:
    """Start a server in ``directory`` in the background and wait until Bolt answers.

    ``memory``: the heap and page cache to write into its conf; by default the folder's
    (:data:`DEFAULT_MEMORY` in a new one), so sizes chosen once stay.
    Idempotent: a server already running there is reported, not started again. The password
    is ``password``, else ``NEO4J_PASSWORD``, else the stored one (once the folder has data),
    else a new random one; it is always written to ``<directory>/password`` with mode 0600.
    """
    layout = Layout(Path(directory).resolve())
    current = status(layout.directory)
    if current.running:
        return _already_running(current, layout, password)
    java = find_java()
    lib = fetch_jars(echo=echo)
    if not _port_free(port):
        raise Neo4jServerError(
            f"port {port} on {HOST} is in use by another program; choose another with --port"
        )
    memory = memory or configured_memory(layout)
    chosen, source, fresh = _prepare_folder(java, lib, layout, port, memory, password)
    if echo:
        echo(f"Starting Neo4j {NEO4J_VERSION} in {layout.directory} (Bolt on {HOST}:{port})...")
    process = _launch(java, lib, layout, memory)
    try:
        _wait_until_ready(process, f"bolt://{HOST}:{port}", chosen, layout, timeout)
    except BaseException:  # also Ctrl-C: a half-started server is no use to anyone
        _terminate(process.pid, layout, timeout=30.0)
        layout.pid_file.unlink(missing_ok=True)
        raise
    if not fresh:
        _store_password(layout, chosen)  # proven by the server: keep it for the next start
    return StartResult(status(layout.directory), chosen, source, already_running=False)


def _prepare_folder(
    java: str, lib: Path, layout: Layout, port: int, memory: Memory, password: str | None
) -> tuple[str, str, bool]:
    """Write the conf and, in a fresh folder, set the initial password.

    Returns the password, where it came from, and whether the folder was fresh.
    """
    layout.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    layout.pid_file.unlink(missing_ok=True)  # stale: the process it named is gone
    _write_conf(layout, port, memory)
    chosen, source = _choose_password(layout, password or os.environ.get("NEO4J_PASSWORD"))
    fresh = not layout.initialised
    if fresh:
        _set_initial_password(java, lib, layout, chosen)
        _store_password(layout, chosen)  # now the server's password, whatever happens next
    return chosen, source, fresh


def _already_running(current: ServerStatus, layout: Layout, given: str | None) -> StartResult:
    given = given or os.environ.get("NEO4J_PASSWORD")
    stored = layout.password_file.read_text().strip() if layout.password_file.exists() else None
    if given:
        return StartResult(current, given, "given", already_running=True)
    return StartResult(current, stored, "stored" if stored else "unknown", already_running=True)


def stop(directory: Path, timeout: float = STOP_TIMEOUT) -> bool:
    """Stop the server in ``directory`` cleanly; False when none was running (not an error)."""
    layout = Layout(Path(directory).resolve())
    pid = _running_pid(layout)
    if pid is not None:
        _terminate(pid, layout, timeout)
    layout.pid_file.unlink(missing_ok=True)
    return pid is not None


@contextmanager
def offline(
    directory: Path, echo: Echo | None = None, *, if_start_fails: Callable[[], None] | None = None
) -> Iterator[Layout]:
    """Stop the server running in ``directory`` for the block, then start it again on the
    same port with the same memory, also when the block fails (the block's error wins).

    When that start fails, ``if_start_fails`` (say, putting the old files back) runs with
    the server stopped and the start is tried once more; the first start's error is raised.
    """
    layout = Layout(Path(directory).resolve())
    current = status(layout.directory)
    if not current.running or current.port is None:
        raise Neo4jServerError(f"no kolgraph Neo4j server is running in {layout.directory}")
    memory = configured_memory(layout)
    if echo:
        echo(f"Stopping Neo4j (folder {layout.directory})...")
    stop(layout.directory)
    try:
        yield layout
    finally:
        try:
            start(layout.directory, current.port, memory=memory, echo=echo)
        except Neo4jServerError as failed:
            if if_start_fails is None:
                raise
            if_start_fails()
            with suppress(Neo4jServerError):
                start(layout.directory, current.port, memory=memory, echo=echo)
            raise failed


def database_folders(layout: Layout, database: str) -> tuple[Path, Path]:
    """A database's store folder and its transaction log folder."""
    return (
        layout.data_dir / "databases" / database,
        layout.data_dir / "transactions" / database,
    )


def import_database(
    directory: Path,
    database: str,
    arguments: Sequence[str],
    *,
    report: Path,
    echo: Echo | None = None,
) -> None:
    """Run ``neo4j-admin database import full`` into ``database`` of the stopped server in
    ``directory``, replacing its files (``--overwrite-destination``), with ``arguments``
    naming the files and their format.

    The tool gets the server's own memory (heap, and its page cache as off-heap memory), as
    the server is stopped; any bad entry fails the import (``--bad-tolerance=0``).  Its
    stage lines go to ``echo``; a failure raises with the tail of its output.
    """
    layout = Layout(Path(directory).resolve())
    if status(layout.directory).running:
        raise Neo4jServerError(f"stop the Neo4j server in {layout.directory} before an import")
    java, lib, memory = find_java(), fetch_jars(echo=echo), configured_memory(layout)
    command = [
        java,
        f"-Xmx{memory.heap_max}",
        "-cp",
        f"{lib}/*",
        "org.neo4j.cli.AdminTool",
        "database",
        "import",
        "full",
        "--overwrite-destination=true",
        "--bad-tolerance=0",
        f"--max-off-heap-memory={memory.pagecache}",
        f"--report-file={report}",
        *arguments,
        database,
    ]
    returncode, tail = _run_streaming(command, layout, echo)
    if returncode != 0:
        bad = _tail(report.read_text(errors="replace"), 3) if report.is_file() else ""
        raise Neo4jServerError(
            f"neo4j-admin database import failed (exit {returncode}): {_tail(tail, 6)}"
            + (f"; bad entries: {bad}" if bad else "")
        )


_STACK_FRAME = re.compile(r"^(at \S+\(.*\)|\.\.\. \d+ more)$")
#: The import tool's lines worth showing as progress: its stages and its end.
_IMPORT_STAGE = re.compile(r"^(\(\d/\d\) \S.*|IMPORT (DONE|FAILED).*|Estimated required memory.*)$")


def _run_streaming(command: list[str], layout: Layout, echo: Echo | None) -> tuple[int, str]:
    """Run ``command`` in the server's environment; echo its stage lines as they come and
    return its exit code with the last lines of its output."""
    last: deque[str] = deque(maxlen=40)
    with subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        env=_server_env(layout),
        cwd=layout.directory,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            line = line.strip()
            if not line or _STACK_FRAME.match(line):
                continue  # a Java stack trace says nothing to a user; its message is kept
            last.append(line)
            if echo and _IMPORT_STAGE.match(line):
                echo(f"  neo4j-admin: {line}")
        returncode = process.wait()
    return returncode, "\n".join(last)


def start_and_describe(
    directory: Path,
    port: int = DEFAULT_PORT,
    echo: Echo | None = None,
    *,
    heap: str | None = None,
    page_cache: str | None = None,
) -> str:
    """``start`` for the CLI: returns the message to print (with the caveats of a server
    already running on another port or with other memory, if any).  ``heap`` (initial and
    maximum) and ``page_cache`` replace the folder's sizes; the others stay."""
    memory = chosen_memory(directory, heap, page_cache)
    result = start(directory, port, memory=memory, echo=echo)
    text = result.describe()
    if result.already_running and result.status.port not in (None, port):
        text += (
            f"\n(it listens on port {result.status.port}, not {port}: "
            "stop it first to change the port)"
        )
    if result.already_running and (heap or page_cache) and result.status.memory != memory:
        text += "\n(it runs with the sizes it was started with: stop it first to change them)"
    else:
        text += f"\nheap {memory.heap_max}, page cache {memory.pagecache}"
    return text


def chosen_memory(directory: Path, heap: str | None, page_cache: str | None) -> Memory:
    """The folder's memory sizes with ``heap`` and ``page_cache`` put in where given."""
    memory = configured_memory(Layout(Path(directory).resolve()))
    if heap:
        memory = replace(memory, heap_initial=heap, heap_max=heap)
    if page_cache:
        memory = replace(memory, pagecache=page_cache)
    return memory


def stop_and_describe(directory: Path) -> str:
    """``stop`` for the CLI: returns the message to print."""
    directory = Path(directory).resolve()
    if stop(directory):
        return f"Neo4j stopped (folder {directory})"
    return f"Neo4j was not running (folder {directory})"


# --- helpers ---------------------------------------------------------------------------------


def _tail(text: str, lines: int = 12) -> str:
    """The last lines of a tool's output, joined on one line for an error message."""
    kept = [line.strip() for line in text.strip().splitlines() if line.strip()][-lines:]
    return " | ".join(kept) or "(no output)"


def _log_tail(layout: Layout) -> str:
    parts = []
    for log in (layout.console_log, layout.logs_dir / "neo4j.log"):
        if log.is_file():
            parts.append(f"{log.name}: {_tail(log.read_text(errors='replace'), 8)}")
    return "; ".join(parts) or f"no log in {layout.logs_dir}"
