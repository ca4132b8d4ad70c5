#!/usr/bin/env bash
# Installs Prosody 13 (Debian 12's bookworm-backports package) privately, side by side with the
# system's Prosody, and prints the directory to put first on PATH to run the tests against it:
#
#   PATH="$(sh scripts/prosody13.sh):$PATH" npx vitest run test/integration test/unit/lua
#
# Nothing is added to /etc/apt and nothing is installed system-wide: the package is downloaded with
# private package lists and unpacked (dpkg -x) into $PROSODY13_PREFIX (default /opt/prosody13), and
# its prosody/prosodyctl scripts are copied to $PREFIX/bin with their paths pointing into that tree.
# Idempotent: when $PREFIX/bin/prosodyctl already reports the wanted version it only prints the
# directory. Its Depends must be installed already (Debian 12's lua-* packages provide the lua5.4-*
# ones); if one is missing it stops and names the apt-get command. Needs apt-get and dpkg, and write
# access to the prefix (root for /opt).
set -euo pipefail

prefix=${PROSODY13_PREFIX:-/opt/prosody13}
suite=${PROSODY13_SUITE:-bookworm-backports}
mirror=${PROSODY13_MIRROR:-http://deb.debian.org/debian}
want=${PROSODY13_VERSION:-13.}   # prefix of `prosodyctl about`'s version
bin="$prefix/bin"

# shellcheck source=scripts/private-debs.sh
. "$(dirname "$0")/private-debs.sh"

fail() {
  echo "scripts/prosody13.sh: $*" >&2
  exit 1
}

# The version `prosodyctl about` of the private tree reports, or nothing.
installed_version() {
  [ -x "$bin/prosodyctl" ] || return 0
  { "$bin/prosodyctl" about 2>/dev/null || true; } | sed -n 's/^Prosody \([0-9][^ ]*\).*/\1/p' | head -n 1
}

case "$(installed_version)" in
"$want"*)
  echo "$bin"
  exit 0
  ;;
esac

private_debs_need_tools
work=$(mktemp -d /tmp/prosody13-XXXXXX)
trap 'rm -rf "$work"' EXIT
private_debs_download "$work" prosody
deb=${debs[0]}
version=$(dpkg-deb -f "$deb" Version)
private_debs_missing "$deb"
if [ "${#missing[@]}" -gt 0 ]; then
  fail "prosody $version needs, not installed: $(printf '%s; ' "${missing[@]}")
install them with: apt-get install -y $(printf '%s\n' "${missing[@]}" | sed 's/[ (|].*//' | tr '\n' ' ')
(Debian 12's lua-expat, lua-filesystem, lua-sec, lua-socket and lua-bitop provide the lua5.4-* ones)"
fi

# Unpack into a fresh tree and swap it in, so a failed run leaves the previous one alone.
staging="$prefix.new.$$"
rm -rf "$staging"
mkdir -p "$staging/bin" "$staging/var/lib/prosody" || fail "cannot create $staging (run as root for /opt)"
dpkg -x "$deb" "$staging" || fail "dpkg -x $deb $staging failed"
# The package's config includes conf.d/*.cfg.lua, a directory its postinst makes; `prosodyctl about`
# (how the tests tell the version) reads that config.
mkdir -p "$staging/etc/prosody/conf.d" "$staging/etc/prosody/certs"
for script in prosody prosodyctl; do
  [ -f "$staging/usr/bin/$script" ] || fail "$deb has no usr/bin/$script"
  # Only the configure-time paths near the top; the scripts are otherwise unchanged.
  sed -e "s|^CFG_SOURCEDIR=.*|CFG_SOURCEDIR='$prefix/usr/lib/prosody';|" \
    -e "s|^CFG_CONFIGDIR=.*|CFG_CONFIGDIR='$prefix/etc/prosody';|" \
    -e "s|^CFG_PLUGINDIR=.*|CFG_PLUGINDIR='$prefix/usr/lib/prosody/modules/';|" \
    -e "s|^CFG_DATADIR=.*|CFG_DATADIR='$prefix/var/lib/prosody';|" \
    "$staging/usr/bin/$script" >"$staging/bin/$script"
  grep -q "^CFG_SOURCEDIR='$prefix/" "$staging/bin/$script" || fail "no CFG_SOURCEDIR line to rewrite in $script"
  chmod 755 "$staging/bin/$script"
done
# The paths above name $prefix, so the tree can only be checked once it is there.
rm -rf "$prefix.old"
if [ -e "$prefix" ]; then mv "$prefix" "$prefix.old"; fi
mv "$staging" "$prefix"
rm -rf "$prefix.old"

got=$(installed_version)
case "$got" in
"$want"*) ;;
*) fail "$bin/prosodyctl about does not report Prosody $want* (got '${got:-nothing}'):
$("$bin/prosodyctl" about 2>&1 | tail -n 20)" ;;
esac
echo "$bin"
