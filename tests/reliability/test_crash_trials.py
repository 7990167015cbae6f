"""SIGKILL the CLI render at seeded random moments, resume, and demand sample-identical audio.

The trial logic is bench/crash_trials.py (20+ trials there); here 4 seeded trials whose kills
fall inside the render phase (after a random number of "Batch" lines plus a random 0-120 ms,
sometimes the first resume is killed too), plus one deterministic kill while an output file is
being written.
"""

from __future__ import annotations

import signal

import pytest

from tests.reliability.conftest import crash_trials

pytestmark = pytest.mark.crash


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    work = tmp_path_factory.mktemp("crash-reference")
    book = crash_trials.make_book(work)
    reference, seconds = crash_trials.reference_render(book, work / "reference")
    assert len(reference) == 3
    return book, reference, seconds


@pytest.mark.parametrize("seed", [2, 3, 7, 8])
def test_killed_and_resumed_render_is_sample_identical(tmp_path, clean, seed):
    book, reference, _ = clean
    trial = crash_trials.run_trial(book, reference, tmp_path, seed, modes=("batch",))
    print(f"seed {seed}: {'; '.join(trial.kills)} ({trial.seconds:.1f}s)")
    assert trial.ok, "\n".join(trial.kills + trial.problems)
    assert any("killed" in k for k in trial.kills)  # each trial really crashed at least once


def test_kill_while_writing_an_output_file_leaves_no_temp(tmp_path, clean):
    book, reference, _ = clean
    out, cache = tmp_path / "out", tmp_path / "cache"
    cmd = crash_trials.render_cmd(book, out, cache)
    run = crash_trials.run_and_kill(cmd, crash_trials.Kill("output"), out)
    assert run.killed and run.returncode == -signal.SIGKILL
    assert crash_trials.bad_output_files(out) == []  # nothing half written under a real name
    final = crash_trials.run_and_kill(cmd, None, out)
    assert final.returncode == 0, final.stderr
    assert all((a == b).all() for a, b in zip(crash_trials.chapter_audio(out), reference, strict=True))
    assert crash_trials.output_temps(out) == []
