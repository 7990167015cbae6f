"""`audiobook words`, `audiobook lexicon …` and `--lexicon` through the real command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAMES = "Daenerys rode north. At Winterfell, Daenerys met the NASA envoy and Siobhán.\n"


def cli(*args, env_dir: Path, check=True) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "AUDIOBOOK_CONFIG_DIR": str(env_dir / "config"), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "backend.cli", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=300)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_words_lists_names_then_an_entry_hides_them(tmp_path):
    book = tmp_path / "names.txt"
    book.write_text(NAMES, encoding="utf-8")
    out = cli("words", book, env_dir=tmp_path).stdout
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert "2" in lines["Daenerys"].split() and "proper noun" in lines["Daenerys"]
    assert "all caps" in lines["NASA"] and "rare spelling" in lines["Siobhán"]
    cli("lexicon", "add", "Daenerys", "dih NAIR iss", "--book", book, env_dir=tmp_path)
    assert "Daenerys" not in cli("words", book, env_dir=tmp_path).stdout
    listed = cli("lexicon", "list", "--book", book, env_dir=tmp_path).stdout
    assert listed.strip() == "Daenerys\tdih NAIR iss"
    assert cli("lexicon", "list", env_dir=tmp_path).stdout == ""  # the global lexicon is separate


def test_lexicon_bad_entries_and_files_exit_1_with_the_reason(tmp_path):
    bad = cli("lexicon", "add", "Zork", "zˈɔːɹk§", "--phonemes", env_dir=tmp_path, check=False)
    assert bad.returncode == 1 and "Pronunciation entry 'Zork'" in bad.stderr and "Traceback" not in bad.stderr
    damaged = tmp_path / "damaged.json"
    damaged.write_text("[{]", encoding="utf-8")
    book = tmp_path / "names.txt"
    book.write_text(NAMES, encoding="utf-8")
    run = cli("render", book, "--lexicon", damaged, "-o", tmp_path / "out", env_dir=tmp_path, check=False)
    assert run.returncode == 1 and "damaged.json' cannot be used" in run.stderr and "A copy was saved" in run.stderr
    assert not (tmp_path / "out").exists()


def test_import_export_and_say_with_a_lexicon(tmp_path):
    source = tmp_path / "names.json"
    source.write_text(json.dumps({"entries": [{"word": "Zork", "say": "zˈɔːɹk", "phonemes": True}]}),
                      encoding="utf-8")
    cli("lexicon", "import", source, env_dir=tmp_path)
    cli("lexicon", "export", tmp_path / "out.json", env_dir=tmp_path)
    exported = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [(e["word"], e["say"], e["phonemes"]) for e in exported["entries"]] == [("Zork", "zˈɔːɹk", True)]
    respelled = tmp_path / "respell.json"
    respelled.write_text(json.dumps({"entries": [{"word": "Zork", "say": "ZOOR ick"}]}), encoding="utf-8")
    import soundfile as sf

    plain = cli("say", "Zork", "-o", tmp_path / "a.wav", env_dir=tmp_path / "none")
    cli("say", "Zork", "-o", tmp_path / "b.wav", "--lexicon", respelled, env_dir=tmp_path / "none")
    assert plain.returncode == 0
    a, b = sf.read(tmp_path / "a.wav")[0], sf.read(tmp_path / "b.wav")[0]
    assert a.shape != b.shape or abs(a - b).max() > 0.01  # said differently
