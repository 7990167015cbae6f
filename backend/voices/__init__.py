"""Voices beyond the bundled one: the Piper voice catalog and its downloads."""
