# One image for every agentq process: the worker, the producer CLI/dashboard and mock-anthropic.
# Build: docker build -t agentq .   (docker compose builds it for you)
FROM node:20-bookworm-slim AS build
WORKDIR /app
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

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
# Run as the image's unprivileged user; the demo tools write under /tmp.
USER node
ENV PATH="/app/node_modules/.bin:${PATH}"
# Default: a worker serving the demo agents. Compose overrides the command per service.
CMD ["node", "packages/worker/dist/bin/agentq-worker.js", "--agents", "examples/dist/agents.js"]
