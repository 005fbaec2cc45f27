#!/usr/bin/env bash
# Make (once) the virtual environment the engine harness runs in, and install what the
# engines need from the system when it is missing. Prints the environment's python.
# The environment lives in ~/.cache/kpi-bench/venv (kept between runs on one machine);
# it is remade when requirements.txt changes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/kpi-bench"
venv="$cache/venv"
stamp="$venv/.kpi-engines-requirements"
log="$cache/setup.log"
mkdir -p "$cache"
have() { command -v "$1" > /dev/null 2>&1; }
need_apt=()
have java || need_apt+=(openjdk-17-jre-headless)
ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1 || have initdb || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: apt-get install ${need_apt[*]}" >&2
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}"; } >> "$log" 2>&1
fi
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" >> "$log" 2>&1
fi
if ! cmp -s "$here/requirements.txt" "$stamp" 2> /dev/null; then
  echo "setup: pip install -r tests/engines/requirements.txt (once per machine)" >&2
  "$venv/bin/pip" install -q -r "$here/requirements.txt" >> "$log" 2>&1
  cp "$here/requirements.txt" "$stamp"
fi
echo "$venv/bin/python"
