"""`audiobook voices --catalog` and `--download`: browse the Piper voice catalog, get a voice.

    audiobook voices --catalog [--language en] [--quality medium] [--index-url URL]
    audiobook voices --download en_US-lessac-medium [--index-url URL]

A downloaded voice goes into the user data folder and joins the saved voices (the window's voice
list). Offline, browsing uses the last index fetched; a download needs the network and says so.
"""

from __future__ import annotations

import sys
import time


def add_catalog_arguments(parser) -> None:
    parser.add_argument("--catalog", action="store_true", help="list the voices of the Piper voice catalog")
    parser.add_argument("--language", default=None, help="with --catalog: only this language (en, en_GB, German…)")
    parser.add_argument("--quality", default=None, help="with --catalog: only this quality (x_low, low, medium, high)")
    parser.add_argument("--download", metavar="NAME", default=None, help="download a catalog voice, e.g. en_US-lessac-medium")
    parser.add_argument("--index-url", default=None, metavar="URL",
                        help="the voices.json index (a mirror of the Piper voices repository); default: the saved "
                             "setting, else Piper's own")


def run_catalog(args) -> int | None:
    """Handle --catalog / --download; None when neither was asked for."""
    if not args.catalog and not args.download:
        return None
    from backend.settings_store import load_settings
    from backend.voices.catalog import CatalogError, fetch_catalog, filter_voices
    from backend.voices.download import index_cache_folder

    settings = load_settings().settings
    index_url = args.index_url or settings.voice_index_url
    try:
        catalog = fetch_catalog(index_url, index_cache_folder())
        if catalog.note:
            print(catalog.note, file=sys.stderr)
        if args.download:
            if catalog.offline:
                raise CatalogError("A download needs the voice index online; nothing was downloaded.")
            return _download(catalog, args.download, settings)
        _print_table(filter_voices(catalog.voices, args.language, args.quality))
        return 0
    except CatalogError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1


def _print_table(voices) -> None:
    from backend.voices.download import installed_model, user_voices_folder

    folder = user_voices_folder()
    print(f"{'voice':<34} {'language':<28} {'quality':<8} {'speakers':>8} {'size':>8}")
    for v in voices:
        mark = "  installed" if installed_model(folder, v) else ""
        print(f"{v.key:<34} {v.language_name[:28]:<28} {v.quality:<8} {v.speakers:>8} {v.size / 1e6:6.1f} MB{mark}")
    print(f"{len(voices)} voice{'s' if len(voices) != 1 else ''}; 'audiobook voices --download NAME' gets one.",
          file=sys.stderr)


def _download(catalog, key: str, settings) -> int:
    from backend.settings_store import save_settings
    from backend.voices.download import install_voice, user_voices_folder

    voice = catalog.find(key)
    shown = {"at": 0.0}

    def progress(name: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - shown["at"] > 1.0 or done == total:
            shown["at"] = now
            print(f"  {name}: {done / 1e6:.1f} of {total / 1e6:.1f} MB ({100 * done / max(total, 1):.0f}%)",
                  file=sys.stderr, flush=True)

    print(f"Downloading {voice.key} ({voice.size / 1e6:.1f} MB) from {catalog.index_url}", file=sys.stderr)
    model = install_voice(voice, catalog.index_url, user_voices_folder(), progress)
    if str(model) not in settings.voices:
        settings.voices.append(str(model))
        save_settings(settings)
    print(f"Installed {voice.key}: {model} (added to your voices; use it with --voice or the window's voice list)")
    return 0


def add_blend_parser(sub) -> None:
    blend = sub.add_parser("blend", help="save, list or remove named speaker blends of a multi-speaker voice")
    actions = blend.add_subparsers(dest="action", required=True)
    save = actions.add_parser("save", help="save a blend under a name, e.g. blend save Warm 'alice:0.7,bob:0.3'")
    save.add_argument("name")
    save.add_argument("mix", help="2 to 4 speakers (names or ids) with weights: 'alice:0.7,bob:0.3'")
    save.add_argument("--voice", default=None, help="the voice it is for (default: the saved voice)")
    actions.add_parser("list", help="list the saved blends")
    remove = actions.add_parser("remove", help="remove a saved blend")
    remove.add_argument("name")
    blend.set_defaults(func=_cmd_blend)


def _cmd_blend(args) -> int:
    from backend.settings_store import load_settings, save_settings
    from backend.tts.voice import load_voice
    from backend.voices.blends import named_blend

    settings = load_settings().settings
    if args.action == "list":
        for name, mix in sorted(settings.blends.items()):
            print(f"{name}: {mix}")
        if not settings.blends:
            print("No blends saved yet: 'audiobook blend save NAME \"alice:0.7,bob:0.3\"' makes one.", file=sys.stderr)
        return 0
    if args.action == "remove":
        if settings.blends.pop(args.name, None) is None:
            print(f"Error: no blend named '{args.name}'.", file=sys.stderr)
            return 1
        save_settings(settings)
        print(f"Removed blend '{args.name}'.")
        return 0
    voice = load_voice(args.voice or settings.voice)
    name, mix = named_blend(voice, args.name, args.mix)  # a ValueError is one 'Error:' line
    settings.blends[name] = mix
    save_settings(settings)
    print(f"Saved blend '{name}' = {settings.blends[name]} (voice {voice.name}); use it with --speaker '{name}'.")
    return 0
