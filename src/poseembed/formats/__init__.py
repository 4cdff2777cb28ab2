"""Readers and writers of the datasets' own file formats."""
