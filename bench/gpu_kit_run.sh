#!/usr/bin/env bash
# The GPU figures and the GPU-aware tests, in one device run: carry [".gpukit"] (made here by
# bench/gpu_kit.py), command "bash bench/gpu_kit_run.sh", timeout_s 600. Logs land in $OUT.
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
timeout 110 python3 bench/engine_bench.py --device cuda --kit .gpukit 2>&1 | tee "$out/engine_bench.txt"
timeout 60 python3 bench/engine_bench.py --device cuda --kit .gpukit --precision float16 2>&1 \
    | tee "$out/engine_bench_fp16.txt"
# The whole AudioEngine on the GPU (memory subsystem): batch 1, 8, Auto, no-expandable, forced OOM.
timeout 180 python3 bench/gpu_bench.py --kit .gpukit --quick 2>&1 | tee "$out/gpu_bench.txt"
# The GPU-aware tests (issue 19): the real-GPU tests run, the others check the same code as on
# CI. With the kit's piper (English data) and its float16-weight voice; onnxruntime comparisons skip.
PYTHONPATH=/tmp/site:.gpukit/site timeout 200 python3 -m pytest -q -p no:cacheprovider tests/gpu tests/tts 2>&1 \
    | tee "$out/pytest_gpu_tts.txt"
