"""The engine's dialogue-voice step: the book's choice (this run's, saved for the book, or the
saved one), checked like the narration voice (language, speaker, sample rate) and loaded
(backend/voices/dialogue.py holds the rules)."""

from __future__ import annotations


def load_dialogue(engine, book, settings):
    """(DialogueVoice or None, its Synthesizer when it is another voice file than the narration's)."""
    from backend.text.language import check_language
    from backend.tts.synth import Synthesizer
    from backend.voices.dialogue import read_choice, resolve_dialogue, save_choice

    job = engine.job
    choice = job.dialogue
    if not job.dialogue_given:
        choice, warning = read_choice(engine.job_dir())
        if warning:
            engine._log(warning, "warning")
    dialogue = resolve_dialogue(choice, engine.synth.voice, settings)
    if job.dialogue_given:
        save_choice(engine.job_dir(), choice)
    if dialogue is None:
        if job.dialogue_given:
            engine._log("Dialogue voice: off for this book (one voice reads everything).")
        return None, None
    if not settings.any_language and (problem := check_language(book, dialogue.voice)):
        raise ValueError(f"Dialogue voice: {problem}")
    engine._log(f"Dialogue voice: {choice.describe()}: quoted speech is read in it"
                f"{' (saved for this book)' if job.dialogue_given else ''}.")
    if dialogue.voice.file_hash == engine.synth.voice.file_hash:
        return dialogue, None  # another speaker of the narration voice: one model
    return dialogue, Synthesizer(dialogue.voice, device=str(engine.synth.device), dtype=settings.precision,
                                 noise_scale=settings.noise_scale, noise_w=settings.noise_w,
                                 cpu_streams=settings.cpu_streams)
