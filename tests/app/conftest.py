"""Qt tests run offscreen: no X server or Wayland compositor on CI machines."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
