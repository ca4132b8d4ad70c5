#!/bin/bash
# The prosody service's healthcheck (docker-compose.yml): opens a client stream to XMPP_DOMAIN on port 5222,
# as any client does (RFC 6120 §4.2), and is healthy when Prosody answers with its stream features and
# offers STARTTLS (the compose config requires encryption, so no TLS offered means no certificate loaded).
# Prints what it found, for `docker inspect`. HEALTHCHECK_PORT: the tests point it at their own Prosody.
set -u
port=${HEALTHCHECK_PORT:-5222}
domain=${XMPP_DOMAIN:?XMPP_DOMAIN is not set}
if ! exec 3<>"/dev/tcp/127.0.0.1/$port"; then
	echo "nothing listens on port $port"
	exit 1
fi
printf "<?xml version='1.0'?><stream:stream to='%s' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>" "$domain" >&3
# Prosody sends no newlines: read up to each '>' until the features are complete (5 s at most per piece).
answer=""
while IFS= read -r -t 5 -d '>' piece <&3; do
	answer+="$piece>"
	case "$answer" in *"</stream:features>"*) break ;; esac
	[ "${#answer}" -lt 8000 ] || break
done
exec 3>&-
case "$answer" in
*"<starttls"*) echo "Prosody answers for $domain on port $port and offers STARTTLS" ;;
*"<stream:features"*) echo "Prosody answers for $domain on port $port but offers no STARTTLS: is the certificate for $domain in ./certs?"; exit 1 ;;
*) echo "no stream features from port $port within 5 s: ${answer:-no answer}"; exit 1 ;;
esac
