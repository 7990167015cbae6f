"""`audiobook voices --catalog / --download` against a real local HTTP server."""

from __future__ import annotations

from backend import cli
from backend.settings_store import load_settings
from tests.voices.test_catalog import JOE, server  # noqa: F401  (the server fixture)


def test_catalog_download_and_offline(server, capsys, monkeypatch, tmp_path):  # noqa: F811
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert cli.main(["voices", "--catalog", "--language", "en", "--index-url", server.url]) == 0
    out = capsys.readouterr()
    assert JOE in out.out and "en_GB-small-low" in out.out and "de_DE" not in out.out
    assert "2 voices" in out.err and "installed" not in out.out

    assert cli.main(["voices", "--download", JOE, "--index-url", server.url]) == 0
    out = capsys.readouterr()
    assert f"Installed {JOE}" in out.out and "(100%)" in out.err
    saved = load_settings().settings.voices
    assert len(saved) == 1 and saved[0].endswith(f"{JOE}.onnx")
    assert cli.main(["voices"]) == 0
    assert capsys.readouterr().out.count(JOE) >= 2  # the bundled voice and the downloaded one

    assert cli.main(["voices", "--download", "nobody-here", "--index-url", server.url]) == 1
    assert "No voice 'nobody-here'" in capsys.readouterr().err

    server.stop()
    assert cli.main(["voices", "--catalog", "--index-url", server.url]) == 0
    out = capsys.readouterr()
    assert "Showing the copy fetched" in out.err and f"{JOE}" in out.out and "installed" in out.out
    assert cli.main(["voices", "--download", "en_GB-small-low", "--index-url", server.url]) == 1
    assert "needs the voice index online" in capsys.readouterr().err
