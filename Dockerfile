# hookscope image: a build stage with the compilers better-sqlite3 needs, and a small runtime stage
# with production dependencies only, running as the unprivileged `node` user (uid 1000).
#   docker build -t hookscope .          (or: docker compose up, see docs/operations.md)
# The same image runs the forward CLI (dist/server/forward.js, built with the server; docs/forwarding.md):
#   docker run --rm --network host hookscope node dist/server/forward.js --from … --to …

# ---- build: install everything, build the dashboard and the server, keep production deps --------
FROM node:24-bookworm-slim AS build
# better-sqlite3 is compiled from source when no prebuilt binary can be fetched
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
WORKDIR /app
# dependencies first: this layer stays cached until package.json or the lockfile changes.
# node-gyp takes the headers shipped with the Node image instead of downloading them from nodejs.org.
COPY package.json package-lock.json ./
RUN npm_config_nodedir=/usr/local npm ci
COPY . .
RUN npm run build \
 && npm prune --omit=dev \
 && npm cache clean --force
# of better-sqlite3's compilation only the addon is needed at run time (drops ~27 MB of objects and sources)
RUN cd node_modules/better-sqlite3 \
 && test -f build/Release/better_sqlite3.node \
 && mv build/Release/better_sqlite3.node /tmp/ \
 && rm -rf build deps src \
 && mkdir -p build/Release \
 && mv /tmp/better_sqlite3.node build/Release/

# ---- runtime ---------------------------------------------------------------------------------------
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/data
WORKDIR /app
# the layout the server expects: everything resolved from the folder holding package.json
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/schema.graphql ./
COPY --from=build /app/server/drizzle ./server/drizzle
COPY --from=build /app/dist ./dist
# the app files stay root-owned (read-only for the server); only /data is writable by it
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8000
# no curl in the slim image: node's fetch probes /healthz (written without spaces, which some engines split on)
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/server/main.js"]
