# syntax=docker/dockerfile:1
# Candor: build with the dev toolchain, run on a slim image as a non-root user.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ormconfig.ts ./
COPY src ./src
COPY migrations ./migrations
COPY catalog ./catalog
COPY schema ./schema
COPY clients ./clients
# The widget bundle (/widget/candor.js) is built here, with the dev toolchain, then pruned away.
RUN npm run build && npm run -s build:widget && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=4000 \
    DATABASE_URL=sqlite:/app/data/candor.sqlite
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/catalog ./catalog
COPY --from=build --chown=node:node /app/clients/web/dist ./clients/web/dist
COPY --from=build --chown=node:node /app/clients/web/privacy.html ./clients/web/privacy.html
COPY --from=build --chown=node:node /app/clients/js/persisted-operations.json ./clients/js/persisted-operations.json
COPY --chown=node:node bin ./bin
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# Migrations run before the server takes traffic (the server checks again at start-up).
CMD ["sh", "-c", "node bin/candor.js migrate && exec node dist/src/main.js"]
