# syntax=docker/dockerfile:1.7
# One image for every vcp-monitor process; the command picks the role:
#   node dist/api/server.js         the prediction API (the default, with the healthcheck below)
#   node dist/workers/worker.js     a Temporal worker (compose disables the API healthcheck for it)
#   node dist/scripts/schedule.js   the schedule operations (upsert on every deploy)
# Debian slim rather than Alpine: the Temporal SDK's native core bridge and @swc/core ship glibc binaries.
ARG NODE_IMAGE=node:20.18.1-bookworm-slim

# Every dependency, dev ones included: tsc and the workflow bundler run in the build stage.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY activities ./activities
COPY alerts ./alerts
COPY api ./api
COPY config ./config
COPY db ./db
COPY domain ./domain
COPY loaders ./loaders
COPY logging ./logging
COPY scripts ./scripts
COPY temporal ./temporal
COPY workers ./workers
COPY workflows ./workflows
COPY deploy/bundle-workflows.mjs ./deploy/bundle-workflows.mjs
# tsc follows imports from the entry points in tsconfig.build.json and fails the build on a type error.
RUN npx tsc -p tsconfig.build.json
# Files the code reads next to its modules at run time (db/migrations, the dashboard's static files).
RUN find activities alerts api config db domain loaders logging scripts temporal workers workflows \
      -type f ! -name '*.ts' -exec cp --parents {} dist/ \;
# The worker resolves its workflows as ../workflows/index.ts next to its module, and Temporal's bundler
# prefers a .ts over a .js for every import, so the sources beside the compiled files are what it bundles.
RUN find workflows -maxdepth 1 -name '*.ts' ! -name '*.test.ts' -exec cp {} dist/workflows/ \;
# The same code bundled once now: the build fails here if a workflow imports something non-deterministic,
# and a worker changed to load dist/workflow-bundle.js skips webpack at start (see docs/deployment.md).
RUN node deploy/bundle-workflows.mjs workflows/index.ts dist/workflow-bundle.js

# Production dependencies only, installed from the same lockfile.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    LOG_DIR=/app/logs \
    DATA_DIR=/app/data \
    REPORTS_DIR=/app/data/reports \
    API_HOST=0.0.0.0 \
    API_PORT=8080
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# Named volumes mounted on these directories start with this ownership, so the non-root user can write.
RUN mkdir -p /app/logs /app/data/reports && chown -R node:node /app/logs /app/data
USER node
EXPOSE 8080
# Node 20 has fetch built in; the slim image has neither curl nor wget.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.API_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/api/server.js"]
