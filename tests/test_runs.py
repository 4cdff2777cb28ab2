import numpy as np

from poseembed.runs import run_ids, true_runs


def test_runs_of_true_values_and_their_numbers():
    mask = np.array([True, True, False, False, True, False, True, True, True])
    assert true_runs(mask) == [(0, 2), (4, 5), (6, 9)]
    assert run_ids(mask).tolist() == [0, 0, -1, -1, 1, -1, 2, 2, 2]
    assert run_ids(~mask).tolist() == [-1, -1, 0, 0, -1, 1, -1, -1, -1]
    assert run_ids(np.zeros(0, bool)).tolist() == []
