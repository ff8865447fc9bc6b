# Helpers shared by bin/run and bin/test; sourced, not run.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
export PIP_DISABLE_PIP_VERSION_CHECK=1

if [ -t 2 ]; then _B=$'\033[1m' _R=$'\033[0m'; else _B="" _R=""; fi
say() { printf '%s==> %s%s\n' "$_B" "$*" "$_R" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A Python between 3.12 and 3.13 that really runs (a pyenv shim may exist for a
# version that is installed but not selected, and fail when called).
python_ok() {
    "$1" -c 'import sys, venv; sys.exit(not (3, 12) <= sys.version_info[:2] <= (3, 13))' \
        >/dev/null 2>&1
}

find_python() {
    local cand root="${PYENV_ROOT:-$HOME/.pyenv}"
    for cand in "${LAPOR_PYTHON:-}" python3.12 python3.13; do
        [ -n "$cand" ] && command -v "$cand" >/dev/null 2>&1 && python_ok "$cand" \
            && { command -v "$cand"; return 0; }
    done
    for cand in "$root"/versions/3.12*/bin/python3.12 "$root"/versions/3.13*/bin/python3.13 \
        /usr/local/bin/python3.12 /usr/local/bin/python3.13 /usr/bin/python3.12 /usr/bin/python3.13; do
        [ -x "$cand" ] && python_ok "$cand" && { echo "$cand"; return 0; }
    done
    command -v python3 >/dev/null 2>&1 && python_ok python3 && { command -v python3; return 0; }
    return 1
}

# Create .venv if missing and install the project with the pinned versions,
# only when pyproject.toml or constraints.txt changed since the last install.
# $1: extras to install ("" or "dev"); the dev install covers the plain one.
ensure_venv() {
    local extras="$1" base want
    if [ -e "$VENV" ] && ! python_ok "$PY"; then
        say "Recreating .venv (its Python is missing, broken or not 3.12/3.13)"
        rm -rf "$VENV"
    fi
    if [ ! -x "$PY" ]; then
        base=$(find_python) || die "Python 3.12 or 3.13 is needed (set LAPOR_PYTHON=/path/to/python3.12)."
        say "Creating .venv with $base ($("$base" --version 2>&1))"
        "$base" -m venv "$VENV" || die "could not create .venv"
    fi
    want=$(cat "$ROOT/pyproject.toml" "$ROOT/constraints.txt" | sha256sum | cut -d' ' -f1)
    if [ "$(cat "$VENV/.installed-dev" 2>/dev/null)" = "$want" ]; then return 0; fi
    if [ -z "$extras" ] && [ "$(cat "$VENV/.installed" 2>/dev/null)" = "$want" ]; then return 0; fi
    say "Installing dependencies${extras:+ with the $extras extras} (pinned by constraints.txt)"
    "$PY" -m pip install --quiet -c "$ROOT/constraints.txt" -e "$ROOT${extras:+[$extras]}" \
        || die "pip install failed"
    echo "$want" >"$VENV/.installed${extras:+-$extras}"
}

manage() { "$PY" "$ROOT/manage.py" "$@"; }
