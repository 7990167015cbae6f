"""Audio after assembly: mastering to published loudness specs and the quality report.

backend/audio never imports Qt or torch; backend/render calls it (not the reverse, except the
shared atomic-write helper)."""
