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

for tool in apt-get dpkg dpkg-deb dpkg-query; do
  command -v "$tool" >/dev/null 2>&1 || fail "needs $tool (Debian/Ubuntu), which is not on PATH"
done

work=$(mktemp -d /tmp/valkey8-XXXXXX)
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
(cd "$work" && apt-get "${apt_opts[@]}" -q download "${packages[@]/%//$suite}") >"$work/download.log" 2>&1 ||
  fail "apt-get download ${packages[*]} from $suite failed:
$(tail -n 5 "$work/download.log")"
debs=()
for package in "${packages[@]}"; do
  deb=$(ls "$work/${package}"_*.deb 2>/dev/null | head -n 1)
  [ -n "$deb" ] || fail "apt-get download $package/$suite left no ${package}_*.deb in $work"
  version=$(dpkg-deb -f "$deb" Version)
  case "$version" in
  "$want"*) ;;
  *) fail "$suite has $package $version, not $want*" ;;
  esac
  debs+=("$deb")
done

# Depends: every clause needs an installed package (of a high enough version) or one that provides it. The
# clauses naming one of our two packages are met by unpacking both.
provided=$(dpkg-query -W -f '${db:Status-Abbrev} ${Package} ${Provides}\n' | awk '$1 ~ /^ii/ { $1 = ""; print }' |
  tr ',' '\n' | sed 's/([^)]*)//g; s/:[a-z0-9]*//g' | tr ' ' '\n' | sed '/^$/d' | sort -u)
missing=()
for deb in "${debs[@]}"; do
  IFS=',' read -r -a clauses <<<"$(dpkg-deb -f "$deb" Depends)"
  for clause in "${clauses[@]}"; do
    ok=
    IFS='|' read -r -a alternatives <<<"$clause"
    for alternative in "${alternatives[@]}"; do
      name=$(echo "$alternative" | sed 's/(.*//; s/:any//; s/[[:space:]]//g')
      relation=$(echo "$alternative" | sed -n 's/.*(\(.*\)).*/\1/p')
      case " ${packages[*]} " in
      *" $name "*)
        ok=1
        break
        ;;
      esac
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
done
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
