# syntax=docker/dockerfile:1
#
# The prediction server's image: `rox serve` (Vertex AI's custom-container contract) for Vertex AI Endpoints and
# Cloud Run. It is assembled from the same build context as the Dataflow images (launcher/template/build-context.ts):
#
#   npx rox template build --image <launcher image> --worker-image <worker image>    # writes dist/templates/
#   docker build -f docker/serve.Dockerfile -t <this image> .                        # context: the repository root
#
# What to serve comes from the environment (`rox deploy --target cloud-run` sets it on the service; for Vertex AI set
# it in the model's containerSpec.env):
#   ROX_MODEL        name@alias or name@version, e.g. flights-delay@champion (required)
#   ROX_MODEL_STORE  the registry's model store, gs://<bucket>/<prefix> (required: the container's disk is empty)
#   ROX_SERVE_ARGS   further `rox serve` flags, word-split: the warehouse of the online window lookups,
#                    e.g. "--warehouse bigquery --project my-project --dataset rox_events"
# The port and routes are the platform's: AIP_HTTP_PORT / AIP_PREDICT_ROUTE / AIP_HEALTH_ROUTE (Vertex AI) or PORT
# (Cloud Run), read by `rox serve` itself.

FROM node:20.20.2-bookworm-slim

WORKDIR /app

# Production dependencies from the lockfile (the versions the tests ran). --ignore-scripts skips the root `prepare`
# (tsc, a dev dependency); the server loads no Beam code, so the SDK patch the Dataflow images run is not needed.
COPY dist/templates/app/package.json dist/templates/app/package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

COPY dist/templates/app/schemas/ schemas/
COPY dist/templates/app/dist/ dist/

ENV NODE_ENV=production
ENV PORT=8080
EXPOSE 8080
USER node

# `rox serve` through the compiled CLI (bin/rox.js's one line: the build context has dist/, not bin/). `exec` makes Node
# PID 1, so the platform's SIGTERM reaches the server (graceful shutdown).
# Shell form, so the variables are expanded (and ROX_SERVE_ARGS word-split) when the container starts.
ENTRYPOINT exec node -e \
    'require("/app/dist/launcher/main.js").main(process.argv.slice(1)).then((c) => process.exit(c))' \
    serve --model "${ROX_MODEL:?set ROX_MODEL}" --store "${ROX_MODEL_STORE:?set ROX_MODEL_STORE}" $ROX_SERVE_ARGS
