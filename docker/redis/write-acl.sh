#!/bin/sh
# Writes the Redis ACL file for xmpp-invite-bot and Prosody (docs/security.md) to $1:
# the users of acl-rules.conf beside this script, with the passwords
# REDIS_BOT_PASSWORD and REDIS_PROSODY_PASSWORD, and the default user switched off.
# docker-compose.yml runs it before redis-server; the test suite runs it too, unchanged.
set -eu

out=${1:?usage: write-acl.sh OUTPUT-FILE}
rules="$(dirname "$0")/acl-rules.conf"

password_for() {
	case "$1" in
	xmpp-invite-bot) printf '%s' "${REDIS_BOT_PASSWORD:-}" ;;
	prosody) printf '%s' "${REDIS_PROSODY_PASSWORD:-}" ;;
	esac
}

check_password() {
	# An ACL file splits on spaces and reads quotes: keep to characters that need neither.
	case "$2" in
	"") echo "write-acl.sh: $1 is not set (make one with: openssl rand -hex 32)" >&2; exit 2 ;;
	*[!A-Za-z0-9_-]*) echo "write-acl.sh: $1 may only contain A-Z, a-z, 0-9, _ and - (openssl rand -hex 32)" >&2; exit 2 ;;
	esac
	if [ "${#2}" -lt 16 ]; then echo "write-acl.sh: $1 must be at least 16 characters" >&2; exit 2; fi
}

check_password REDIS_BOT_PASSWORD "${REDIS_BOT_PASSWORD:-}"
check_password REDIS_PROSODY_PASSWORD "${REDIS_PROSODY_PASSWORD:-}"

umask 077
{
	# The default user: off and without a password, so nobody can log in as it. It keeps every right
	# all the same, because Redis (7.0, and Valkey) replays its append-only file at start as this user
	# and checks each MULTI/EXEC it replays against the user's rights: every invite is written in one,
	# and every script's effects are logged as one, so a default user without rights made Redis skip
	# them all on restart ("-NOPERM ... AOF-loading-client", redis/redis#14541) and lose every invite.
	echo "user default off ~* &* +@all"
	grep -v '^#' "$rules" | grep -v '^[[:space:]]*$' | while read -r name acl; do
		echo "user $name on >$(password_for "$name") $acl"
	done
} >"$out.tmp"
mv "$out.tmp" "$out"
