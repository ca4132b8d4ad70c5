#!/bin/sh
# Entry point of the redis service (docker-compose.yml): writes the ACL file with the passwords compose
# passes from .env, then runs redis-server as the redis user with redis.conf beside this script.
set -eu
here=/usr/local/lib/xmpp-invite-bot-redis
"$here/write-acl.sh" /data/users.acl
chown -R redis:redis /data
exec setpriv --reuid=redis --regid=redis --init-groups -- redis-server "$here/redis.conf" \
	--dir /data --aclfile /data/users.acl "$@"
