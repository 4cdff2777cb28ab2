"""Dense optical flow (our batched PyTorch TV-L1, OpenCV's methods, RAFT) and its statistics."""
