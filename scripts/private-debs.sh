# Sourced by scripts/prosody13.sh and scripts/valkey8.sh: downloads Debian packages from another suite (e.g.
# bookworm-backports) with private package lists, nothing added to /etc/apt, and checks that their Depends are
# installed, so they can be unpacked (dpkg -x) beside the system's own. The sourcing script sets `suite`, `mirror`
# and `want` (the version prefix it accepts) and defines `fail MESSAGE`, which must exit.

# Stops unless apt-get and dpkg's tools are there.
private_debs_need_tools() {
  local tool
  for tool in apt-get dpkg dpkg-deb dpkg-query; do
    command -v "$tool" >/dev/null 2>&1 || fail "needs $tool (Debian/Ubuntu), which is not on PATH"
  done
}

# private_debs_download WORK PACKAGE...: the packages' .debs from $mirror $suite, each of a version starting with
# $want, into WORK (a directory apt's _apt user may write to); their paths in the array `debs`.
private_debs_download() {
  local work=$1 package deb version
  shift
  chmod 755 "$work" # apt's _apt user downloads into it
  mkdir -p "$work/sources.d" "$work/lists/partial" "$work/archives/partial"
  echo "deb $mirror $suite main" >"$work/sources.list"
  local apt_opts=(
    -o "Dir::Etc::sourcelist=$work/sources.list"
    -o "Dir::Etc::sourceparts=$work/sources.d"
    -o "Dir::State::Lists=$work/lists"
    -o "Dir::Cache::archives=$work/archives"
    -o "APT::Sandbox::User=root"
  )
  apt-get "${apt_opts[@]}" -q update >"$work/update.log" 2>&1 ||
    fail "apt-get update of $mirror $suite failed:
$(tail -n 5 "$work/update.log")"
  (cd "$work" && apt-get "${apt_opts[@]}" -q download "${@/%//$suite}") >"$work/download.log" 2>&1 ||
    fail "apt-get download $* from $suite failed:
$(tail -n 5 "$work/download.log")"
  debs=()
  for package in "$@"; do
    deb=$(ls "$work/${package}"_*.deb 2>/dev/null | head -n 1)
    [ -n "$deb" ] || fail "apt-get download $package/$suite left no ${package}_*.deb in $work"
    version=$(dpkg-deb -f "$deb" Version)
    case "$version" in
    "$want"*) ;;
    *) fail "$suite has $package $version, not $want*" ;;
    esac
    debs+=("$deb")
  done
}

# private_debs_missing DEB...: the Depends clauses of the .debs that no installed package meets (of a high enough
# version, or by Provides), in the array `missing`; clauses naming one of the .debs' own packages are met by
# unpacking them together.
private_debs_missing() {
  local deb clause alternative name relation have ok own=" "
  local -a clauses alternatives
  for deb in "$@"; do own+="$(dpkg-deb -f "$deb" Package) "; done
  local provided
  provided=$(dpkg-query -W -f '${db:Status-Abbrev} ${Package} ${Provides}\n' | awk '$1 ~ /^ii/ { $1 = ""; print }' |
    tr ',' '\n' | sed 's/([^)]*)//g; s/:[a-z0-9]*//g' | tr ' ' '\n' | sed '/^$/d' | sort -u)
  missing=()
  for deb in "$@"; do
    IFS=',' read -r -a clauses <<<"$(dpkg-deb -f "$deb" Depends)"
    for clause in "${clauses[@]}"; do
      ok=
      IFS='|' read -r -a alternatives <<<"$clause"
      for alternative in "${alternatives[@]}"; do
        name=$(echo "$alternative" | sed 's/(.*//; s/:any//; s/[[:space:]]//g')
        relation=$(echo "$alternative" | sed -n 's/.*(\(.*\)).*/\1/p')
        case "$own" in *" $name "*) ok=1 && break ;; esac
        have=$({ dpkg-query -W -f '${db:Status-Abbrev} ${Version}' "$name" 2>/dev/null || true; } |
          awk '$1 ~ /^ii/ { print $2 }')
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
}
