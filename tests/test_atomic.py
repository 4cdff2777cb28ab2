"""Atomic writes: nothing half-written, the mode a plain open gives, identical bytes."""

from __future__ import annotations

import os
import stat

import pytest
import torch

from poseembed.atomic import atomic_path, save_torch


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_outputs_get_the_mode_the_umask_gives(tmp_path, umask):
    old = os.umask(umask)
    try:
        with atomic_path(tmp_path / "out.txt") as tmp:
            tmp.write_text("x")
        plain = tmp_path / "plain.txt"
        plain.write_text("x")
    finally:
        os.umask(old)
    mode = stat.S_IMODE(os.stat(tmp_path / "out.txt").st_mode)
    assert mode == 0o666 & ~umask == stat.S_IMODE(os.stat(plain).st_mode)


def test_a_failed_write_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "out.txt") as tmp:
        tmp.write_text("half")
        raise RuntimeError
    assert list(tmp_path.iterdir()) == []


def test_torch_files_are_byte_identical_across_writes(tmp_path):
    obj = {"model": {"w": torch.arange(6.0).reshape(2, 3)}, "stage": 1}
    save_torch(obj, tmp_path / "a.pt")
    save_torch(obj, tmp_path / "b.pt")
    assert (tmp_path / "a.pt").read_bytes() == (tmp_path / "b.pt").read_bytes()
    assert torch.equal(
        torch.load(tmp_path / "b.pt", weights_only=True)["model"]["w"], obj["model"]["w"]
    )
