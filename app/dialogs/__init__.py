"""Dialogs of the main window."""

from app.dialogs.advanced_settings import AdvancedSettingsDialog

__all__ = ["AdvancedSettingsDialog"]
