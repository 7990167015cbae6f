import pytest

ray = pytest.importorskip("ray", reason='the cluster tests need Ray: pip install ".[cluster]"')


@pytest.fixture(scope="module")
def local_ray():
    """A real local Ray instance with two CPUs, for this module's tests."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        yield ray
    finally:
        ray.shutdown()


@pytest.fixture(autouse=True)
def isolated_user_settings(tmp_path, monkeypatch):
    from tests.conftest import pin_cpu_mode

    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(tmp_path / "user-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    pin_cpu_mode()
