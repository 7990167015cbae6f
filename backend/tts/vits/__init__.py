"""Inference-only VITS (the architecture Piper voices use), written for this project."""
