#!/usr/bin/env bash
# Installs Valkey 8 (Debian 12's bookworm-backports packages valkey-server and valkey-tools) privately, side by
# side with the system's redis-server, and prints the directory holding its valkey-server and valkey-cli, where
# test/helpers/valkey.ts looks by default (or give it as VALKEY8_BIN):
#
#   bash scripts/valkey8.sh && npx vitest run test/integration/valkey-registration.test.ts
#
# Nothing is added to /etc/apt and nothing is installed system-wide: the packages are downloaded with private
# package lists and unpacked (dpkg -x) into $VALKEY8_PREFIX (default /opt/valkey8); $PREFIX/bin gets links to the
# two programs the tests run (the packages have no redis-* names; valkey-server is itself a link to
# valkey-check-rdb, which acts on the name it is started by). Idempotent: when $PREFIX/bin/valkey-server already
# reports the wanted version it only prints the directory. The Depends of both packages must be installed already
# (redis-server's package brings them all); if one is missing it stops and names the apt-get command. Needs
# apt-get and dpkg, and write access to the prefix (root for /opt).
set -euo pipefail

prefix=${VALKEY8_PREFIX:-/opt/valkey8}
suite=${VALKEY8_SUITE:-bookworm-backports}
mirror=${VALKEY8_MIRROR:-http://deb.debian.org/debian}
want=${VALKEY8_VERSION:-8.} # prefix of `valkey-server --version`'s v=
bin="$prefix/bin"
packages=(valkey-server valkey-tools)

# shellcheck source=scripts/private-debs.sh
. "$(dirname "$0")/private-debs.sh"

fail() {
  echo "scripts/valkey8.sh: $*" >&2
  exit 1
}

# The version `valkey-server --version` of the private tree reports (`Valkey server v=8.0.1 ...`), or nothing.
installed_version() {
  [ -x "$bin/valkey-server" ] && [ -x "$bin/valkey-cli" ] || return 0
  { "$bin/valkey-server" --version 2>/dev/null || true; } | sed -n 's/^Valkey server v=\([0-9][^ ]*\).*/\1/p' |
    head -n 1
}

case "$(installed_version)" in
"$want"*)
  echo "$bin"
  exit 0
  ;;
esac

private_debs_need_tools
work=$(mktemp -d /tmp/valkey8-XXXXXX)
trap 'rm -rf "$work"' EXIT
private_debs_download "$work" "${packages[@]}"
version=$(dpkg-deb -f "${debs[0]}" Version)
private_debs_missing "${debs[@]}"
if [ "${#missing[@]}" -gt 0 ]; then
  fail "valkey $version needs, not installed: $(printf '%s; ' "${missing[@]}")
install them with: apt-get install -y $(printf '%s\n' "${missing[@]}" | sed 's/[ (|].*//' | sort -u | tr '\n' ' ')"
fi

# Unpack into a fresh tree and swap it in, so a failed run leaves the previous one alone.
staging="$prefix.new.$$"
rm -rf "$staging"
mkdir -p "$staging/bin" || fail "cannot create $staging (run as root for /opt)"
for deb in "${debs[@]}"; do
  dpkg -x "$deb" "$staging" || fail "dpkg -x $deb $staging failed"
done
for program in valkey-server valkey-cli; do
  [ -e "$staging/usr/bin/$program" ] || fail "the packages have no usr/bin/$program"
  # Relative, so the tree works once moved to $prefix; valkey-server keeps its name (it picks its mode by it).
  ln -s "../usr/bin/$program" "$staging/bin/$program"
done
rm -rf "$prefix.old"
if [ -e "$prefix" ]; then mv "$prefix" "$prefix.old"; fi
mv "$staging" "$prefix"
rm -rf "$prefix.old"

got=$(installed_version)
case "$got" in
"$want"*) ;;
*) fail "$bin/valkey-server --version does not report Valkey $want* (got '${got:-nothing}'):
$("$bin/valkey-server" --version 2>&1 | tail -n 5)" ;;
esac
echo "$bin"
