# Builds the service. The same image runs the API, the worker, both, or the demo.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# nodejieba and argon2 compile native code during npm ci.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
USER node
EXPOSE 3000
# Default: API and workers in one process. Override with --role=api or --role=worker.
CMD ["node", "dist/src/main.js"]
