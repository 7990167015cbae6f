"""What the Activity Log says about pronunciations: how many lexicon entries a render uses, in how
many chunks, and how many chunks an edited entry sends back to the voice."""

from __future__ import annotations

import hashlib

from backend.render.plan import PlannedChunk, RenderPlan


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def manifest_entry(pc: PlannedChunk) -> dict:
    """A chunk's line in the job manifest: enough to tell, next time, whether only its
    pronunciations changed."""
    entry = {"key": pc.key, "chapter": pc.chunk.chapter_index, "chars": len(pc.chunk.text),
             "text": text_hash(pc.chunk.text)}
    if pc.pronunciations:
        entry["pronunciations"] = list(pc.pronunciations)
    if pc.override is not None:  # the user's fix (backend/check/overrides.py): its text and take
        entry["override"] = {"text": pc.override.text, "seed": pc.override.seed}
    return entry


def pronunciation_lines(plan: RenderPlan, lexicon_size: int, previous: dict | None) -> list[str]:
    lines = []
    used = [pc for pc in plan.chunks if pc.pronunciations]
    if lexicon_size:
        words = sorted({w for pc in used for w in pc.pronunciations})
        lines.append(f"Pronunciations: {lexicon_size} entr{'y' if lexicon_size == 1 else 'ies'}; "
                     f"{len(words)} used in {len(used)} chunk{'s' if len(used) != 1 else ''}.")
    old = (previous or {}).get("chunks") or []
    if len(old) == len(plan.chunks):
        changed = sum(
            1 for pc, before in zip(plan.chunks, old, strict=True)
            if isinstance(before, dict) and before.get("text") == text_hash(pc.chunk.text)
            and before.get("key") != pc.key
            and (pc.pronunciations or before.get("pronunciations"))
        )
        if changed:
            lines.append(f"Pronunciations changed in {changed} chunk{'s' if changed != 1 else ''} since the last "
                         "render: only those are rendered again.")
    return lines
