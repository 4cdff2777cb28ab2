"""Self-supervised pose embeddings from spatiotemporal relations in sports videos."""

__version__ = "0.1.0"
