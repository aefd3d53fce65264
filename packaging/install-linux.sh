#!/usr/bin/env bash
# Install the built bundle for the current user (no root): the app into ~/.local/lib,
# the command into ~/.local/bin, and the desktop entry, icons, AppStream data and the
# .vcf file association into ~/.local/share, so Second Act appears in the application
# menu and opens vCard files on double-click. Your contacts are not touched.
#   packaging/install-linux.sh [BUNDLE_DIR]     (default: dist/second-act)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
app_id="io.github.secondact.SecondAct"
bundle="${1:-$root/dist/second-act}"
if [ ! -x "$bundle/second-act" ]; then
    echo "No built Second Act in $bundle: run packaging/build-linux.sh first." >&2
    exit 1
fi
prefix="${PREFIX:-$HOME/.local}"
data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
lib="$prefix/lib/second-act"

# Replace the app folder in one step, so a failed copy leaves the old version working.
mkdir -p "$prefix/lib" "$prefix/bin"
rm -rf "$lib.new"
cp -a "$bundle" "$lib.new"
rm -rf "$lib"
mv "$lib.new" "$lib"
ln -sfn "$lib/second-act" "$prefix/bin/second-act"

# The desktop entry points at the installed command, whatever PATH the desktop has.
mkdir -p "$data_home/applications"
sed -e "s|^Exec=second-act|Exec=$prefix/bin/second-act|" \
    -e "s|^TryExec=second-act|TryExec=$prefix/bin/second-act|" \
    "$here/linux/$app_id.desktop" > "$data_home/applications/$app_id.desktop"
for size in 16 24 32 48 64 128 256 512; do
    install -Dm644 "$root/resources/icons/second-act-$size.png" \
        "$data_home/icons/hicolor/${size}x${size}/apps/$app_id.png"
done
install -Dm644 "$root/resources/second-act.svg" "$data_home/icons/hicolor/scalable/apps/$app_id.svg"
install -Dm644 "$here/linux/$app_id.metainfo.xml" "$data_home/metainfo/$app_id.metainfo.xml"

# Refresh the desktop's caches and make Second Act the handler for vCard files.
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data_home/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data_home/icons/hicolor" || true
if command -v xdg-mime >/dev/null; then
    xdg-mime default "$app_id.desktop" text/vcard text/x-vcard text/directory
else
    config="${XDG_CONFIG_HOME:-$HOME/.config}"
    mkdir -p "$config"
    python3 - "$config/mimeapps.list" "$app_id.desktop" <<'PY'
import configparser, sys
path, desktop = sys.argv[1], sys.argv[2]
cp = configparser.ConfigParser(interpolation=None, delimiters=("=",))
cp.optionxform = str
cp.read(path)
if not cp.has_section("Default Applications"):
    cp.add_section("Default Applications")
for mime in ("text/vcard", "text/x-vcard", "text/directory"):
    cp.set("Default Applications", mime, desktop)
with open(path, "w") as f:
    cp.write(f, space_around_delimiters=False)
PY
fi
echo "Second Act is installed: find it in your application menu, or run $prefix/bin/second-act."
