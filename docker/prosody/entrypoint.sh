#!/bin/sh
# Entry point of the prosody service. Runs as root only to install the certificates,
# then runs the command as the prosody user: Prosody refuses to run as root (mod_posix).
# `docker compose exec prosody prosodyctl ...` also starts as root; prosodyctl then
# switches to the prosody user by itself.
set -eu

: "${XMPP_DOMAIN:?XMPP_DOMAIN is not set; docker-compose.yml passes it from .env}"

certs_source=${CERTS_SOURCE:-/certs}
certs_dir=${CERTS_DIR:-/etc/prosody/certs}

warn() {
	echo "warning: $*" >&2
}

# ./certs is mounted read-only with the host's owners and modes (a Let's Encrypt key is
# usually readable by root only). Copy it to where the prosody user, and only it, can read it.
# Symlinks are followed (Let's Encrypt's live/DOMAIN/*.pem point into ../../archive/); one that
# points outside the mount cannot be followed here: it is named, and the rest is still copied,
# so that a bad link never turns into a restart loop.
if [ -d "$certs_source" ]; then
	mkdir -p "$certs_dir"
	# A whole /etc/letsencrypt: only the certificates (live/ and the archive/ it points into), not the
	# ACME account keys and renewal settings.
	wanted=.
	if [ -d "$certs_source/live" ]; then wanted="./live ./archive"; fi
	(
		cd "$certs_source"
		# shellcheck disable=SC2086 # $wanted is one or two plain directory names
		find $wanted \( -type f -o -type l \) -print 2>/dev/null | while IFS= read -r file; do
			if [ ! -e "$file" ]; then
				warn "$certs_source/${file#./} is a symlink to $(readlink "$file"), which is not inside" \
					"the mounted certificate directory; mount the directory it points into as well" \
					"(for Let's Encrypt: CERTS=/etc/letsencrypt in .env)"
				continue
			fi
			mkdir -p "$certs_dir/$(dirname "$file")"
			cp -L "$file" "$certs_dir/$file" || warn "could not copy $certs_source/${file#./}"
		done
	)
	chown -R root:prosody "$certs_dir"
	chmod -R u=rwX,g=rX,o= "$certs_dir"
fi

# Prosody finds a certificate by name (DOMAIN.crt + DOMAIN.key, DOMAIN/fullchain.pem +
# DOMAIN/privkey.pem), or by looking into every *.crt and *fullchain* file up to three levels
# down (certmanager's index: a top-level fullchain.pem + privkey.pem, Let's Encrypt's
# live/DOMAIN/): the same files are looked for here, each with its key next to it.
found=""
if [ -d "$certs_dir" ]; then
	found=$(find "$certs_dir" -maxdepth 3 -type f \( -name '*.crt' -o -name '*fullchain*' \) | sort |
		while IFS= read -r cert; do
			case "$cert" in
				*.crt) key="${cert%.crt}.key" ;;
				*) key=$(printf '%s' "$cert" | sed 's/fullchain/privkey/g') ;;
			esac
			if [ -f "$key" ]; then
				printf '%s\n' "$cert"
				break
			fi
		done)
fi
if [ -z "$found" ]; then
	warn "no certificate for $XMPP_DOMAIN in ./certs ($XMPP_DOMAIN.crt + $XMPP_DOMAIN.key," \
		"$XMPP_DOMAIN/fullchain.pem + $XMPP_DOMAIN/privkey.pem, fullchain.pem + privkey.pem, or" \
		"Let's Encrypt's live/$XMPP_DOMAIN/); this server requires TLS, so neither clients nor the" \
		"bot can log in without one."
fi

if [ "${1:-}" = "prosody" ]; then
	exec setpriv --reuid=prosody --regid=prosody --init-groups -- "$@"
fi
exec "$@"
