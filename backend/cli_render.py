"""`audiobook render`: the AudioEngine with a progress bar and the Activity Log on stderr."""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import time
from pathlib import Path

from backend.render.events import BatchReport, CancelToken, Progress, RenderEvents, RenderSummary


class ConsoleEvents(RenderEvents):
    def __init__(self, quiet_bar: bool = False):
        from tqdm import tqdm

        self._tqdm = tqdm
        self.bar = None
        self.quiet_bar = quiet_bar or not sys.stderr.isatty()

    def _write(self, line: str) -> None:
        self._tqdm.write(line, file=sys.stderr)

    def log(self, level: str, message: str) -> None:
        prefix = {"warning": "WARNING: ", "error": "ERROR: "}.get(level, "")
        self._write(f"[{time.strftime('%H:%M:%S')}] {prefix}{message}")

    def batch_done(self, report: BatchReport) -> None:
        self._write(report.line)

    def progress(self, p: Progress) -> None:
        if p.stage != "render":
            self._close()
            return
        if self.bar is None:
            self.bar = self._tqdm(total=p.total, initial=p.done, unit="chunk", file=sys.stderr,
                                  disable=self.quiet_bar, dynamic_ncols=True)
        self.bar.n = p.done
        extra = {}
        if p.eta is not None:
            extra["ETA"] = time.strftime("%H:%M:%S", time.gmtime(p.eta))
        if p.realtime_factor:
            extra["speed"] = f"{p.realtime_factor:.1f}x"
        self.bar.set_postfix(extra, refresh=False)
        self.bar.refresh()

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def finished(self, summary: RenderSummary) -> None:
        self._close()

    def failed(self, message: str) -> None:
        self._close()


_FLAGS = {"voice": "--voice", "device": "--device", "precision": "--precision", "batch_size": "--batch-size",
          "cpu_streams": "--cpu-streams",
          "max_chars": "--max-chars", "length_scale": "--speed", "chapter_format": "--format", "outputs": "--outputs",
          "footnotes": "--footnotes", "cache_dir": "--cache-dir", "seed": "--seed", "any_language": "--any-language",
          "date_order": "--date-order", "m4b_bitrate": "--m4b-bitrate", "narrator": "--narrator",
          "master": "--master", "room_tone_head": "--room-tone-head", "room_tone_tail": "--room-tone-tail",
          "speaker": "--speaker", "check": "--check", "check_model": "--check-model",
          "workers": "--workers", "cluster": "--cluster"}


def _number(flag: str, kind, text: str | None):
    if text is None:
        return None
    try:
        return kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ValueError(f"{flag} must be {what}, got {text!r}") from None


def _count_or_auto(flag: str, text: str | None):
    return "auto" if text is not None and text.strip().lower() == "auto" else _number(flag, int, text)


def _flag_overrides(args) -> dict:
    """The settings given on the command line (None: not given, the saved value stays)."""
    batch = _count_or_auto("--batch-size", args.batch_size)
    streams = _count_or_auto("--cpu-streams", args.cpu_streams)
    outputs = [o.strip() for o in args.outputs.split(",") if o.strip()] if args.outputs is not None else None
    overrides = dict(voice=args.voice, device=args.device, precision=args.precision, batch_size=batch, cpu_streams=streams,
                max_chars=_number("--max-chars", int, args.max_chars),
                length_scale=_number("--speed", float, args.speed), chapter_format=args.format, outputs=outputs,
                footnotes=args.footnotes, date_order=args.date_order, cache_dir=args.cache_dir, seed=_number("--seed", int, args.seed),
                any_language=True if args.any_language else None,
                speaker=args.speaker.strip() if args.speaker is not None else None)  # a name or id: the voice resolves it
    # Exports: "--m4b-bitrate 96" or "96k"; "--narrator ''" names the voice (as when none is saved).
    bitrate = args.m4b_bitrate.strip().lower().removesuffix("k") if args.m4b_bitrate is not None else None
    overrides.update(m4b_bitrate=_number("--m4b-bitrate", int, bitrate), narrator=args.narrator)
    # Mastering: "--master off" keeps the files as assembled; room tone in seconds.
    overrides.update(master=args.master.strip().lower() if args.master is not None else None,
                     room_tone_head=_number("--room-tone-head", float, args.room_tone_head),
                     room_tone_tail=_number("--room-tone-tail", float, args.room_tone_tail))
    overrides.update(check=args.check.strip().lower() if args.check is not None else None, check_model=args.check_model)
    cluster = args.cluster.strip() if args.cluster is not None else None
    overrides.update(workers=_count_or_auto("--workers", args.workers),
                     cluster="" if cluster is not None and cluster.lower() == "off" else cluster)
    return overrides


def run_render(args) -> int:
    """Ctrl-C and SIGTERM are caught before anything is read: the first stops within a second while
    the book is read, checked or planned (after the batch in flight while rendering), the second at once."""
    cancel = CancelToken()
    events = ConsoleEvents()

    def stop(signum, frame):  # first Ctrl-C: finish the batch and stop; second: stop now
        if cancel.cancelled:
            raise KeyboardInterrupt
        cancel.cancel()
        events.log("warning", "Stopping after the current batch, or at once if none is running… "
                              "(press Ctrl-C again to stop at once)")

    old_int = signal.signal(signal.SIGINT, stop)
    old_term = signal.signal(signal.SIGTERM, stop)
    try:
        books = getattr(args, "books", None) or [args.book]  # rerender gives one book
        if len(books) > 1:
            return _render_books(args, cancel, events)
        args.book = books[0]
        return _run_render(args, cancel, events)
    finally:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)


def _stopped_early() -> int:
    print("Stopped before rendering began; nothing was changed.", file=sys.stderr)
    return 130


def settings_from_args(args, warn: bool = True):
    """The saved settings with the command line's flags over them; ValueError names a bad flag."""
    from backend.settings_store import apply_overrides, load_settings

    loaded = load_settings()
    if warn:
        for warning in loaded.warnings:
            print(f"WARNING: {warning}", file=sys.stderr)
    settings = loaded.settings
    for key, value in _flag_overrides(args).items():  # one at a time, so an error names its flag
        if key == "cluster" and value == "":  # --cluster off: render here, whatever is saved
            settings = dataclasses.replace(settings, cluster=None)
            continue
        try:
            settings = apply_overrides(settings, **{key: value})
        except ValueError as exc:
            raise ValueError(f"{_FLAGS[key]} {value!r}: {exc}") from None
    return settings


def _run_render(args, cancel: CancelToken, events: ConsoleEvents) -> int:
    from backend.render.engine import AudioEngine, RenderJob
    from backend.render.events import RenderFailed, RenderStopped

    book = Path(args.book)
    try:
        settings = settings_from_args(args)
    except ValueError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    from backend.cli_chapters import run_choices

    if cancel.cancelled:
        return _stopped_early()
    try:
        chapters, details = run_choices(args, book, settings)  # --chapters, --title/--author/--narrator/--cover
    except ValueError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    if cancel.cancelled:
        return _stopped_early()
    problem = language_problem(book, settings.voice, settings.footnotes) if not settings.any_language else None
    if problem:
        print(f"Error: {problem}", file=sys.stderr)
        return 1
    if cancel.cancelled:
        return _stopped_early()
    from backend.lexicon_store import load_lexicons
    from backend.voices.dialogue import parse_choice

    try:
        lexicon = load_lexicons(book, settings, tuple(args.lexicon or ()))  # a damaged one stops us here
    except ValueError as exc:
        print(f"Error: {exc} Fix or remove it, then run the command again.", file=sys.stderr)
        return 1
    output_dir = Path(args.output) if args.output else Path.cwd() / f"{book.stem}_audiobook"
    given = args.dialogue_voice is not None or args.dialogue_speaker is not None
    try:
        dialogue = parse_choice(args.dialogue_voice, args.dialogue_speaker) if given else None
    except ValueError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    job = RenderJob(book, output_dir, settings, lexicon, chapters=chapters, details=details, dialogue=dialogue,
                    dialogue_given=given)
    try:
        summary = AudioEngine(job, events, cancel).run()
    except RenderStopped:
        print(f"Stopped. To resume, run the same command again:\n  audiobook render {' '.join(sys.argv[2:])}",
              file=sys.stderr)
        return 130
    except RenderFailed as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    if summary.quality is not None:  # the audio report's table (also in '<title> audio report.csv')
        print(summary.quality.table())
    return 0


def language_problem(book_path: Path, voice_path, footnotes: str = "skip") -> str | None:
    """The language check before anything heavy loads (no torch): the message when the voice does
    not speak the book's language. A book or voice that cannot be read is left to the render,
    which says why."""
    from backend.text import BookError, load_book
    from backend.text.language import check_language
    from backend.tts.errors import VoiceError
    from backend.tts.voice import load_voice

    try:
        return check_language(load_book(book_path, footnotes=footnotes), load_voice(voice_path))
    except (BookError, VoiceError, OSError):
        return None


def add_render_parser(sub) -> None:
    r = sub.add_parser("render", help="render books (txt, md, epub, pdf…) to chapter files and an M4B; resumable")
    add_render_options(r, books=True)
    r.set_defaults(func=run_render)


_ONE_BOOK_FLAGS = (("chapters", "--chapters"), ("title", "--title"), ("author", "--author"), ("cover", "--cover"))


def _render_books(args, cancel: CancelToken, events: ConsoleEvents) -> int:
    """Several books, one after the other (each resumable on its own); -o is then the parent folder.
    A book that fails is reported and the others go on; a stop ends the run."""
    given = [flag for name, flag in _ONE_BOOK_FLAGS if getattr(args, name, None) is not None]
    if given:
        print(f"Error: {', '.join(given)} applies to one book; render the books one at a time, or use "
              "'audiobook queue add' (each entry keeps its own choices).", file=sys.stderr)
        return 1
    parent = Path(args.output) if args.output else Path.cwd()
    failed = []
    for n, book in enumerate(args.books, 1):
        print(f"Book {n} of {len(args.books)}: {book}", file=sys.stderr)
        if not Path(book).is_file():
            print(f"Error: there is no book file {book}", file=sys.stderr)
            failed.append(book)
            continue
        one = argparse.Namespace(**{**vars(args), "book": book, "output": str(parent / f"{Path(book).stem}_audiobook")})
        code = _run_render(one, cancel, events)
        if code == 130:
            return code
        if code:
            failed.append(book)
    if failed:
        print(f"Error: {len(failed)} of {len(args.books)} books failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def add_render_options(r, chunk_seed: bool = False, books: bool = False) -> None:
    """The book, the output folder and every render setting (render; rerender, whose --seed is the
    chunk's, so the base seed is not a flag there: `chunk_seed`; queue add, with several `books`)."""
    if books:
        r.add_argument("books", nargs="+", help="book files")
    else:
        r.add_argument("book", help="the book file")
    r.add_argument("-o", "--output", help="output folder (default: ./BOOKNAME_audiobook)")
    # Every setting defaults to None: a flag not given leaves the saved value (user_settings.json) alone.
    # Numbers are parsed in run_render so a bad value gives one "Error:" line and exit code 1.
    # batch size and max chars use their own dest: backend.cli.main compares args.batch_size with ints.
    r.add_argument("--voice", default=None,
                   help="a Piper voice .onnx (its .onnx.json beside it); default: the saved voice or the bundled one")
    r.add_argument("--device", default=None, help="auto, cpu, cuda or cuda:N (default: saved, else auto)")
    r.add_argument("--precision", default=None,
                   help="auto (default: on a CPU the measured fastest that sounds the same, float32 on a GPU), "
                        "float32, bfloat16, or float16 (CUDA only)")
    r.add_argument("--batch-size", default=None, metavar="N|auto",
                   help="chunks per forward pass on a GPU, 1 to 64 or auto")
    r.add_argument("--cpu-streams", default=None, metavar="N|auto",
                   help="on a CPU, chunks rendered side by side, 1 to 64 or auto (one per core, up to 8)")
    r.add_argument("--max-chars", default=None, metavar="N",
                   help="longest chunk in characters, 50 to 2000 (default: saved, else 400)")
    r.add_argument("--speed", default=None, help="length scale: >1 slower, <1 faster")
    r.add_argument("--format", default=None, help="chapter files: flac or wav (default: saved, else flac)")
    r.add_argument("--outputs", default=None,
                   help="extras, comma separated: m4b,mp3,srt,vtt,words,distribution,opus,readalong (default m4b,srt,vtt); "
                        "distribution: a folder of 192 kbps MP3s with credits for ACX/Audible, opus: small chapter files for "
                        "phones, words: word-level subtitles, readalong: an EPUB 3 whose text is highlighted as it is read "
                        "(each word with words)")
    r.add_argument("--m4b-bitrate", default=None, metavar="KBPS", help="AAC bit rate of the M4B, 16 to 320 (default 64)")
    r.add_argument("--chapters", default=None, metavar="SPEC",
                   help="render these chapters this time, e.g. 1-3,7 or all (default: the selection saved for the book, "
                        "else all but front and back matter; see 'audiobook chapters BOOK')")
    r.add_argument("--title", default=None, help="the audiobook's title for this run (default: as saved in Book details, "
                                                 "else the book's)")
    r.add_argument("--author", default=None, help="the author for this run (default: as saved, else the book's)")
    r.add_argument("--narrator", default=None,
                   help="the narrator in tags and opening credits (default: as saved in Book details, else the voice's "
                        "name, also for '')")
    r.add_argument("--cover", default=None, metavar="FILE",
                   help="a JPEG or PNG cover for this run (distributors want at least 2400 x 2400 pixels)")
    r.add_argument("--master", default=None, metavar="PRESET",
                   help="mastering of the chapter files: acx (RMS -20 dB, true peak -3 dBTP; the default), "
                        "podcast (-16 LUFS), ebu (-23 LUFS) or off")
    r.add_argument("--room-tone-head", default=None, metavar="S",
                   help="seconds of room tone at the start of each mastered chapter file, 0 to 10 (default 0.75)")
    r.add_argument("--room-tone-tail", default=None, metavar="S",
                   help="seconds of room tone at the end of each mastered chapter file, 0 to 10 (default 2.5)")
    r.add_argument("--footnotes", default=None, help="epub footnotes: skip or read")
    r.add_argument("--date-order", default=None, help="numeric dates: auto (from the book's language), mdy or dmy")
    r.add_argument("--cache-dir", default=None, help="where chunk audio is cached (default: the user cache folder)")
    if not chunk_seed:
        r.add_argument("--seed", default=None, help="base seed for the voice's randomness (default: saved, else 0)")
    r.add_argument("--speaker", default=None, metavar="NAME|ID",
                   help="for a voice with several speakers: a speaker's name or id (see 'audiobook voices'), a saved "
                        "blend's name, or a blend such as 'alice:0.7,bob:0.3' (default: saved, else the first speaker)")
    r.add_argument("--check", default=None, metavar="off|flag|retry",
                   help="the listening check (pip install \".[check]\"): Whisper hears every chunk; flag lists those not "
                        "heard as written in the log and '<title> check.csv', retry also renders them again with other "
                        "seeds and keeps the best take (default: saved, else off)")
    r.add_argument("--workers", default=None, metavar="N|auto",
                   help="worker processes: auto (one per GPU when there are several, else one process), or N "
                        "(N GPUs; on a CPU, N processes sharing the cores). Same audio either way")
    r.add_argument("--cluster", default=None, metavar="ADDRESS|auto|off",
                   help="render on a Ray cluster (pip install \".[cluster]\"): the head's address as 'ray start --head' "
                        "prints it, auto (this machine's cluster, else a local one) or off")
    r.add_argument("--check-model", default=None, metavar="FOLDER",
                   help="a faster-whisper model folder for the check (default: Whisper tiny.en from the .[check] extra)")
    r.add_argument("--dialogue-voice", default=None, metavar="VOICE|off",
                   help="read quoted speech in this voice (a .onnx file or an installed voice's name); saved for the "
                        "book until changed; 'off' reads everything in the narration voice")
    r.add_argument("--dialogue-speaker", default=None, metavar="NAME|ID",
                   help="the dialogue voice's speaker (or saved blend, or mix); alone: another speaker of the narration "
                        "voice reads quoted speech")
    r.add_argument("--any-language", action="store_true", default=None,
                   help="render even when the voice does not speak the book's language (it is refused otherwise)")
    r.add_argument("--lexicon", action="append", metavar="FILE",
                   help="also use this pronunciation lexicon (JSON; the book's own entries still win)")
