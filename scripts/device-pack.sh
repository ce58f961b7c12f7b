#!/usr/bin/env bash
# Packs what a run on the lent GPU machine needs (it has no Node and no network) into .device/ (git-ignored):
# a compressed Node binary, the Vulkan loader package, and a tarball of the compiled dist/ plus the Linux x64 build
# of the `webgpu` package. On that machine, `bash scripts/device-run.sh <script.js> [args]` unpacks and runs.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .device/gl
[ -f .device/node.xz ] || xz -T2 -6 -c "$(command -v node)" > .device/node.xz
# the Vulkan loader, and the GL vendor-neutral libraries the NVIDIA ICD (libGLX_nvidia) links against
if ! ls .device/gl/libglx0_*.deb >/dev/null 2>&1; then
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p /tmp/amd64/partial && apt-get $o update >/dev/null && (cd .device/gl && apt-get $o download libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libgles2 libopengl0)
fi
npx tsc -p tsconfig.json || echo "(tsc reported errors; packing what it emitted)"
tar -cJf .device/bundle.tar.xz --exclude='node_modules/webgpu/dist/darwin*' --exclude='node_modules/webgpu/dist/win32*' \
  --exclude='node_modules/webgpu/dist/linux-arm64' dist package.json node_modules/webgpu
du -sh .device/*
