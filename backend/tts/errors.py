"""Errors the voice engine raises with a message meant for the user."""


class VoiceError(Exception):
    """A voice file or its config cannot be used; the message says which file and why."""
