"""Download a catalog voice (.onnx and .onnx.json) into the user's voice folder.

Files land in a `.partial/<key>` folder first. An interrupted download resumes where it stopped
(HTTP Range) at the next try. Each file is checked against the index's size and MD5, and only when
both files are whole does the folder move into place with one rename, so the voice list never sees
a half-installed voice. A checksum mismatch deletes the partial file and installs nothing.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

from backend.voices.catalog import TIMEOUT_SECONDS, USER_AGENT, CatalogError, CatalogFile, CatalogVoice, file_url

Progress = Callable[[str, int, int], None]  # (file name, bytes so far, bytes in all)
_BLOCK = 1 << 16


def user_voices_folder() -> Path:
    """Where downloaded voices live: the user data folder's voices/ (one folder per voice)."""
    from platformdirs import user_data_dir

    from backend.settings import APP_NAME

    return Path(user_data_dir(APP_NAME, appauthor=False)) / "voices"


def index_cache_folder() -> Path:
    """Where the last voice index fetched is kept (the user cache folder)."""
    from platformdirs import user_cache_dir

    from backend.settings import APP_NAME

    return Path(user_cache_dir(APP_NAME, appauthor=False))


def voice_folder(voices_dir: Path, key: str) -> Path:
    return voices_dir / key


def installed_model(voices_dir: Path, voice: CatalogVoice) -> Path | None:
    """The installed .onnx of this catalog voice, if it is installed whole."""
    folder = voice_folder(voices_dir, voice.key)
    model, config = folder / voice.model.name, folder / voice.config.name
    return model if model.is_file() and config.is_file() else None


def install_voice(voice: CatalogVoice, index_url: str, voices_dir: Path, progress: Progress | None = None,
                  cancelled: Callable[[], bool] = lambda: False) -> Path:
    """Download, verify and install; returns the installed .onnx. Raises CatalogError (nothing is
    installed; a partly downloaded file is kept to resume unless it proved corrupt)."""
    staging = voices_dir / ".partial" / voice.key
    staging.mkdir(parents=True, exist_ok=True)
    for item in (voice.config, voice.model):
        _download(file_url(index_url, item.path), staging / item.name, item, progress, cancelled)
    final = voice_folder(voices_dir, voice.key)
    if final.exists():  # a reinstall: move the old one away first, so the rename below is atomic
        old = voices_dir / ".partial" / f"{voice.key}.old"
        shutil.rmtree(old, ignore_errors=True)
        os.replace(final, old)
        os.replace(staging, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, final)
    return final / voice.model.name


def _download(url: str, target: Path, item: CatalogFile, progress: Progress | None, cancelled) -> None:
    have = target.stat().st_size if target.exists() else 0
    if have > item.size:
        target.unlink()
        have = 0
    if have < item.size:
        headers = {"User-Agent": USER_AGENT}
        if have:
            headers["Range"] = f"bytes={have}-"
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=TIMEOUT_SECONDS) as resp:
                if have and resp.status != 206:  # the server ignored the range: start over
                    have = 0
                with open(target, "ab" if have else "wb") as out:
                    while True:
                        if cancelled():
                            raise CatalogError(f"Download of {item.name} stopped; it resumes at the next try.")
                        block = resp.read(_BLOCK)
                        if not block:
                            break
                        out.write(block)
                        have += len(block)
                        if progress is not None:
                            progress(item.name, have, item.size)
        except urllib.error.HTTPError as exc:
            raise CatalogError(f"The server answered {exc.code} ({exc.reason}) for {url}; nothing was installed.") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", None) or type(exc).__name__
            raise CatalogError(f"The download of {item.name} was interrupted ({reason}); {have:,} of {item.size:,} "
                               "bytes are kept and the next try resumes there. Nothing was installed.") from None
    size = target.stat().st_size
    if size != item.size:
        raise CatalogError(f"{item.name} ended at {size:,} of {item.size:,} bytes (the connection dropped?); "
                           "the next try resumes. Nothing was installed.")
    if _md5(target) != item.md5:
        target.unlink()
        raise CatalogError(f"{item.name} does not match the index's checksum (a damaged download or a changed "
                           "file on the server); it was deleted and nothing was installed.")


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)  # the index publishes MD5: it checks integrity, not trust
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
