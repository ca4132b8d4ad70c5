# The bot, for docker-compose.yml (or on its own: it needs only the environment of .env.example).
# Build stage: all dependencies, TypeScript → dist/. Runtime stage: production dependencies
# and dist/ only, run as the unprivileged `node` user.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# src/version.ts reads ../package.json from dist/, so package.json stays next to dist/.
COPY --from=build /app/dist ./dist
# The web pages' catalogs, app list, stylesheet and icon: data/ sits next to dist/ (src/web/web-data.ts).
COPY data ./data
# The Redis scripts the bot shares with our Prosody module (src/storage/redis-claims.ts).
COPY prosody/scripts ./prosody/scripts
# Node's on-disk compile cache (Node 22.1+), filled here by loading the bot's modules once, with the flags of CMD
# (V8 checks them against the cache): a container's first start skips compiling them (docs/benchmarks.md). The
# bot's user may refresh it.
ENV NODE_COMPILE_CACHE=/app/.compile-cache
RUN node --max-semi-space-size=1 --max-old-space-size=64 --input-type=module -e "await import('/app/dist/app.js')" \
  && chown -R node:node /app/.compile-cache
USER node
# The healthcheck below asks the bot's GET /healthz on OPS_LISTEN (docs/operations.md): healthy while it is logged
# in to the XMPP server and connected to Redis. Inside the container only; set OPS_LISTEN=0.0.0.0:9090 for a
# Prometheus on the container network (the healthcheck then asks 127.0.0.1:9090).
ENV OPS_LISTEN=127.0.0.1:9090
# Whether the bot is logged in, also as a file (src/health/): what the healthcheck reads with OPS_LISTEN=off.
ENV HEALTH_FILE=/tmp/xmpp-invite-bot.health
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "dist/healthcheck.js"]
# The invite web pages, when WEB_LISTEN is set (docker-compose.yml sets 0.0.0.0:8080).
EXPOSE 8080
# Logs go to stderr; SIGTERM (docker stop) sends unavailable presence and exits 0.
# A 1 MB young generation and a 64 MB old generation keep the resident memory near 80 MB, web pages under
# load included (docs/benchmarks.md); the live heap is about 10 MB.
CMD ["node", "--max-semi-space-size=1", "--max-old-space-size=64", "dist/main.js"]
