#!/usr/bin/env bash
# Builds what a GPU server without a package registry needs to run `gpu-check`
# and `reproduce` from a checkout of this repository: the pinned Deno runtime,
# the project's npm dependencies as Deno installed them (source maps and
# tfjs's browser bundles left out), and the Vulkan loader package, each xz-compressed, plus run.sh. Prints
# the size and the command to run there. Deno then runs with --cached-only and
# needs no package cache of its own.
#
# `deno compile` would make one self-contained binary, but it downloads its
# base runtime (denort) from Deno's own download server, which no npm package
# ships; where that server is reachable, `deno compile -A --include suites/
# src/cli/main.ts` works with the same node_modules.
#
#   bash tools/gpu_bundle.sh [OUT_DIR]        (default: dist/gpu; run from a checkout)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist/gpu}"
rm -rf "$out"
mkdir -p "$out/debs"

deno_bin="$(readlink -f "$(command -v deno)")"
deno --version | head -1 | grep -q " $(sed -n 's/^DENO_VERSION=//p' .ci/run) " ||
  { echo "gpu_bundle: deno is not the pinned version (.ci/run's DENO_VERSION)" >&2; exit 1; }
xz -T0 -9 -c "$deno_bin" >"$out/deno.xz"

deno install >/dev/null
# The packages are hard links into Deno's cache, so another checkout's install changes their ctime mid-read:
# GNU tar then warns and exits 1 though the contents are whole.
modules="$(mktemp)"
# tfjs's packages load through their `main` (the CommonJS node build), so their browser bundles are left out too,
# and so is the canvas binary for the other C library than this machine's (a GPU server's is glibc, like CI's):
# Deno sees the package folder and never loads that file.
other_libc=musl; ldd --version 2>&1 | grep -qi musl && other_libc=gnu
tar -C . -c --warning=no-file-changed --exclude='*.map' --exclude='*/@tensorflow/*/dist/*.min.js' \
  --exclude="*/@napi-rs/canvas-linux-x64-$other_libc/*.node" \
  --exclude='*/@tensorflow/*/dist/*.es2017.js' --exclude='*/@tensorflow/*/dist/*.fesm.js' \
  --exclude='*/@tensorflow/*/dist/*.esm.js' -f "$modules" node_modules || [ $? -eq 1 ]
xz -T0 -9 -c "$modules" >"$out/node_modules.tar.xz"
rm -f "$modules"

# The Vulkan loader (the GPU's driver brings the ICD), as x86-64 packages whatever this machine's processor is.
lists="$(mktemp -d)"
mkdir -p "$lists/partial"
apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists="$lists")
apt-get "${apt_opts[@]}" update -qq
(cd "$out/debs" && apt-get "${apt_opts[@]}" download -qq libvulkan1 >/dev/null)
rm -rf "$lists"

cat >"$out/run.sh" <<'RUN'
#!/usr/bin/env bash
# Run from the repository checkout: unpacks Deno, the dependencies and the Vulkan loader once, runs
# `gpu-check` (GPU_CHECK_ARGS adds flags), then any polycom command given, e.g.
#   bash dist/gpu/run.sh reproduce --backend webgpu --suite dense --scale 9.7m --seeds 0 --no-report
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! ldconfig -p | grep -q libvulkan.so.1; then
  for f in "$here"/debs/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
for icd in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json \
  /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json; do
  if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; fi
done
[ -x "$here/deno" ] || { xz -dc "$here/deno.xz" >"$here/deno"; chmod +x "$here/deno"; }
[ -d node_modules ] || xz -dc "$here/node_modules.tar.xz" | tar -x
run() { "$here/deno" run -A --cached-only src/cli/main.ts "$@"; }
out="${OUT:-$here}"
run gpu-check --out "$out/gpu-check.json" ${GPU_CHECK_ARGS:-} | tee "$out/gpu-check.md"
if [ "$#" -gt 0 ]; then run "$@"; fi
RUN
chmod +x "$out/run.sh"

size=$(du -cb "$out" | tail -1 | cut -f1)
echo "bundle: $out, $((size / 1024 / 1024)) MiB (deno.xz, node_modules.tar.xz, debs/, run.sh)"
echo "on the GPU server, in a checkout of this commit: bash $out/run.sh"
