"""`audiobook review` and `audiobook rerender` through the real CLI: a checked render, one chunk
fixed with new text, another take, undo; bad chunk numbers are one line."""

from tests.cli.test_cli import run_cli

BOOK = "The Pier\n\nThe ferry was late again. Nobody on the pier seemed to mind.\n\nThe wind rose.\n"


def common(tmp_path):
    return ["-o", tmp_path / "out", "--cache-dir", tmp_path / "cache", "--device", "cpu", "--master", "off",
            "--outputs", "srt"]


def test_review_and_rerender_one_chunk(tmp_path):
    book = tmp_path / "pier.txt"
    book.write_text(BOOK, encoding="utf-8")
    assert run_cli("render", book, *common(tmp_path), "--check", "flag").returncode == 0
    review = run_cli("review", book, "--all", "--cache-dir", tmp_path / "cache")
    assert review.returncode == 0, review.stderr
    lines = review.stdout.splitlines()
    assert lines[0].split()[:3] == ["Chunk", "Chapter", "WER"]
    assert any(line.split()[0] == "4" and "The wind rose." in line for line in lines[1:])
    assert "of 4 checked chunks flagged" in review.stderr

    fixed = run_cli("rerender", book, "--chunk", "4", "--text", "The wind rose at dusk.", *common(tmp_path), "--check", "flag")
    assert fixed.returncode == 0, fixed.stderr
    assert 'Chunk 4 ("The wind rose."): now says "The wind rose at dusk."' in fixed.stderr
    assert "4 chunks (1 rendered, 3 reused)" in fixed.stderr and "Kept 0 of 1 chapter files" not in fixed.stderr
    review = run_cli("review", book, "--cache-dir", tmp_path / "cache")
    assert 'fix: says "The wind rose at dusk."' in review.stdout and "the wind rose at dusk" in review.stdout

    take = run_cli("rerender", book, "--chunk", "4", *common(tmp_path))  # another take (next seed), text kept
    assert take.returncode == 0 and "seed" in take.stderr and "1 rendered" in take.stderr, take.stderr
    for _ in range(2):
        undo = run_cli("rerender", book, "--chunk", "4", "--undo", *common(tmp_path))
        assert undo.returncode == 0 and "0 rendered" in undo.stderr, undo.stderr
    assert "back to the book's text and seed" in undo.stderr
    again = run_cli("rerender", book, "--chunk", "4", "--undo", *common(tmp_path))
    assert again.returncode == 1 and again.stderr.splitlines()[-1].startswith("Error: This chunk has no fix to undo")


def test_a_chunk_number_out_of_range_is_one_line(tmp_path):
    book = tmp_path / "pier.txt"
    book.write_text(BOOK, encoding="utf-8")
    proc = run_cli("rerender", book, "--chunk", "9", *common(tmp_path))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "there is no chunk 9: this book's selected chapters have 4 chunks" in proc.stderr
