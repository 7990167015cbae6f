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
