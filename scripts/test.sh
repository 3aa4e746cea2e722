#!/usr/bin/env bash
# The whole test suite: installs what the tests need, then runs them.
#
# - a Python virtual environment with the independent Proxmox VE peers (fakepve, proxmoxer), pinned in
#   tests/python/requirements.txt, in target/test-venv (reused when it is already there);
# - a PostgreSQL server (Debian's package) in a temporary directory on loopback, stopped at exit, for
#   the store's conformance suite (SCMP_TEST_DATABASE_URL);
# - Debian's Chromium and the portal's end-to-end test packages (playwright-core, pinned in
#   tests/portal/package-lock.json; no browser download), for the portal's browser test;
# - Debian's slapd and ldap-utils, and Samba's AD DC, for the directory (LDAP and AD realm) tests;
# - Debian's wireguard-tools and wireguard-go, for the site link tests, and nftables for the NAT
#   rendering test;
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

# The portal's browser test: Debian's Chromium, and Playwright's driver from the npm registry.
if [ ! -x /usr/bin/chromium ]; then
    echo "test.sh: installing chromium (Debian)" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
# The directory tests: Debian's OpenLDAP server and its command-line tools (the harness runs its
# own slapd in a temporary directory on loopback; the package's system server is not used).
if [ ! -x /usr/sbin/slapd ] || ! command -v ldapmodify >/dev/null; then
    echo "test.sh: installing slapd and ldap-utils (Debian)" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slapd ldap-utils >/dev/null
fi
# The Active Directory tests: Samba's AD domain controller (provisioned by the harness in a
# temporary directory; it needs root for AD's LDAP ports, and skips, saying so, without it).
if [ ! -x /usr/sbin/samba ] || ! command -v samba-tool >/dev/null; then
    echo "test.sh: installing samba and samba-ad-dc (Debian)" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq samba samba-ad-dc >/dev/null
fi
# The site link tests: WireGuard's tools (wg, wg-quick) to check the rendered configurations, and
# its userspace implementation to bring two ends up in network namespaces (the kernel may lack
# the WireGuard module).
if ! command -v wg >/dev/null || ! command -v wg-quick >/dev/null || ! command -v wireguard-go >/dev/null; then
    echo "test.sh: installing wireguard-tools and wireguard-go (Debian)" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wireguard-tools wireguard-go >/dev/null
fi
# The NAT rendering test loads the site's ruleset with Debian's nftables in a namespace.
if ! command -v nft >/dev/null; then
    echo "test.sh: installing nftables (Debian)" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nftables >/dev/null
fi
if ! command -v npm >/dev/null; then
    echo "test.sh: installing nodejs and npm (Debian)" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
(cd tests/portal && npm ci --no-audit --no-fund --loglevel=error)
export SCMP_REQUIRE_EXTERNAL=1

# PostgreSQL: Debian's server binaries, a throw-away cluster owned by an unprivileged user.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ]; then
    echo "test.sh: installing postgresql (Debian)" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
pg_dir=$(mktemp -d)
pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$pg_dir"
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi
cleanup() {
    as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
    rm -f "${log:-}"
}
trap cleanup EXIT
as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust --no-sync >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -o \
    "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
export SCMP_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"

log=$(mktemp)
status=0
if [ $# -eq 0 ]; then set -- --workspace; fi
cargo test --locked --no-fail-fast "$@" 2>&1 | tee "$log" || status=$?
# One closing line for the whole run: the sum of every test binary's result.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "\ntests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
