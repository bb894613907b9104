# examples/shop-api with the otelkit preload, built from the monorepo root:
#   docker build -f otel-collector/shop-api.Dockerfile -t otelkit/shop-api:local .
# (compose.yaml does this). Runs `node --import @otelkit/node/register dist/server.js`.
FROM node:24.21.0-slim AS build
WORKDIR /repo
RUN corepack enable
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json tsconfig.json ./
COPY packages ./packages
COPY examples ./examples
RUN pnpm install --frozen-lockfile \
  && pnpm --filter "shop-api..." run build

FROM node:24.21.0-slim
ENV NODE_ENV=production
WORKDIR /repo
COPY --from=build /repo /repo
WORKDIR /repo/examples/shop-api
USER node
EXPOSE 8080 9464
CMD ["node", "--import", "@otelkit/node/register", "dist/server.js"]
