"""The training input pipeline: each iteration's batch assembled in DataLoader workers.

A batch is a pure function of (seed, stage, iteration) and the rank's part, so workers may
make batches in any order and any number of them: the stage trains on the same batches with 0
workers (in the training process) or many. For a GPU the workers hand over uint8 images and the
GPU augments them; for the CPU the workers augment too, leaving the training process only the
training step.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from poseembed.batches import (
    BatchRecipe,
    CropStore,
    SampleRows,
    TaskInputs,
    assemble,
    draw_plan,
    to_device,
)


class StageBatches(Dataset):
    """Item ``it``: this rank's part of iteration ``it``'s batch, as uint8 images or, with
    ``finish``, as the network's float input on the CPU."""

    def __init__(
        self,
        rows: SampleRows,
        store: CropStore,
        recipe: BatchRecipe,
        seed: tuple[int, ...],
        rank: int = 0,
        world: int = 1,
        finish: bool = False,
    ) -> None:
        self.rows, self.store, self.recipe = rows, store, recipe
        self.seed, self.rank, self.world, self.finish = seed, rank, world, finish

    def __getitem__(self, it: int) -> dict[str, TaskInputs]:
        rng = np.random.default_rng([*self.seed, it])
        plan = draw_plan(self.rows, self.recipe, rng).part(self.rank, self.world)
        batch = assemble(plan, self.rows, self.store, self.recipe.input_size)
        if self.finish:
            return to_device(batch, torch.device("cpu"), self.recipe.input_size)
        return batch


def stage_loader(batches: StageBatches, iterations: range, workers: int, pin: bool) -> DataLoader:
    """Batches of ``iterations`` in order, ``workers`` processes ahead of the training loop
    (0: made in the training process when asked for)."""
    return DataLoader(
        batches,
        batch_size=None,
        sampler=iterations,
        num_workers=workers,
        pin_memory=pin,
        prefetch_factor=4 if workers else None,
        # Workers need only NumPy and memory maps; one thread each leaves the cores to training.
        worker_init_fn=_one_thread if workers else None,
    )


def _one_thread(_: int) -> None:
    torch.set_num_threads(1)
