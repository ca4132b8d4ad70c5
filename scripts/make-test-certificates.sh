#!/bin/sh
# A private CA and a certificate for DOMAIN signed by it, for trying the compose stack before a real
# certificate (Let's Encrypt) is in place (README, "Self-hosting with Docker Compose"):
#   certs/DOMAIN.crt + certs/DOMAIN.key   Prosody's certificate (docker-compose.yml mounts ./certs)
#   ca/ca.pem                             the CA's certificate: the bot trusts it with NODE_EXTRA_CA_CERTS=/ca/ca.pem,
#                                         and so must every client that logs in (import it, or accept it once)
#   .private-ca/ca.key                    the CA's key, outside both mounted directories; keep it or delete it
# Run from the repository's directory. An existing CA is reused, so clients that trust it keep trusting it.
set -eu
domain=${1:?usage: sh scripts/make-test-certificates.sh DOMAIN (the XMPP_DOMAIN of .env)}
command -v openssl >/dev/null 2>&1 || { echo "openssl is missing: apt-get install -y openssl" >&2; exit 2; }

umask 077
mkdir -p certs ca .private-ca
if [ ! -f .private-ca/ca.key ] || [ ! -f ca/ca.pem ]; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Private CA for $domain" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
		-keyout .private-ca/ca.key -out ca/ca.pem 2>/dev/null
fi
extensions=$(mktemp)
trap 'rm -f "$extensions" certs/"$domain".csr' EXIT
printf 'subjectAltName=DNS:%s,DNS:*.%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' \
	"$domain" "$domain" >"$extensions"
openssl req -newkey rsa:2048 -nodes -subj "/CN=$domain" -keyout "certs/$domain.key" -out "certs/$domain.csr" 2>/dev/null
openssl x509 -req -in "certs/$domain.csr" -CA ca/ca.pem -CAkey .private-ca/ca.key -CAcreateserial \
	-CAserial .private-ca/ca.srl -days 825 -extfile "$extensions" -out "certs/$domain.crt" 2>/dev/null
# Readable by the containers' entrypoints and the bot's unprivileged user (the key is copied for Prosody only).
chmod 0644 ca/ca.pem "certs/$domain.crt"
chmod 0755 certs ca
echo "certs/$domain.crt and certs/$domain.key, signed by the private CA in ca/ca.pem"
