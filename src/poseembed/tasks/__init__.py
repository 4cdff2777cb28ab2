"""The self-supervised tasks' samplers: temporal ordering pairs and spatial placement patches."""
