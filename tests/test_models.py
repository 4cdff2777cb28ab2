"""The Siamese network's shapes and its normalised embedding."""

from __future__ import annotations

import pytest
import torch

from poseembed.config import schema_defaults
from poseembed.models import SiameseNet


@pytest.mark.parametrize("trunk,size", [("small", 64), ("resnet18", 64), ("alexnet", 227)])
def test_shapes_and_unit_embeddings(trunk, size):
    torch.manual_seed(0)
    net = SiameseNet(trunk, embedding_dim=32).eval()
    x = torch.rand(2, 3, size, size)
    with torch.no_grad():
        emb = net.embed(x)
        assert emb.shape == (2, 32)
        assert torch.allclose(emb.norm(dim=1), torch.ones(2), atol=1e-5)
        assert net.temporal_logits(x, x).shape == (2, 2)
        assert net.spatial_logits(x, x).shape == (2, 8)


def test_unknown_trunk_names_the_key():
    with pytest.raises(ValueError, match="model.trunk"):
        SiameseNet("vgg", schema_defaults("model")["embedding_dim"])


def test_temporal_head_ignores_pair_order_and_spatial_head_does_not():
    torch.manual_seed(0)
    net = SiameseNet("small", embedding_dim=16).eval()
    a, b = torch.rand(3, 3, 64, 64), torch.rand(3, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(net.temporal_logits(a, b), net.temporal_logits(b, a), atol=1e-5)
        assert not torch.allclose(net.spatial_logits(a, b), net.spatial_logits(b, a), atol=1e-3)
