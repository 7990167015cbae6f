import pytest

from tests.conftest import pin_cpu_mode


@pytest.fixture(autouse=True)
def isolated_user_settings(tmp_path, monkeypatch):
    """CLI runs read user_settings.json and keep per-book files (lexicons, renders) in the cache
    folder: each test gets its own, so a run on the same machine before cannot leak in."""
    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(tmp_path / "user-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    pin_cpu_mode()  # that folder also holds the machine's measured CPU mode
