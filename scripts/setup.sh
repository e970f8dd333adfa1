#!/usr/bin/env bash
# Brings the checkout to a runnable state; cheap to re-run, so every make target calls it.
#
#   scripts/setup.sh               venv + dependencies + compiled translations + migrate
#   scripts/setup.sh --no-migrate  the same without migrate (tests build their own database, and
#                                  in CI DATABASE_URL names a database that need not exist)
set -euo pipefail
cd "$(dirname "$0")/.."

migrate=1
[ "${1:-}" = --no-migrate ] && migrate=0

# The project pins Python 3.11. CI's environment may not carry pyenv's PATH, so fall back to
# the shim directly.
find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 "$HOME/.pyenv/shims/python3.11" /usr/bin/python3.11; do
        [ -n "$candidate" ] && command -v "$candidate" >/dev/null && { echo "$candidate"; return; }
    done
    echo "python3.11 not found: install Python 3.11 or set PYTHON=/path/to/python3.11" >&2
    exit 1
}

# (Re)create the venv when it is missing or was built with another Python.
if ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
    python=$(find_python)
    rm -rf .venv
    "$python" -m venv .venv
fi

# Reinstall only when pyproject.toml is newer than the last successful install.
stamp=.venv/.installed-stamp
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/pip install --quiet --disable-pip-version-check -e ".[dev]"
    touch "$stamp"
fi

# Front-end libraries (package.json; served by the app from node_modules, no CDN). Reinstall only
# when the lock file is newer than the last successful install.
npm_stamp=node_modules/.installed-stamp
if [ ! -f "$npm_stamp" ] || [ package-lock.json -nt "$npm_stamp" ]; then
    command -v npm >/dev/null || { echo "npm not found: run scripts/system-deps.sh (Debian package npm)" >&2; exit 1; }
    npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
    touch "$npm_stamp"
fi

# .mo files are build output (git-ignored). compilemessages errors out when there is no locale
# directory at all, so only run it once some .po file exists.
if find . \( -path ./.venv -o -path ./node_modules -o -path ./.git \) -prune -o \
        -path '*/locale/*' -name '*.po' -print -quit | grep -q .; then
    .venv/bin/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
fi

if [ "$migrate" = 1 ]; then
    .venv/bin/python manage.py migrate --noinput -v 0
fi
