import pytest


@pytest.fixture(autouse=True)
def isolated_user_settings(tmp_path, monkeypatch):
    """CLI runs read user_settings.json and keep per-book files (lexicons, renders) in the cache
    folder: each test gets its own, so a run on the same machine before cannot leak in."""
    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(tmp_path / "user-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
