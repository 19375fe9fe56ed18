#!/usr/bin/env bash
# Makes the Python environment of the optional peers and checks: the newest
# PyTorch CPU build pip can install here, transformers, safetensors, numpy and
# pyarrow, in a virtual environment (default .venv/ at the repository root,
# or $POLYCOM_VENV). The bench's PyTorch peer and the Hugging Face tests use
# it when present. Idempotent: an environment that already imports all of
# them is left as it is. Prints the interpreter's path on success.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${POLYCOM_VENV:-.venv}"
packages=(torch transformers safetensors numpy pyarrow)
check='import torch, transformers, safetensors, numpy, pyarrow'
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$check" 2>/dev/null; then
  echo "$venv/bin/python"
  exit 0
fi
python3 -m venv "$venv" >&2
# Few retries: on a machine whose only index is a local one, the default index
# fails fast instead of backing off for minutes. On a machine without a GPU,
# point PIP_EXTRA_INDEX_URL at PyTorch's CPU wheel index first to skip the
# several-GB CUDA build.
"$venv/bin/pip" install -q --retries "${PIP_RETRIES:-1}" "${packages[@]}" >&2
"$venv/bin/python" -c "$check"
echo "$venv/bin/python"
