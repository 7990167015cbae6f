"""Opening and closing credits for the distribution folder, spoken by the book's voice.

Each credit is a one-paragraph book of its own, planned like the real one (normalization, the
book's lexicon, cache keys from the spoken text, voice and settings) and rendered through the same
chunk cache: a resumed render finds them there and does not synthesize them again. They are
rendered after the book's chunks, only when the distribution folder is asked for, so they never
enter the book's plan, manifest, progress or accounting check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from backend.text import Book, Chapter

_LOCALE = re.compile(r"^[a-z]{2,3}_[A-Za-z]{2,4}$")  # en_US, de_DE
_QUALITIES = {"x_low", "low", "medium", "high"}


@dataclass(frozen=True)
class Credit:
    label: str  # "Opening credits" / "Closing credits"
    text: str  # what is said
    path: Path  # the assembled audio (FLAC)


def voice_narrator(voice_name: str) -> str:
    """A speakable narrator name from a Piper voice name: 'en_US-joe-medium' -> 'Joe'."""
    parts = voice_name.split("-")
    if len(parts) >= 2 and _LOCALE.match(parts[0]):
        parts = parts[1:]
    if len(parts) >= 2 and parts[-1].lower() in _QUALITIES:
        parts = parts[:-1]
    name = " ".join(parts).replace("_", " ").strip()
    return name.title() if name else voice_name


def narrator_name(setting: str | None, voice_name: str) -> str:
    """The narrator: the `narrator` setting when given, else the voice's name."""
    return setting.strip() if setting and setting.strip() else voice_narrator(voice_name)


def _title_phrase(title: str) -> str:
    return " ".join(title.split()).rstrip(" .")


def credit_texts(title: str, author: str | None, narrator: str | None) -> tuple[str, str]:
    """('This is <title>, written by <author>, narrated by <narrator>.', 'The end of <title>.')"""
    name = _title_phrase(title) or "this book"
    opening = f"This is {name}"
    if author and author.strip():
        opening += f", written by {' '.join(author.split())}"
    if narrator and narrator.strip():
        opening += f", narrated by {' '.join(narrator.split())}"
    closing = f"The end of {name}"
    end = "" if closing[-1] in "!?" else "."
    return opening + ("" if opening[-1] in "!?" else "."), closing + end


def render_credits(engine, book: Book, cache, narrator: str, folder: Path, assembly) -> list[Credit]:
    """Plan, synthesize (what the cache lacks) and assemble both credits into `folder`."""
    from backend.render.assembly import assemble_chapter
    from backend.render.plan import make_plan
    from backend.tts.synth import SynthItem

    settings, synth = engine.job.settings, engine.synth
    lexicon = engine.job.lexicon
    if lexicon is None:
        from backend.lexicon_store import load_lexicons

        lexicon = load_lexicons(engine.job.book_path, settings, engine.job.lexicon_files)
    opening, closing = credit_texts(book.title or engine.job.book_path.stem, book.author, narrator)
    credits = []
    for label, text in (("Opening credits", opening), ("Closing credits", closing)):
        credit_book = Book(title=book.title, author=book.author, chapters=[Chapter("", [text])],
                           language=book.language)
        plan = make_plan(credit_book, synth.voice, settings, lexicon)
        if not plan.chunks:
            raise ValueError(f"The {label.lower()} have nothing to say: {text!r}")
        missing = [pc for pc in plan.unique_keys.values() if not cache.has(pc.key) or not cache.verify(pc.key)]
        if missing:
            engine._log(f"Rendering the {label.lower()}: \"{text}\"")
            from backend.voices.blends import speaker_for

            speaker = speaker_for(synth.voice, settings)
            audios = synth.synthesize_batch([SynthItem(synth.phoneme_ids(pc.spoken), pc.seed, settings.length_scale,
                                                       speaker=speaker) for pc in missing])
            for pc, audio in zip(missing, audios, strict=True):
                cache.put(pc.key, audio if audio.size else np.zeros(1, np.float32))

        def load(i, planned=plan.chunks):
            audio = cache.get(planned[i].key)
            if audio is None:
                raise OSError(f"the cached audio of the {label.lower()} cannot be read")
            return audio

        path = Path(folder) / f"{label}.flac"
        assemble_chapter([pc.chunk for pc in plan.chunks], load, synth.sample_rate, path, assembly)
        credits.append(Credit(label, " ".join(pc.chunk.text for pc in plan.chunks), path))
    return credits
