#!/usr/bin/env bash
# Remove what install-linux.sh installed. Your contacts and settings are kept: they live in
# your data folder (second-act --help names it), which this script never touches.
set -euo pipefail
app_id="io.github.secondact.SecondAct"
prefix="${PREFIX:-$HOME/.local}"
data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
config="${XDG_CONFIG_HOME:-$HOME/.config}"
rm -rf "$prefix/lib/second-act" "$prefix/lib/second-act.new"
[ -L "$prefix/bin/second-act" ] && rm -f "$prefix/bin/second-act"
rm -f "$data_home/applications/$app_id.desktop" "$data_home/metainfo/$app_id.metainfo.xml"
rm -f "$data_home"/icons/hicolor/*/apps/"$app_id".png "$data_home/icons/hicolor/scalable/apps/$app_id.svg"
if [ -f "$config/mimeapps.list" ]; then
    sed -i "/=$app_id.desktop;*\$/d; s/$app_id.desktop;//g" "$config/mimeapps.list"
fi
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data_home/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data_home/icons/hicolor" || true
echo "Second Act was removed. Your contacts are still in your data folder."
