#!/usr/bin/env bash
# Makes sure the Debian packages the project needs outside its virtualenv are present.
#
#   scripts/system-deps.sh run    what `make run` needs: WeasyPrint's Pango, HarfBuzz's subsetter
#                                 (without it WeasyPrint subsets the CJK font with fontTools, ~10 s
#                                 more per PDF), a CJK font for the PDFs, gettext for compilemessages,
#                                 npm for the front-end libraries (scripts/setup.sh runs npm ci)
#   scripts/system-deps.sh test   the above plus Chromium (browser tests), poppler-utils (the PDF
#                                 tests read PDFs back) and docker-compose (compose validation)
#
# Each package is checked by what we actually use from it (a command, a shared library, a font)
# so the check is cheap and also works where the thing came from elsewhere. Missing packages are
# installed with apt-get when we are root; otherwise we say exactly what to run and fail.
# Silent when everything is there.
set -euo pipefail

mode=${1:-run}
case $mode in
    run) wanted=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk gettext npm) ;;
    test) wanted=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk gettext npm
                  chromium poppler-utils docker-compose) ;;
    *) echo "usage: $0 [run|test]" >&2; exit 2 ;;
esac

# ldconfig lives in /sbin, which a non-root PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"

# The linker cache, read once. Not `ldconfig -p | grep -q`: under pipefail, grep -q exits at the
# first match, ldconfig dies of SIGPIPE writing the rest, and the pipeline fails although the
# library is there (3 to 7 false misses in 200 calls).
ld_cache=
has_lib() {
    [ -n "$ld_cache" ] || ld_cache=$(ldconfig -p 2>/dev/null || true)
    [[ $ld_cache == *"$1"* ]]
}

present() {
    case $1 in
        libpango-1.0-0) has_lib 'libpango-1.0.so.0' ;;
        libpangoft2-1.0-0) has_lib 'libpangoft2-1.0.so.0' ;;
        libharfbuzz-subset0) has_lib 'libharfbuzz-subset.so.0' ;;
        fontconfig) command -v fc-list >/dev/null ;;
        # Any font covering Chinese will do for the PDFs; without one they render as boxes.
        fonts-noto-cjk) command -v fc-list >/dev/null && [ -n "$(fc-list :lang=zh family)" ] ;;
        gettext) command -v msgfmt >/dev/null ;;
        # Debian's npm brings nodejs; a Node.js from elsewhere that has npm will do too.
        npm) command -v npm >/dev/null && command -v node >/dev/null ;;
        chromium) command -v chromium >/dev/null ;;
        poppler-utils) command -v pdftotext >/dev/null && command -v pdffonts >/dev/null \
                           && command -v pdftoppm >/dev/null ;;
        docker-compose) command -v docker-compose >/dev/null ;;
        *) dpkg -s "$1" >/dev/null 2>&1 ;;
    esac
}

missing_now() {
    local pkg out=()
    for pkg in "${wanted[@]}"; do present "$pkg" || out+=("$pkg"); done
    echo "${out[@]:-}"
}

# Sourced (tests call has_lib and present): define the functions, check nothing.
[ "${BASH_SOURCE[0]}" != "$0" ] && return 0

read -r -a missing <<<"$(missing_now)"
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them with:  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

echo "Installing missing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# --no-install-recommends: docker-compose would otherwise pull in the whole docker.io engine.
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# Re-check: a package can install yet not provide what we look for (e.g. an empty font cache).
read -r -a still <<<"$(missing_now)"
if [ ${#still[@]} -ne 0 ]; then
    echo "Still missing after apt-get install: ${still[*]}" >&2
    exit 1
fi
