"""Two loaded voices behind one synthesizer: the narration voice and a book's dialogue voice.

The GPU session (warm-up, batch sizing, OOM recovery, the CPU fallback) sees one synthesizer;
each item goes to the voice its `part` names (0 narration, 1 dialogue), so a batch may mix
both and every item's audio is what its own voice makes of it alone. Both voices speak at one
sample rate (backend/voices/dialogue.py refuses a pair that does not).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


class VoicePair:
    def __init__(self, narration, dialogue):
        if narration.sample_rate != dialogue.sample_rate:
            raise ValueError(f"The dialogue voice speaks at {dialogue.sample_rate} Hz, the narration voice at "
                             f"{narration.sample_rate} Hz.")
        self.parts = (narration, dialogue)
        self.voice, self.device, self.dtype = narration.voice, narration.device, narration.dtype
        self.sample_rate, self.hop_length = narration.sample_rate, narration.hop_length
        self.noise_scale, self.noise_w = narration.noise_scale, narration.noise_w
        self.phonemizer, self.cpu_streams = narration.phonemizer, narration.cpu_streams

    @property
    def parallel_chunks(self) -> int:
        return self.parts[0].parallel_chunks

    def phoneme_ids(self, text: str) -> list[int]:
        return self.parts[0].phoneme_ids(text)

    def _routed(self, items: Sequence, run: Callable[[object, list], list]) -> list[np.ndarray]:
        results: list = [None] * len(items)
        for part, synth in enumerate(self.parts):
            mine = [i for i, item in enumerate(items) if item.part == part]
            if mine:
                for i, out in zip(mine, run(synth, [items[i] for i in mine]), strict=True):
                    results[i] = out
        return results

    def synthesize_batch(self, items: Sequence) -> list[np.ndarray]:
        return self._routed(items, lambda synth, mine: synth.synthesize_batch(mine))

    def predict_durations(self, items: Sequence) -> list[np.ndarray]:
        return self._routed(items, lambda synth, mine: synth.predict_durations(mine))

    def cpu_twin(self) -> VoicePair:
        """The same two voices on the CPU (the GPU session's fallback for a chunk too big for VRAM)."""
        from backend.tts.synth import Synthesizer

        return VoicePair(*(Synthesizer(s.voice, device="cpu", noise_scale=s.noise_scale, noise_w=s.noise_w)
                           for s in self.parts))
