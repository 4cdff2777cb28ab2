"""What a failed job tells the user."""

from __future__ import annotations

from poseembed.logs import failure_summary


def test_a_failed_video_job_names_its_inputs_and_how_to_leave_the_video_out():
    error = ValueError("1 frame: the flow needs two")
    text = failure_summary(
        "optical_flow",
        ["results/frames/vault/short.npz"],
        {"category": "vault", "video": "short"},
        error,
    )
    assert text.startswith("optical_flow failed on results/frames/vault/short.npz: ValueError: 1")
    assert "add 'short' to dataset.exclude" in text


def test_a_job_of_many_inputs_names_a_few_and_counts_the_rest():
    inputs = [f"results/crops/c/v{i}.npy" for i in range(10)]
    text = failure_summary("curriculum", inputs, {}, RuntimeError("x"))
    assert "v0.npy, results/crops/c/v1.npy" in text and "and 6 more" in text
    assert "dataset.exclude" not in text
