"""A render's workers as Ray actors: one per GPU of the cluster (`num_gpus=1`), or one per CPU
core where the cluster has no GPUs. Each actor holds the voice warm (backend/render/workers.py);
tasks are batches of chunks. No home-made scheduler: Ray places the actors, restarts one that
dies and retries the batch it had (max_restarts, max_task_retries).

Results come back through Ray's object store and the driver writes them to its own chunk cache:
a cluster needs no shared filesystem, the cache has one writer, and a driver that dies resumes
from that cache like any render. A batch's audio is a few MB, small next to the network.
"""

from __future__ import annotations

import time
from dataclasses import replace

from backend.render.workers import BatchWorker, WorkerSpec

INSTALL_HINT = 'Rendering on a Ray cluster needs Ray: pip install ".[cluster]" (in the app\'s environment, on every node).'
_RESTARTS = 3  # an actor (or its node) may die this often; each time only its batch is redone


class ClusterWorker(BatchWorker):
    """BatchWorker in a Ray actor: also says where it runs, for the batch lines."""

    def where(self) -> str:
        import ray

        node = ray.util.get_node_ip_address()
        gpus = ray.get_gpu_ids()
        return f"{node} GPU {gpus[0]}" if gpus else f"{node} CPU {self.spec.label}"

    def finish(self, output_dir: str, stem: str) -> tuple[list, list]:
        """The session's summary lines; its VRAM files go to the node's temp folder (the driver's output
        folder may not exist on this node), the figures are in every batch line."""
        import tempfile

        return super().finish(tempfile.mkdtemp(prefix="audiobook-vram-"), stem)


def connect(address: str):
    """Ray, connected to the cluster at `address` ("auto": the one this machine runs, else a local one)."""
    try:
        import ray
    except ImportError:
        raise ValueError(INSTALL_HINT) from None
    if not ray.is_initialized():
        import os

        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # nothing leaves the machine unasked
        try:
            # auto: RAY_ADDRESS or the cluster 'ray start' made here, else a new local instance.
            ray.init(address=None if address == "auto" else address, log_to_driver=False, logging_level="ERROR",
                     include_dashboard=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            hint = (" The cluster wants its token: set RAY_AUTH_MODE=token (Ray reads ~/.ray/auth_token), as on "
                    "its nodes." if "auth" in str(exc).lower() else "")
            raise ValueError(f"Could not reach the Ray cluster at {address!r}: {first}.{hint} Start it with "
                             "'ray start --head' (see README), or check the address.") from None
    return ray


class RayPool:
    shares_cache = False  # the driver stores what the actors send back

    def __init__(self, address: str, settings, log):
        self.ray = connect(address)
        resources = self.ray.cluster_resources()
        self.gpus = int(resources.get("GPU", 0))
        cpus = max(1, int(resources.get("CPU", 1)))
        if self.gpus:
            count = self.gpus if settings.workers == "auto" else min(int(settings.workers), self.gpus)
            base = replace(settings, device="cuda")
            self.specs = [WorkerSpec(f"GPU {i}", base) for i in range(count)]
        else:
            count = cpus if settings.workers == "auto" else min(int(settings.workers), cpus)
            base = replace(settings, device="cpu", cpu_streams=1, batch_size=1)
            self.specs = [WorkerSpec(str(i + 1), base, threads=1) for i in range(count)]
        self.labels = [s.label for s in self.specs]
        self.actors: list = []
        self._warming: dict = {}  # ObjectRef -> worker
        self._running: dict = {}  # ObjectRef -> worker
        self._log = log
        log(f"Ray cluster: {len(self.ray.nodes())} node(s), {cpus} CPUs, {self.gpus} GPUs")

    def __len__(self) -> int:
        return len(self.specs)

    def label(self, wid: int) -> str:
        return self.labels[wid]

    def describe(self) -> str:
        kind = "GPU" if self.gpus else "CPU"
        return f"the Ray cluster: {len(self)} {kind} actor{'s' if len(self) != 1 else ''}"

    def start(self, cache_folder, warm_texts: list[str], dialogue_voice: str | None = None) -> None:
        resources = {"num_gpus": 1} if self.gpus else {"num_cpus": 1}
        remote = self.ray.remote(ClusterWorker).options(max_restarts=_RESTARTS, max_task_retries=_RESTARTS, **resources)
        for wid, spec in enumerate(self.specs):
            actor = remote.remote(replace(spec, dialogue_voice=dialogue_voice))
            self.actors.append(actor)
            self._warming[actor.warm_up.remote(warm_texts)] = wid
            self._warming[actor.where.remote()] = wid

    def submit(self, wid: int, tasks: list, number: int) -> None:
        self._running[self.actors[wid].render.remote(tasks, number)] = wid

    def poll(self, timeout: float) -> list[tuple]:
        pending = list(self._warming) + list(self._running)
        if not pending:
            time.sleep(timeout)
            return []
        ready, _ = self.ray.wait(pending, num_returns=len(pending), timeout=timeout)
        messages = []
        for ref in ready:
            warming = ref in self._warming
            wid = (self._warming if warming else self._running).pop(ref)
            try:
                value = self.ray.get(ref)
            except Exception as exc:  # the actor died more often than Ray restarts it, or its node is gone
                messages.append(("lost", wid, _reason(exc)))
                continue
            if isinstance(value, str):
                self.labels[wid] = value  # where(): the node and GPU it landed on
            elif warming:
                size, lines = value
                messages += [("log", wid, level, line) for level, line in lines]
                messages.append(("ready", wid, size))
            else:
                messages.append(("batch", wid, 0, value))
        return messages

    def finish(self, output_dir: str, stem: str, log) -> list:
        """Each actor's session summary reaches the log; VRAM graphs stay on the nodes (their
        figures are in every batch line)."""
        refs = {actor.finish.remote(output_dir, stem): wid for wid, actor in enumerate(self.actors)}
        try:
            for ref, wid in refs.items():
                for level, line in self.ray.get(ref, timeout=60)[1]:
                    log(wid, level, line)
        except Exception:
            pass  # a summary line lost, nothing of the book
        return []

    def shutdown(self) -> None:
        for actor in self.actors:
            try:
                self.ray.kill(actor)
            except Exception:
                pass
        self.actors.clear()


def _reason(exc: BaseException) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"the actor stopped ({type(exc).__name__}: {first[:200]})"
