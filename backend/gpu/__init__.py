"""GPU memory subsystem: CUDA set-up before and after torch import, VRAM monitoring, batch
sizing, OOM recovery and cache policy. Import-light: nothing here imports torch at module level."""
