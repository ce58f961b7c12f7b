#!/usr/bin/env bash
# Runs a compiled script on the lent GPU machine from what scripts/device-pack.sh packed (see docs/BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /tmp/node ]; then
  for f in .device/gl/*.deb; do dpkg -x "$f" /; done; ldconfig
  xz -dc .device/node.xz > /tmp/node && chmod +x /tmp/node
fi
rm -rf dist && tar -xJf .device/bundle.tar.xz
export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES:-$egl}
exec /tmp/node "$@"
