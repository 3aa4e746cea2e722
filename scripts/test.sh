#!/usr/bin/env bash
# The whole test suite: installs what the tests need, then runs them.
#
# - a Python virtual environment with the independent Proxmox VE peers (fakepve, proxmoxer), pinned in
#   tests/python/requirements.txt, in target/test-venv (reused when it is already there);
# - cargo test for the whole workspace, with the peers required (SCMP_REQUIRE_EXTERNAL=1), so a
#   missing peer fails the run instead of skipping its tests.
#
# Extra arguments go to cargo test (e.g. scripts/test.sh -p pve-sim).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    echo "test.sh: installing python3-venv (Debian)" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
fi

venv="${SCMP_TEST_VENV:-target/test-venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/python/requirements.txt

export SCMP_TEST_PYTHON="$PWD/$venv/bin/python"
export SCMP_REQUIRE_EXTERNAL=1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --locked "$@" 2>&1 | tee "$log" || status=$?
# One closing line for the whole run: the sum of every test binary's result.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "\ntests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
