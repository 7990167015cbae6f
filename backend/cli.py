"""Command line: speak text or a book file to a WAV with a Piper voice, list voices.

    audiobook render BOOK [-o DIR] [--voice PATH] [--batch-size N] [--device cpu|cuda] [--format flac|wav]
    audiobook say "Hello there." -o hello.wav
    audiobook say --file resources/demo_book.md -o demo.wav
    audiobook chapters BOOK [--select 1-3,7|all|default]
    audiobook voices [--add PATH.onnx ...]
    audiobook check FILE... [--preset acx|podcast|ebu|off]

Exit codes: 0 done, 1 error (with a one-line reason), 130 stopped by Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

EXIT_OK, EXIT_ERROR, EXIT_STOPPED = 0, 1, 130


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


_SPEAKERS_SHOWN = 8


def _cmd_voices(args) -> int:
    from backend.cli_voices import run_catalog
    from backend.tts.voice import list_voices, load_voice

    done = run_catalog(args)  # --catalog / --download
    if done is not None:
        return done

    for path in args.add or []:
        load_voice(path)  # say why a given voice is unusable instead of skipping it
    for v in list_voices(args.add or []):
        lang = v.config.get("language", {}).get("name_english", v.espeak_voice)
        print(f"{v.name:<28} {lang:<10} {v.sample_rate} Hz  {v.model_path}")
        if v.num_speakers > 1:
            names = v.speaker_names()
            shown = ", ".join(names[:_SPEAKERS_SHOWN]) + (", …" if len(names) > _SPEAKERS_SHOWN else "")
            print(f"{'':<28} {v.num_speakers} speakers (--speaker NAME or ID){': ' + shown if names else ''}")
    return EXIT_OK


def _cmd_say(args) -> int:
    import dataclasses

    from backend.settings_store import load_settings
    from backend.text.book import Book, Chapter
    from backend.text.chunker import plan_book_chunks
    from backend.text.language import check_language
    from backend.text.loader import load_book
    from backend.tts.speak import speak_chunks_to_wav
    from backend.tts.voice import load_voice
    from backend.voices.blends import speaker_for

    # A speaker name or id, a saved blend's name, or a blend written out ('alice:0.7,bob:0.3'); checked before any work.
    speaker = speaker_for(load_voice(args.voice), dataclasses.replace(load_settings().settings, speaker=args.speaker))
    if args.file:
        book = load_book(Path(args.file))
        for warning in getattr(book, "warnings", []):
            _log(f"WARNING: {warning}")
        problem = None if args.any_language else check_language(book, load_voice(args.voice))
        if problem:
            print(f"Error: {problem}", file=sys.stderr)
            return EXIT_ERROR
        titles = True
    elif args.text:
        paragraphs = [p for p in args.text.split("\n\n") if p.strip()]
        book = Book(title="", author="", chapters=[Chapter("", paragraphs)], cover=None, cover_mime=None,
                    source_path=None)
        titles = False
    else:
        print("Nothing to say: give TEXT or --file PATH.", file=sys.stderr)
        return EXIT_ERROR
    from backend.settings_store import load_settings
    from backend.text.dates import date_order_for

    order = date_order_for(load_settings().settings.date_order, book.language, load_voice(args.voice).espeak_voice)
    chunks = _spoken_chunks(plan_book_chunks(book, args.max_chars, include_titles=titles, date_order=order), book, args)
    if not chunks:
        print("Nothing to say: the text has no speakable words.", file=sys.stderr)
        return EXIT_ERROR
    from backend.render.cpu_mode_step import resolve_settings
    from backend.settings import RenderSettings

    # As a render on this device would: on a CPU, the measured mode (streams and precision).
    mode, line = resolve_settings(RenderSettings(device=args.device), args.device, lambda: load_voice(args.voice), _log)
    if line:
        _log(line)
    summary = speak_chunks_to_wav(
        chunks, Path(args.output), voice_path=args.voice, device=args.device, batch_size=args.batch_size,
        length_scale=args.speed, log=_log, precision=mode.precision, cpu_streams=mode.cpu_streams, speaker=speaker,
    )
    _log(
        f"Wrote {summary.path} ({summary.audio_seconds:.1f} s of audio from {summary.chunks} chunks "
        f"in {summary.wall_seconds:.1f} s, {summary.audio_seconds / max(summary.wall_seconds, 1e-9):.1f}x real time)"
    )
    return EXIT_OK


def _spoken_chunks(chunks, book, args) -> list:
    """Chunks as they will be said: the pronunciation lexicons (global, --lexicon, the book's),
    heteronyms, and runs in a script the voice cannot speak left out with one warning."""
    import dataclasses

    from backend.lexicon_store import load_lexicons
    from backend.settings_store import load_settings
    from backend.text.language import skipping_language
    from backend.text.spoken import spoken_text
    from backend.tts.voice import load_voice

    settings = load_settings().settings
    lexicon = load_lexicons(Path(args.file) if args.file else None, settings, tuple(args.lexicon or ()))
    language = skipping_language(book, load_voice(args.voice), args.any_language)
    kept, skipped = [], {}
    for chunk in chunks:
        spoken = spoken_text(chunk.text, lexicon, language=language)
        skipped.update(dict.fromkeys(spoken.skipped))
        if spoken.text.strip():
            kept.append(dataclasses.replace(chunk, text=spoken.text))
    if skipped:
        _log(f"WARNING: Skipped {len(skipped)} passage{'s' if len(skipped) != 1 else ''} in a script the voice "
             f"cannot speak: {', '.join(skipped)}")
    return kept


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="audiobook", description="Local audiobook renderer (Piper voices, our VITS).")
    sub = parser.add_subparsers(dest="command", required=True)
    from backend.cli_render import add_render_parser

    add_render_parser(sub)
    say = sub.add_parser("say", help="speak text or a book file (txt, md, epub) to one WAV file")
    say.add_argument("text", nargs="?", help="the text to speak")
    say.add_argument("--file", help="read the text from a book file instead")
    say.add_argument("-o", "--output", default="speech.wav", help="WAV file to write (default: speech.wav)")
    say.add_argument("--voice", help="a Piper voice .onnx (its .onnx.json beside it); default: the bundled voice")
    say.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N (default: cpu)")
    say.add_argument("--batch-size", type=int, default=1, help="chunks per forward pass on a GPU (a CPU runs one per core)")
    say.add_argument("--speed", type=float, default=None, help="length scale: >1 slower, <1 faster")
    say.add_argument("--max-chars", type=int, default=400, help="longest chunk in characters")
    say.add_argument("--speaker", default=None, metavar="NAME|ID",
                     help="for a voice with several speakers: a speaker's name or id, a saved blend's name, or a blend "
                          "such as 'alice:0.7,bob:0.3' (default: the first)")
    say.add_argument("--any-language", action="store_true",
                     help="speak even when the voice does not speak the book's language (refused otherwise)")
    say.set_defaults(func=_cmd_say)
    say.add_argument("--lexicon", action="append", metavar="FILE", help="also use this pronunciation lexicon (JSON)")
    from backend.cli_words import add_word_parsers

    add_word_parsers(sub)
    from backend.cli_chapters import add_chapters_parser

    add_chapters_parser(sub)
    from backend.cli_check import add_check_parser

    add_check_parser(sub)
    from backend.cli_cpu_mode import add_cpu_mode_parser

    add_cpu_mode_parser(sub)
    voices = sub.add_parser("voices", help="list the voices you can use")
    voices.add_argument("--add", nargs="*", help="also check these .onnx voice files")
    from backend.cli_voices import add_blend_parser, add_catalog_arguments

    add_catalog_arguments(voices)
    voices.set_defaults(func=_cmd_voices)
    add_blend_parser(sub)
    from backend.cli_queue import add_queue_parser

    add_queue_parser(sub)
    from backend.cli_review import add_review_parsers

    add_review_parsers(sub)
    from backend.desktop_shortcut import add_parsers as add_shortcut_parsers

    add_shortcut_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from backend.gpu.session import prepare_process

    prepare_process()  # before anything imports torch
    args = build_parser().parse_args(argv)
    if args.command == "say" and (args.batch_size < 1 or args.max_chars < 20):
        print("--batch-size must be at least 1 and --max-chars at least 20.", file=sys.stderr)
        return EXIT_ERROR
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
        return EXIT_STOPPED
    except Exception as exc:  # one clear line for the user; the known errors carry their own wording
        from backend.gpu.oom import as_gpu_failure
        from backend.text.book import BookError
        from backend.tts.errors import VoiceError

        if isinstance(exc, (VoiceError, BookError, ValueError, OSError)):
            print(f"Error: {exc}", file=sys.stderr)
            return EXIT_ERROR
        failure = as_gpu_failure(exc)
        if failure is not None:
            print(f"Error: {failure}", file=sys.stderr)
            return EXIT_ERROR
        print(f"Error: an unexpected problem stopped the program ({type(exc).__name__}: {exc}). "
              f"{_save_traceback()}", file=sys.stderr)
        return EXIT_ERROR


def _save_traceback() -> str:
    """Write the traceback of the exception being handled to the user log folder; say where."""
    import traceback

    from platformdirs import user_log_dir

    from backend.settings import APP_NAME

    try:
        folder = Path(user_log_dir(APP_NAME, appauthor=False))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "last-error.txt"
        path.write_text(traceback.format_exc(), encoding="utf-8")
        return f"The details are in {path}; please include them when you report it."
    except OSError:
        return "Please report it with the command you ran."


if __name__ == "__main__":
    sys.exit(main())
