"""Rendering: chunk cache and audiobook file writers. No Qt."""
