#!/usr/bin/env bash
# Build the self-contained Linux bundle into dist/second-act/ (run from anywhere).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
python3 tasks.py setup
.venv/bin/python -m pip install --quiet --disable-pip-version-check "pyinstaller>=6.3"
.venv/bin/python -m PyInstaller --noconfirm --clean \
    --distpath "${DIST_DIR:-$root/dist}" --workpath "${BUILD_DIR:-$root/build}" \
    packaging/second-act.spec
echo "Built ${DIST_DIR:-$root/dist}/second-act/second-act"
