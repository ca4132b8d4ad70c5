#!/bin/sh
# Entry point of the prosody service. Runs as root only to install the certificates,
# then runs the command as the prosody user: Prosody refuses to run as root (mod_posix).
# `docker compose exec prosody prosodyctl ...` also starts as root; prosodyctl then
# switches to the prosody user by itself.
set -eu

: "${XMPP_DOMAIN:?XMPP_DOMAIN is not set; docker-compose.yml passes it from .env}"

certs_source=${CERTS_SOURCE:-/certs}
certs_dir=${CERTS_DIR:-/etc/prosody/certs}

# ./certs is mounted read-only with the host's owners and modes (a Let's Encrypt key is
# usually readable by root only). Copy it to where the prosody user, and only it, can read it.
if [ -d "$certs_source" ]; then
	mkdir -p "$certs_dir"
	cp -RL "$certs_source"/. "$certs_dir"/
	chown -R root:prosody "$certs_dir"
	chmod -R u=rwX,g=rX,o= "$certs_dir"
fi

# Prosody looks for DOMAIN.crt + DOMAIN.key, or DOMAIN/fullchain.pem + DOMAIN/privkey.pem.
if [ ! -f "$certs_dir/$XMPP_DOMAIN.crt" ] && [ ! -f "$certs_dir/$XMPP_DOMAIN/fullchain.pem" ]; then
	echo "warning: no certificate for $XMPP_DOMAIN in ./certs ($XMPP_DOMAIN.crt + $XMPP_DOMAIN.key, or" \
		"$XMPP_DOMAIN/fullchain.pem + $XMPP_DOMAIN/privkey.pem); this server requires TLS," \
		"so neither clients nor the bot can log in without one." >&2
fi

if [ "${1:-}" = "prosody" ]; then
	exec setpriv --reuid=prosody --regid=prosody --init-groups -- "$@"
fi
exec "$@"
