"""Tooltips of the Advanced Settings dialog (app/dialogs/advanced_settings.py)."""

TIPS = {
    "batch": "More chunks per GPU pass: faster on a GPU until VRAM runs out. On a CPU each chunk runs "
             "on its own (see CPU streams).",
    "batch_auto": "Pick the batch size from the GPU's memory (24 GB+: 10, 16 GB+: 5, 12 GB+: 3, 8 GB+: 2, "
                  "else 1).",
    "cpu_streams": "On a CPU, how many chunks render side by side, each on its own core(s), the cores split "
                   "evenly. Fewer leaves cores free for other programs. The audio is the same either way.",
    "cpu_streams_auto": "As measured on this machine (see CPU mode).",
    "device": "Where the voice runs. Auto uses the GPU (CUDA) when one is found, else the CPU. "
              "A GPU is many times faster; the CPU always works.",
    "precision": "Number format of the voice's decoder. Auto: on a CPU the measured fastest that sounds the same "
                 "(see CPU mode), float32 on a GPU. float32: exact, most VRAM. float16 (GPU only): about half the "
                 "VRAM and faster, tiny audio differences. bfloat16: like float16, on a GPU from RTX 30xx; on a CPU "
                 "fast where it has AMX or AVX512-BF16. A changed format renders the book's chunks again.",
    "half_on_cpu": "float16 needs a GPU: choose CUDA or Auto to use it.",
    "vram_limit": "Cap on the VRAM this program may reserve, leaving the rest for the desktop and other programs. "
                  "Higher allows bigger batches; too high can make the desktop stutter.",
    "vram_auto": "Cap by card size: 95 % on large cards, 90 % or 85 % on smaller ones.",
    "fragmentation": "Free the GPU's unused cached memory when this share of it is wasted by fragmentation. "
                     "Lower frees more often (each clear costs a short stall); higher keeps speed but may run out sooner.",
    "interval": "At most one cache clear per this many batches. Never: don't clear during a render "
                "(fastest while memory is plentiful).",
    "chunk": "Longest piece of text spoken in one go. Longer: smoother phrasing and fewer pieces, but more VRAM per "
             "piece. Changing it re-renders the book (cached pieces no longer match).",
    "length_scale": "Speaking rate as a duration factor: above 1 is slower, below 1 faster.",
    "noise_scale": "Variation in voice tone. Higher sounds livelier but can sound unsteady; 0 is flat.",
    "noise_w": "Variation in timing (rhythm). Higher sounds more natural but less even; 0 is metronomic.",
    "voice_default": "Use the value stored with the voice model (recommended by its author).",
    "sentence_pause": "Silence between sentences: from the end of one's speech to the start of the next, exactly.",
    "paragraph_pause": "Silence between paragraphs (instead of the sentence pause).",
    "chapter_pause": "Silence after a chapter's last words, at the end of its file.",
    "chapter_format": "Format of the per-chapter audio files. FLAC: lossless and about half the size of WAV. "
                      "WAV: plays everywhere, large.",
    "m4b": "One audiobook file with chapter marks, for audiobook players.",
    "mp3": "An MP3 of each chapter beside the chapter files, for players without M4B support.",
    "srt": "Subtitles (SRT) with the text of each piece, timed to the audio.",
    "vtt": "Subtitles (WebVTT) with the text of each piece, timed to the audio.",
    "distribution": "A 'distribution' folder ready to upload to ACX/Audible, Findaway or Google Play: one MP3 per "
                    "chapter (44.1 kHz, 192 kbps constant, tagged, with the cover), chapters over 120 minutes split "
                    "at a paragraph, and spoken opening and closing credits.",
    "opus": "Small Opus copies of the chapter files (32 kbps), for phones.",
    "words": "Subtitles with one cue per word ('<title> words.srt' and '.vtt'), timed from the voice's own phoneme "
             "durations. With the read-along EPUB, each word is highlighted as it is read instead of each sentence.",
    "readalong": "An EPUB 3 with the text and the audio ('<title> read-along.epub'): e-book readers with read-aloud "
                 "(Thorium, Apple Books) highlight each sentence as it is read (each word with Word timing).",
    "m4b_bitrate": "AAC bit rate of the M4B (mono). 64 kbps is plenty for speech; higher only makes the file bigger.",
    "footnotes": "Skip footnotes, or read them aloud where they appear in the text.",
    "date_order": "How to read numeric dates such as 10/06/2005. Auto follows the book's language: "
                  "month/day for US English, day/month elsewhere.",
    "cache_dir": "Where rendered pieces are kept so a stopped render can resume. Empty: the default folder.",
    "browse": "Choose the cache folder.",
    "clear_cache": "Delete this book's rendered pieces: the next render starts from scratch. Other books are kept.",
}
