import pytest


@pytest.fixture(autouse=True)
def isolated_user_settings(tmp_path, monkeypatch):
    """CLI runs read user_settings.json: keep them away from the real one."""
    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(tmp_path / "user-config"))
