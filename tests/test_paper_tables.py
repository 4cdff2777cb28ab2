"""The paper's Table 1 as the workflow renders it from the temporal-only experiments."""

from __future__ import annotations

import numpy as np
import pandas as pd

from poseembed.paper_tables import Row, temporal_ranges_table


def test_temporal_ranges_follow_the_paper_s_order_and_merge_equal_ranges():
    rows = [
        Row("other", "experiment", ("o",), tau_pos=2, tau_neg=(4, 8), temporal_only=True),
        Row("p4", "experiment", ("a", "b"), tau_pos=4, tau_neg=(8, 16), temporal_only=True),
        Row("p3", "experiment", ("c",), tau_pos=3, tau_neg=(8, 16), temporal_only=True),
        Row("p4_again", "experiment", ("d",), tau_pos=4, tau_neg=(8, 16), temporal_only=True),
        Row("full", "experiment", ("e",), tau_pos=3, tau_neg=(8, 16)),
    ]
    posture = {
        m: pd.DataFrame({"auc": [auc]})
        for m, auc in zip("abcdeo", [0.6, 0.8, 0.7, 0, 0, 0.5], strict=True)
    }
    table = temporal_ranges_table(rows, posture)
    assert list(table["experiment"]) == ["p3", "p4 = p4_again", "other"]
    assert list(table["paper_avg_auc"][:2]) == [0.768, 0.781] and np.isnan(
        table["paper_avg_auc"][2]
    )
    assert table["avg_auc"][1] == 0.7 and table["seeds"][1] == 2
