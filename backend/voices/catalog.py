"""The Piper voice catalog: the voices.json index the Piper project publishes with its voices.

Each entry names a voice (`en_US-lessac-medium`), its language, quality, speaker count and files
(path relative to the index's folder, size in bytes, MD5). Voice files are fetched relative to the
index's folder, in the Piper voices repository's layout, so a mirror is a copy of that tree. The
last index fetched is kept in the user cache folder for browsing offline. Nothing here runs unless
the user asks (browse or download); no file is fetched at start-up.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

DEFAULT_INDEX_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/main/voices.json"
INDEX_CACHE_NAME = "voice-index.json"
TIMEOUT_SECONDS = 20
USER_AGENT = "audiobook-renderer (voice catalog)"


class CatalogError(Exception):
    """A clear, one-line reason the catalog could not do what was asked; nothing was changed."""


@dataclass(frozen=True)
class CatalogFile:
    path: str  # relative to the index's folder, e.g. en/en_US/lessac/medium/en_US-lessac-medium.onnx
    size: int
    md5: str

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class CatalogVoice:
    key: str
    name: str
    language: str  # code, e.g. en_US
    language_name: str  # e.g. English (United States)
    quality: str
    speakers: int
    model: CatalogFile
    config: CatalogFile

    @property
    def size(self) -> int:
        return self.model.size + self.config.size


@dataclass(frozen=True)
class Catalog:
    voices: list[CatalogVoice]
    index_url: str
    fetched_at: float  # when the index was fetched (seconds since the epoch)
    offline: bool = False  # True: the cached copy, the index could not be reached now
    note: str | None = None  # why it is the cached copy, or how many entries were unreadable

    def find(self, key: str) -> CatalogVoice:
        for voice in self.voices:
            if voice.key == key:
                return voice
        near = [v.key for v in self.voices if key.lower() in v.key.lower()][:5]
        hint = f" Did you mean: {', '.join(near)}?" if near else " 'audiobook voices --catalog' lists them."
        raise CatalogError(f"No voice '{key}' in the catalog.{hint}")


def parse_index(data: bytes | str) -> tuple[list[CatalogVoice], int]:
    """(the voices, sorted by key; how many entries were unreadable and left out)."""
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CatalogError(f"The voice index is not valid JSON ({exc}).") from None
    if not isinstance(raw, dict):
        raise CatalogError("The voice index is not a JSON object of voices.")
    voices, bad = [], 0
    for key, entry in raw.items():
        try:
            voices.append(_voice(str(key), entry))
        except (KeyError, TypeError, ValueError, AttributeError):
            bad += 1
    return sorted(voices, key=lambda v: v.key), bad


def _voice(key: str, entry: dict) -> CatalogVoice:
    files = {}
    for path, meta in entry["files"].items():
        if path.endswith((".onnx", ".onnx.json")):
            files[".json" if path.endswith(".json") else ".onnx"] = CatalogFile(path, int(meta["size_bytes"]),
                                                                              str(meta["md5_digest"]).lower())
    language = entry.get("language") or {}
    code = str(language.get("code") or key.split("-", 1)[0])
    english = str(language.get("name_english") or code)
    country = language.get("country_english")
    return CatalogVoice(key=key, name=str(entry.get("name") or key), language=code,
                        language_name=f"{english} ({country})" if country else english,
                        quality=str(entry.get("quality") or ""), speakers=int(entry.get("num_speakers") or 1),
                        model=files[".onnx"], config=files[".json"])


def file_url(index_url: str, relative: str) -> str:
    """A voice file's URL: its path relative to the index's folder (query strings dropped)."""
    parts = urllib.parse.urlsplit(index_url)
    folder = parts.path.rsplit("/", 1)[0] + "/"
    path = folder + "/".join(urllib.parse.quote(p) for p in relative.split("/"))
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def fetch_catalog(index_url: str, cache_folder: Path) -> Catalog:
    """The index from `index_url`, kept in `cache_folder`; offline, the last copy kept, saying so.
    Raises CatalogError when neither is available."""
    cache = cache_folder / INDEX_CACHE_NAME
    try:
        data = _get(index_url)
    except CatalogError as reason:
        kept = _cached(cache, index_url)
        if kept is None:
            raise CatalogError(f"{reason} No copy of the voice index is kept yet: connect once to browse "
                               "voices (or use a mirror with --index-url / Advanced settings).") from None
        voices, bad, fetched = kept
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(fetched))
        return Catalog(voices, index_url, fetched, True, f"{reason} Showing the copy fetched {when}.")
    voices, bad = parse_index(data)
    if not voices:
        raise CatalogError(f"The voice index at {index_url} lists no voices this program can read.")
    from backend.atomic_file import save_text

    save_text(cache, json.dumps({"url": index_url, "fetched_at": time.time(), "index": json.loads(data)}))
    note = f"{bad} entr{'y' if bad == 1 else 'ies'} of the index could not be read and are not shown." if bad else None
    return Catalog(voices, index_url, time.time(), False, note)


def filter_voices(voices: list[CatalogVoice], language: str | None = None, quality: str | None = None) -> list[CatalogVoice]:
    """By language (code prefix 'en', 'en_US' or 'en-us', or the language's English name) and quality."""
    out = voices
    if language:
        want = language.strip().lower().replace("-", "_")
        out = [v for v in out if v.language.lower().startswith(want) or want in v.language_name.lower()]
    if quality:
        out = [v for v in out if v.quality.lower() == quality.strip().lower()]
    return out


def _get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        raise CatalogError(f"The voice index server answered {exc.code} ({exc.reason}) for {url}.") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CatalogError(f"Could not reach the voice index at {url} ({reason}); you may be offline.") from None


def _cached(path: Path, index_url: str):
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept.get("url") != index_url:
            return None
        voices, bad = parse_index(json.dumps(kept["index"]))
        return voices, bad, float(kept["fetched_at"])
    except (OSError, ValueError, KeyError, TypeError, CatalogError):
        return None
