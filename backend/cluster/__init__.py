"""Rendering on a Ray cluster (the optional `.[cluster]` extra): backend/cluster/ray_pool.py."""
