"""`audiobook render`: the AudioEngine with a progress bar and the Activity Log on stderr."""

from __future__ import annotations

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


def run_render(args) -> int:
    from backend.render.engine import AudioEngine, RenderJob
    from backend.render.events import RenderFailed, RenderStopped
    from backend.settings import RenderSettings

    book = Path(args.book)
    try:
        settings = RenderSettings(
            voice=args.voice, device=args.device, precision=args.precision, batch_size=args.batch_size,
            max_chars=args.max_chars, length_scale=args.speed, chapter_format=args.format,
            outputs=[o for o in args.outputs.split(",") if o] if args.outputs is not None else ["m4b", "srt", "vtt"],
            footnotes=args.footnotes, cache_dir=args.cache_dir, seed=args.seed,
        )
    except ValueError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    output_dir = Path(args.output) if args.output else Path.cwd() / f"{book.stem}_audiobook"
    cancel = CancelToken()
    events = ConsoleEvents()

    def stop(signum, frame):  # first Ctrl-C: finish the batch and stop; second: stop now
        if cancel.cancelled:
            raise KeyboardInterrupt
        cancel.cancel()
        events.log("warning", "Stopping after the current batch… (press Ctrl-C again to stop at once)")

    old_int = signal.signal(signal.SIGINT, stop)
    old_term = signal.signal(signal.SIGTERM, stop)
    try:
        AudioEngine(RenderJob(book, output_dir, settings), events, cancel).run()
    except RenderStopped:
        print(f"Stopped. To resume, run the same command again:\n  audiobook render {' '.join(sys.argv[2:])}",
              file=sys.stderr)
        return 130
    except RenderFailed as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)
    return 0


def add_render_parser(sub) -> None:
    r = sub.add_parser("render", help="render a book (txt, md, epub) to chapter files and an M4B; resumable")
    r.add_argument("book", help="the book file")
    r.add_argument("-o", "--output", help="output folder (default: ./BOOKNAME_audiobook)")
    r.add_argument("--voice", help="a Piper voice .onnx (its .onnx.json beside it); default: the bundled voice")
    r.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N (default: auto)")
    r.add_argument("--precision", default="float32", help="float32, float16 or bfloat16 (the last two on CUDA)")
    r.add_argument("--batch-size", type=int, default=1, help="chunks per forward pass (1 on a CPU; more on a GPU)")
    r.add_argument("--max-chars", type=int, default=400, help="longest chunk in characters")
    r.add_argument("--speed", type=float, default=None, help="length scale: >1 slower, <1 faster")
    r.add_argument("--format", default="flac", help="chapter files: flac or wav")
    r.add_argument("--outputs", default=None, help="extras, comma separated: m4b,mp3,srt,vtt (default m4b,srt,vtt)")
    r.add_argument("--footnotes", default="skip", help="epub footnotes: skip or read")
    r.add_argument("--cache-dir", help="where chunk audio is cached (default: the user cache folder)")
    r.add_argument("--seed", type=int, default=0, help="base seed for the voice's randomness")
    r.set_defaults(func=run_render)
