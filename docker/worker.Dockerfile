# syntax=docker/dockerfile:1
#
# The SDK worker image for Dataflow (`sdkContainerImage`, set in each template spec's defaultEnvironment). Each worker
# VM starts it with Beam's boot binary, which connects to the runner and starts `apache-beam-worker`; the workers then
# `require()` our registered modules (`rox-gcp/transforms/beam/...`) from /app.
#
#   npx rox template build --image <launcher image> --worker-image <this image>    # writes dist/templates/
#   docker build -f docker/worker.Dockerfile -t <this image> .                      # context: the repository root
#
# Why node:20 plus Beam's boot binary, not apache/beam_typescript_sdk:2.49.0 itself: that image is node:16, and this
# project needs Node >= 20.19 (engines; util.parseArgs, the Google clients' current majors, DuckDB's Node API).
# Only /opt/apache/beam/boot, a Go binary implementing Beam's container contract, is taken from it.
#
# The build reaches only registries (Docker Hub for both images, the npm registry for npm ci). At run time the worker
# needs none: everything is preinstalled, and the launcher stages no npm package (ROX_SKIP_NPM_STAGING=1 in the
# launcher image), so boot runs no `npm install`.

FROM apache/beam_typescript_sdk:2.49.0 AS beam-boot

FROM node:20.20.2-bookworm-slim

COPY --from=beam-boot /opt/apache/beam/boot /opt/apache/beam/boot

# boot writes and runs npm in its working folder; /app is where the project lives.
WORKDIR /app

# Production dependencies from the lockfile (same versions as the tests). --ignore-scripts skips the root `prepare`
# (tsc, a dev dependency); the SDK patch runs explicitly, so workers and launcher run the same patched SDK.
COPY dist/templates/app/package.json dist/templates/app/package-lock.json ./
COPY dist/templates/app/scripts/patch-beam-sdk.js scripts/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && node scripts/patch-beam-sdk.js \
 && npm cache clean --force

COPY dist/templates/app/schemas/ schemas/
COPY dist/templates/app/dist/ dist/

# Workers resolve registered modules by package name ("rox-gcp/<path>", mapped to dist/ by package.json "exports").
# The project is the folder itself, so its name points back at it.
RUN ln -s /app /app/node_modules/rox-gcp

# boot starts the worker with `npx apache-beam-worker` (a local bin, found without a registry). Offline mode makes any
# unexpected npm fetch fail at once in the worker log instead of waiting on a registry the workers may not reach.
ENV NODE_ENV=production
ENV npm_config_offline=true
ENV npm_config_update_notifier=false

ENTRYPOINT ["/opt/apache/beam/boot"]
