#!/usr/bin/env bash
# The GPU figures, in one device run: carry [".gpukit"] (made here by bench/gpu_kit.py),
# command "bash bench/gpu_kit_run.sh", timeout_s 540. Logs land in $OUT.
set -u
export PYTHONUNBUFFERED=1
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
    .gpukit/wheels/*.whl || exit 1
export PYTHONPATH=/tmp/site
out=${OUT:-/tmp/gpukit-out}
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 | tee "$out/gpu.txt"
python3 -c "import torch; print('torch', torch.__version__, torch.cuda.is_available())" | tee -a "$out/gpu.txt"
# Voice engine sweep (issue 2): batch 1..32, RTF and peak VRAM, float32 then float16.
timeout 150 python3 bench/engine_bench.py --device cuda --kit .gpukit 2>&1 | tee "$out/engine_bench.txt"
timeout 90 python3 bench/engine_bench.py --device cuda --kit .gpukit --precision float16 2>&1 \
    | tee "$out/engine_bench_fp16.txt"
# The whole AudioEngine on the GPU (memory subsystem): batch 1, 8, Auto, no-expandable, forced OOM.
timeout 240 python3 bench/gpu_bench.py --kit .gpukit --quick 2>&1 | tee "$out/gpu_bench.txt"
