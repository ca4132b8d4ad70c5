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

for tool in apt-get dpkg dpkg-deb dpkg-query; do
  command -v "$tool" >/dev/null 2>&1 || fail "needs $tool (Debian/Ubuntu), which is not on PATH"
done

work=$(mktemp -d /tmp/prosody13-XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work" # apt's _apt user downloads into it
mkdir -p "$work/sources.d" "$work/lists/partial" "$work/archives/partial"
echo "deb $mirror $suite main" >"$work/sources.list"
apt_opts=(
  -o "Dir::Etc::sourcelist=$work/sources.list"
  -o "Dir::Etc::sourceparts=$work/sources.d"
  -o "Dir::State::Lists=$work/lists"
  -o "Dir::Cache::archives=$work/archives"
  -o "APT::Sandbox::User=root"
)

apt-get "${apt_opts[@]}" -q update >"$work/update.log" 2>&1 ||
  fail "apt-get update of $mirror $suite failed:
$(tail -n 5 "$work/update.log")"
(cd "$work" && apt-get "${apt_opts[@]}" -q download "prosody/$suite") >"$work/download.log" 2>&1 ||
  fail "apt-get download prosody/$suite failed:
$(tail -n 5 "$work/download.log")"
deb=$(ls "$work"/prosody_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fail "apt-get download prosody/$suite left no prosody_*.deb in $work"
version=$(dpkg-deb -f "$deb" Version)
case "$version" in
"$want"*) ;;
*) fail "$suite has prosody $version, not $want*" ;;
esac

# Depends: every clause needs an installed package (of a high enough version) or one that provides it.
provided=$(dpkg-query -W -f '${db:Status-Abbrev} ${Package} ${Provides}\n' | awk '$1 ~ /^ii/ { $1 = ""; print }' |
  tr ',' '\n' | sed 's/([^)]*)//g; s/:[a-z0-9]*//g' | tr ' ' '\n' | sed '/^$/d' | sort -u)
missing=()
IFS=',' read -r -a clauses <<<"$(dpkg-deb -f "$deb" Depends)"
for clause in "${clauses[@]}"; do
  ok=
  IFS='|' read -r -a alternatives <<<"$clause"
  for alternative in "${alternatives[@]}"; do
    name=$(echo "$alternative" | sed 's/(.*//; s/:any//; s/[[:space:]]//g')
    relation=$(echo "$alternative" | sed -n 's/.*(\(.*\)).*/\1/p')
    have=$({ dpkg-query -W -f '${db:Status-Abbrev} ${Version}' "$name" 2>/dev/null || true; } | awk '$1 ~ /^ii/ { print $2 }')
    if [ -n "$have" ]; then
      if [ -z "$relation" ] || dpkg --compare-versions "$have" ${relation% *} "${relation#* }"; then ok=1; fi
    elif [ -z "$relation" ] && grep -qxF "$name" <<<"$provided"; then
      ok=1
    fi
    if [ -n "$ok" ]; then break; fi
  done
  [ -n "$ok" ] || missing+=("$(echo "$clause" | sed 's/^ *//; s/ *$//')")
done
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
