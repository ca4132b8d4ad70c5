#!/bin/sh
# `docker compose exec prosody register-bot-account`: creates (or resets the password of) the bot's
# account from the values compose passes this container from .env, the same values the bot reads,
# so a password with spaces, $ or quotes is the same on both sides; nothing is parsed by a shell.
# PROSODY_CONFIG: another config file (the tests' copy); the image's is /etc/prosody/prosody.cfg.lua.
set -eu
: "${XMPP_DOMAIN:?XMPP_DOMAIN is not set; docker-compose.yml passes it from .env}"
: "${XMPP_PASSWORD:?XMPP_PASSWORD is not set; docker-compose.yml passes it from .env}"
if [ -n "${PROSODY_CONFIG:-}" ]; then
	exec prosodyctl --config "$PROSODY_CONFIG" register "${XMPP_USERNAME:-invites}" "$XMPP_DOMAIN" "$XMPP_PASSWORD"
fi
exec prosodyctl register "${XMPP_USERNAME:-invites}" "$XMPP_DOMAIN" "$XMPP_PASSWORD"
