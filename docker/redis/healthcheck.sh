#!/bin/sh
# The redis service's healthcheck (docker-compose.yml): PING as the bot's Redis user, which may (the default
# user is off, and Prosody's user has no +ping). Prints Redis's answer, so `docker inspect` shows why it
# failed: -LOADING while the append-only file is replayed, WRONGPASS, a refused connection.
# REDIS_HOST / REDIS_PORT: the tests point it at their own Redis.
answer=$(REDISCLI_AUTH="${REDIS_BOT_PASSWORD:-}" redis-cli --no-auth-warning --user xmpp-invite-bot \
	-h "${REDIS_HOST:-127.0.0.1}" -p "${REDIS_PORT:-6379}" ping 2>&1)
echo "$answer"
[ "$answer" = PONG ]
