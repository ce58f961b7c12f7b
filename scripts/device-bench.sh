#!/usr/bin/env bash
# The GPU measurements of docs/BENCHMARKS.md on the lent machine: after `bash scripts/device-pack.sh` here, run
# `bash scripts/device-bench.sh` there (carry .device/node.xz, .device/gl, .device/bundle.tar.xz).
bash scripts/device-run.sh -e 0
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
N=/tmp/node
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
echo "== gpu.bench 1x"; $N dist/bench/gpu.bench.js 2>&1 | grep -v Warning | grep "^|\|^{\|^NVIDIA\|rror"
echo "== gpu.bench 4x"; $N dist/bench/gpu.bench.js --iters=4 2>&1 | grep -v Warning | grep "^|\|^{\|rror"
echo "== train compiled + torch"; $N dist/bench/train-lm.bench.js --compile 2>&1 | grep -v Warning | grep "mlx-ts\|launches\|PyTorch\|stats"
echo "== train eager"; $N dist/bench/train-lm.bench.js --no-torch 2>&1 | grep -v Warning | grep "mlx-ts\|launches"
echo "== train compiled, replay off"; MLX_TS_GPU_REPLAY=0 $N dist/bench/train-lm.bench.js --compile --no-torch 2>&1 | grep "mlx-ts\|launches"
echo "== sweep"; $N dist/bench/gpu-reduce-sweep.js --only=elementwise 2>&1 | grep "best"; $N dist/bench/gpu-reduce-sweep.js --only=sum 2>&1 | grep "best"
echo "== replay"; $N dist/bench/compile-replay.bench.js 2>&1 | grep -v Warning | tail -4
echo "== host overhead"; $N dist/bench/host-overhead.bench.js --gpu-only 2>&1 | grep -v Warning | tail -12
echo "== tiny"; for i in 1 2 3; do $N bench/probe/tiny-prof.mjs 2>&1 | grep -v Warning | tail -2 | head -1; done
