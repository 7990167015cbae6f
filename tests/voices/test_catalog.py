"""The voice catalog against a real HTTP server on 127.0.0.1 serving a fixture index and voices
(built here): browse and filter, offline browsing from the kept copy, and downloads that resume
after a dropped connection, refuse a bad checksum or a 404, and install atomically."""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from backend.tts.voice import default_voice_path, load_voice
from backend.voices.catalog import CatalogError, fetch_catalog, file_url, filter_voices, parse_index
from backend.voices.download import install_voice, installed_model

JOE = "en_US-joe-medium"


class Server:
    """Serves files of `root` with Range support; `drop_after[path] = n` cuts the connection after
    n bytes of that file once; `requests` records (path, Range header)."""

    def __init__(self, root: Path):
        self.root, self.drop_after, self.requests = root, {}, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = self.path.split("?", 1)[0].lstrip("/")
                server.requests.append((path, self.headers.get("Range")))
                file = server.root / path
                if not file.is_file():
                    self.send_error(404, "Not Found")
                    return
                data = file.read_bytes()
                start = 0
                if self.headers.get("Range"):
                    start = int(self.headers["Range"].split("=")[1].split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(data) - start))
                self.end_headers()
                cut = server.drop_after.pop(path, None)
                self.wfile.write(data[start:] if cut is None else data[start : start + cut])
                if cut is not None:
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/piper-voices/voices.json"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def _entry(root: Path, key: str, model: bytes, config: bytes, speakers: int = 1) -> dict:
    family, rest = key.split("_", 1)
    code = f"{family}_{rest.split('-')[0]}"
    name, quality = key.split("-")[1:3]
    files = {}
    for suffix, data in ((".onnx", model), (".onnx.json", config)):
        rel = f"{family}/{code}/{name}/{quality}/{key}{suffix}"
        (root / "piper-voices" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "piper-voices" / rel).write_bytes(data)
        files[rel] = {"size_bytes": len(data), "md5_digest": hashlib.md5(data).hexdigest()}
    files[f"{family}/{code}/{name}/{quality}/MODEL_CARD"] = {"size_bytes": 1, "md5_digest": "0"}
    return {"key": key, "name": name, "quality": quality, "num_speakers": speakers,
            "language": {"code": code, "family": family, "name_english": {"en": "English", "de": "German"}[family],
                         "country_english": {"US": "United States", "GB": "Great Britain", "DE": "Germany"}[code[-2:]]},
            "files": files}


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "www"
    joe = default_voice_path()
    index = {
        JOE: _entry(root, JOE, joe.read_bytes(), Path(str(joe) + ".json").read_bytes()),
        "en_GB-small-low": _entry(root, "en_GB-small-low", b"x" * 300_000, b'{"audio": {}}', speakers=4),
        "de_DE-klein-x_low": _entry(root, "de_DE-klein-x_low", b"y" * 1000, b"{}"),
        "broken-entry": {"files": "nonsense"},
    }
    (root / "piper-voices" / "voices.json").write_text(json.dumps(index))
    srv = Server(root)
    yield srv
    srv.stop()


def test_browse_filter_and_browse_offline(server, tmp_path):
    cache = tmp_path / "cache"
    catalog = fetch_catalog(server.url, cache)
    assert [v.key for v in catalog.voices] == ["de_DE-klein-x_low", "en_GB-small-low", JOE]
    assert not catalog.offline and "1 entry" in catalog.note  # the broken entry is left out, and said
    small = catalog.find("en_GB-small-low")
    assert (small.speakers, small.quality, small.language_name) == (4, "low", "English (Great Britain)")
    assert small.size == 300_000 + len(b'{"audio": {}}')
    assert [v.key for v in filter_voices(catalog.voices, "en")] == ["en_GB-small-low", JOE]
    assert [v.key for v in filter_voices(catalog.voices, "en-us")] == [JOE]
    assert [v.key for v in filter_voices(catalog.voices, "german")] == ["de_DE-klein-x_low"]
    assert [v.key for v in filter_voices(catalog.voices, quality="LOW")] == ["en_GB-small-low"]
    with pytest.raises(CatalogError, match="Did you mean: en_GB-small-low"):
        catalog.find("small")
    server.stop()  # offline: the kept copy, saying so
    offline = fetch_catalog(server.url, cache)
    assert offline.offline and "Could not reach" in offline.note and "Showing the copy fetched" in offline.note
    assert [v.key for v in offline.voices] == [v.key for v in catalog.voices]
    with pytest.raises(CatalogError, match="No copy of the voice index is kept yet"):
        fetch_catalog(server.url, tmp_path / "empty-cache")


def test_download_installs_a_voice_that_loads(server, tmp_path):
    catalog = fetch_catalog(server.url, tmp_path / "cache")
    voices = tmp_path / "voices"
    seen = []
    model = install_voice(catalog.find(JOE), server.url, voices, lambda name, done, total: seen.append((name, done, total)))
    assert model == voices / JOE / f"{JOE}.onnx" and installed_model(voices, catalog.find(JOE)) == model
    assert load_voice(model).name == JOE  # a real voice: it loads and names itself
    assert seen[-1][1] == seen[-1][2] and seen[-1][0] == f"{JOE}.onnx"
    assert not any((voices / ".partial").iterdir())
    assert file_url(server.url + "?download=true", "en/a b.onnx").endswith("/piper-voices/en/a%20b.onnx")


def test_a_dropped_connection_resumes_where_it_stopped(server, tmp_path):
    catalog = fetch_catalog(server.url, tmp_path / "cache")
    voice = catalog.find("en_GB-small-low")
    server.drop_after["piper-voices/" + voice.model.path] = 120_000
    voices = tmp_path / "voices"
    with pytest.raises(CatalogError, match="next try resumes"):
        install_voice(voice, server.url, voices)
    assert installed_model(voices, voice) is None and not (voices / voice.key).exists()  # nothing half-installed
    model = install_voice(voice, server.url, voices)
    assert model.read_bytes() == b"x" * 300_000
    ranges = [r for p, r in server.requests if p.endswith(".onnx")]
    assert ranges == [None, "bytes=120000-"]


def test_a_bad_checksum_or_a_404_installs_nothing(server, tmp_path):
    catalog = fetch_catalog(server.url, tmp_path / "cache")
    voice = catalog.find("de_DE-klein-x_low")
    served = server.root / "piper-voices" / voice.model.path
    served.write_bytes(b"z" * 1000)  # same size, other bytes: only the checksum can tell
    voices = tmp_path / "voices"
    with pytest.raises(CatalogError, match="checksum"):
        install_voice(voice, server.url, voices)
    assert not (voices / voice.key).exists() and not (voices / ".partial" / voice.key / voice.model.name).exists()
    served.unlink()
    with pytest.raises(CatalogError, match="404"):
        install_voice(voice, server.url, voices)
    assert not (voices / voice.key).exists()
    shutil.rmtree(voices)


def test_unreadable_indexes_say_so(server, tmp_path):
    with pytest.raises(CatalogError, match="not valid JSON"):
        parse_index(b"<html>")
    with pytest.raises(CatalogError, match="404"):
        fetch_catalog(server.url.replace("voices.json", "missing.json"), tmp_path / "c")
