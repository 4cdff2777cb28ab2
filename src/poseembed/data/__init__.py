"""Datasets: the synthetic sports generator and the readers of real video sources."""
