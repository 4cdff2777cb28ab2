"""Training across processes with DistributedDataParallel: the launch and what a rank knows.

``launch`` runs torchrun, standalone on this machine: one process per GPU on CUDA with NCCL,
or gloo processes on the CPU. Each rank runs this module as its main program, so a calling
script (a Snakemake job's) is never imported again by the ranks.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.distributed as dist
from torch.distributed.elastic.multiprocessing.errors import record


@dataclass(frozen=True)
class Rank:
    """This process's place among ``world`` ranks; ``local`` picks its GPU."""

    index: int = 0
    world: int = 1
    local: int = 0

    @property
    def writes(self) -> bool:
        """Whether this rank writes the stage's files (only the first does)."""
        return self.index == 0

    def device(self, device: torch.device) -> torch.device:
        """The rank's own GPU when training on CUDA across processes."""
        if self.world > 1 and device.type == "cuda":
            return torch.device("cuda", self.local)
        return device

    def mean(self, values: dict[str, torch.Tensor]) -> dict[str, float]:
        """The mean of each scalar over the ranks (their parts of the batch are equal)."""
        if self.world == 1:
            return {k: float(v) for k, v in values.items()}
        stacked = torch.stack([v.detach().float() for v in values.values()])
        dist.all_reduce(stacked)
        return dict(zip(values, (stacked / self.world).tolist(), strict=True))

    def barrier(self) -> None:
        if self.world > 1:
            dist.barrier()


def launch(entry: Callable, args: tuple, processes: int, backend: str) -> None:
    """``entry(*args, rank)`` in ``processes`` ranks joined by ``backend`` (nccl: one GPU
    each), under torchrun. The ranks' output goes to this process's stderr (a job's log) as
    it comes; a failed rank raises here."""
    threads = max(1, torch.get_num_threads() // processes)
    with tempfile.TemporaryDirectory(prefix="poseembed_ranks_") as tmp:
        job = Path(tmp) / "job.pkl"
        job.write_bytes(pickle.dumps((entry, args, threads, backend)))
        command = [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nnodes=1",
            f"--nproc-per-node={processes}",
            "--max-restarts=0",
            "--module",
            __name__,
            str(job),
        ]
        with subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as ranks:
            for line in ranks.stdout:
                sys.stderr.write(line)
        if ranks.returncode:
            raise RuntimeError(
                f"training in {processes} processes failed (torchrun exit code "
                f"{ranks.returncode}); the ranks' output is in this job's log"
            )


@record
def _rank_main(job: str) -> None:
    entry, args, threads, backend = pickle.loads(Path(job).read_bytes())
    rank = Rank(
        int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), int(os.environ["LOCAL_RANK"])
    )
    torch.set_num_threads(threads)
    logging.basicConfig(
        level=logging.INFO if rank.writes else logging.ERROR,
        stream=sys.stderr,
        format=f"%(asctime)s %(levelname)s rank {rank.index} %(name)s: %(message)s",
    )
    if backend == "nccl":
        torch.cuda.set_device(rank.local)
    dist.init_process_group(backend)
    entry(*args, rank)
    # Only after success: a failed rank exits at once, and torchrun stops the others (a
    # teardown could wait on ranks blocked in a collective).
    dist.destroy_process_group()


if __name__ == "__main__":
    _rank_main(sys.argv[1])
