"""No test reads or writes the real user folders: the config, cache, log and data folders of the
whole session point into one temporary folder (subprocesses inherit it). A render cache or a
per-book lexicon left by an earlier run on the same machine would otherwise change results."""

import os
import shutil
import tempfile

_HOME = tempfile.mkdtemp(prefix="audiobook-tests-")
for _name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
    os.environ[_name] = os.path.join(_HOME, _name.lower())
os.environ["LOCALAPPDATA"] = os.path.join(_HOME, "localappdata")  # Windows


def pytest_unconfigure(config):
    shutil.rmtree(_HOME, ignore_errors=True)


import pytest  # noqa: E402


def pin_cpu_mode() -> None:
    """Renders with 'auto' precision and CPU streams use this machine's measured CPU mode: pin it,
    in the current user cache folder, to float32 with one stream per core, so a test's audio does
    not depend on what a 3 s measurement found (tests/tts/test_cpu_modes.py measures for real)."""
    import torch

    from backend.tts.cpu_mode_store import Calibration, CpuMode, calibration_file, machine_fingerprint, save_calibration
    from backend.tts.cpu_streams import default_streams

    threads = torch.get_num_threads()
    streams = default_streams(threads)
    mode = CpuMode(streams, max(1, threads // streams))
    save_calibration(calibration_file(), Calibration(machine_fingerprint(threads), [(mode, 0.03)]))


@pytest.fixture(autouse=True, scope="session")
def _pinned_cpu_mode():
    pin_cpu_mode()
