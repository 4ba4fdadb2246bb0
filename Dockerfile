# One image for every agentq process: the worker, the producer CLI/dashboard and mock-anthropic.
# Build: docker build -t agentq .   (docker compose builds it for you)

# Build stage: the whole workspace with its dev dependencies, compiled.
FROM node:24-bookworm-slim AS build
WORKDIR /src
RUN npm install -g pnpm@10
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY packages/shared/package.json packages/shared/
COPY packages/worker/package.json packages/worker/
COPY packages/producer/package.json packages/producer/
COPY packages/mock-anthropic/package.json packages/mock-anthropic/
COPY examples/package.json examples/
COPY test/package.json test/
COPY bench/package.json bench/
RUN pnpm install --frozen-lockfile
COPY tsconfig.base.json tsconfig.json ./
COPY packages packages
COPY examples examples
COPY bench bench
RUN pnpm build
# The examples package with production dependencies only (it depends on the worker, the producer and the
# mock): no compiler, linter or test runner goes into the runtime image.
RUN pnpm --filter @agentq/examples deploy --legacy --prod /deploy

# Runtime stage: Node and the deployed production tree, run by an unprivileged user.
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /deploy /app
# The demo tools' files (AGENTQ_DEMO_DIR); compose mounts one named volume here for every worker.
RUN mkdir -p /var/lib/agentq-demo && chown node:node /var/lib/agentq-demo
USER node
ENV PATH="/app/node_modules/.bin:${PATH}"
ENV AGENTQ_DEMO_DIR=/var/lib/agentq-demo
# Default: a worker serving the demo agents. Compose overrides the command per service.
CMD ["agentq-worker", "--agents", "dist/agents.js"]
