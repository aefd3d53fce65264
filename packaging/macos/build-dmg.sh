#!/usr/bin/env bash
# Build dist/Second Act.app and dist/SecondAct-<version>.dmg on macOS (run from anywhere;
# needs Python 3.11+, and iconutil and hdiutil, which every Mac has). Used by
# .github/workflows/release.yml.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
python3 tasks.py setup
version="$(.venv/bin/python -c 'import app; print(app.__version__)')"

# The icon, from the PNGs make_icons.py renders (see README.md beside this script).
iconset="$(mktemp -d)/second-act.iconset"
mkdir -p "$iconset"
for s in 16 32 128 256 512; do
    cp "resources/icons/second-act-$s.png" "$iconset/icon_${s}x${s}.png"
done
cp resources/icons/second-act-32.png "$iconset/icon_16x16@2x.png"
cp resources/icons/second-act-64.png "$iconset/icon_32x32@2x.png"
cp resources/icons/second-act-256.png "$iconset/icon_128x128@2x.png"
cp resources/icons/second-act-512.png "$iconset/icon_256x256@2x.png"
iconutil -c icns "$iconset" -o packaging/macos/second-act.icns

.venv/bin/python -m PyInstaller --noconfirm --clean packaging/second-act.spec

# The disk image: the app beside a link to /Applications, to drag it onto.
staging="$(mktemp -d)"
cp -R "dist/Second Act.app" "$staging/"
ln -s /Applications "$staging/Applications"
rm -f "dist/SecondAct-$version.dmg"
hdiutil create -volname "Second Act" -srcfolder "$staging" -fs HFS+ -format UDZO \
    "dist/SecondAct-$version.dmg"
echo "Built dist/SecondAct-$version.dmg"
