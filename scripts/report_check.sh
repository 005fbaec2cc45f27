#!/usr/bin/env bash
# Renders the README's report views (the `kpi report` lines of its "Report" section), opens
# each page in headless Chromium (Debian's `chromium`) at a desktop and a phone width, and
# fails on any console message: the pages have no script, so any message is an error or a
# load the page's content security policy refused. Keeps the screenshots.
#
#   scripts/report_check.sh [--png FILE] [OUT_DIR]
#
# --png FILE copies the desktop screenshot of the first view there (the README's picture:
# `scripts/report_check.sh --png docs/report.png`). KPI=path/to/kpi picks the binary
# (default: target/release/kpi, else target/debug/kpi, else `cargo run --release`).
set -euo pipefail
cd "$(dirname "$0")/.."

png=""
if [ "${1:-}" = "--png" ]; then
    png="$2"
    shift 2
fi
out="${1:-${TMPDIR:-/tmp}/kpi-report-check}"
mkdir -p "$out"

if [ -n "${KPI:-}" ]; then
    kpi=("$KPI")
elif [ -x target/release/kpi ]; then
    kpi=(target/release/kpi)
elif [ -x target/debug/kpi ]; then
    kpi=(target/debug/kpi)
else
    kpi=(cargo run --release --quiet --)
fi
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
    echo "report_check: no chromium on this machine (apt-get install -y chromium)" >&2
    exit 1
fi

# The views, exactly as the README writes them, each with its --output moved into $out.
mapfile -t views < <(awk '/^## Report/ { on = 1; next } /^## / { on = 0 } on && /^kpi report / { print }' README.md)
if [ "${#views[@]}" -eq 0 ]; then
    echo "report_check: no 'kpi report' line in README.md's Report section" >&2
    exit 1
fi

pages=0
shots=0
first=""
for view in "${views[@]}"; do
    read -r -a words <<< "${view#kpi report }"
    args=()
    page=""
    i=0
    while [ $i -lt ${#words[@]} ]; do
        if [ "${words[$i]}" = "--output" ]; then
            page="$out/${words[$((i + 1))]}"
            args+=(--output "$page")
            i=$((i + 2))
        else
            args+=("${words[$i]}")
            i=$((i + 1))
        fi
    done
    "${kpi[@]}" report "${args[@]}" 2> "$out/kpi.log" || {
        cat "$out/kpi.log" >&2
        echo "report_check: kpi report ${args[*]} failed" >&2
        exit 1
    }
    pages=$((pages + 1))
    [ -n "$first" ] || first="$page"
    for size in desktop:1280,2000 phone:390,3200; do
        name="${size%%:*}"
        shot="${page%.html}-$name.png"
        profile="$(mktemp -d)"
        log="${page%.html}-$name.log"
        rm -f "$shot"
        timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic \
            --no-first-run --disable-background-networking --disable-component-update \
            --disable-sync --hide-scrollbars --user-data-dir="$profile" \
            --enable-logging=stderr --v=0 --window-size="${size#*:}" \
            --screenshot="$shot" "file://$(realpath "$page")" > /dev/null 2> "$log" || true
        rm -rf "$profile"
        if grep -q ':CONSOLE' "$log"; then
            grep ':CONSOLE' "$log" >&2
            echo "report_check: console messages in $page at the $name width" >&2
            exit 1
        fi
        if [ ! -s "$shot" ]; then
            cat "$log" >&2
            echo "report_check: no screenshot of $page at the $name width" >&2
            exit 1
        fi
        shots=$((shots + 1))
    done
done

if [ -n "$png" ]; then
    # The README's picture: the first view's desktop screenshot, its top 1500 pixels.
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update \
        --disable-sync --hide-scrollbars --user-data-dir="$(mktemp -d)" \
        --window-size=1280,1500 --screenshot="$png" "file://$(realpath "$first")" \
        > /dev/null 2>&1
    echo "report_check: wrote $png"
fi
echo "report pages: $pages checked, $shots screenshots, 0 console messages"
