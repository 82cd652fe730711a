# syntax=docker/dockerfile:1
#
# The Flex Template launcher image: Dataflow runs it on a launcher VM for each launch of the batch or stream template;
# it builds the pipeline graph, submits the job and exits. See docs/dataflow-templates.md.
#
#   npx rox template build --image <this image> --worker-image <worker image>     # writes dist/templates/
#   docker build -f docker/launcher.Dockerfile -t <this image> .                    # context: the repository root
#
# .dockerignore keeps only dist/templates/ in the context. The build reaches nothing but registries: Docker Hub and
# gcr.io for the base images, the npm registry (npm ci) and PyPI (pip). Base images are pinned by tag; pin them by
# digest too once they are pulled where Docker runs (no Docker engine was available where this file was written).

# Production node_modules, installed with the lockfile on the same Node as at run time. A separate stage keeps npm's
# cache and the package files out of the final image.
FROM node:20.20.2-bookworm-slim AS node-modules
WORKDIR /template
COPY dist/templates/app/package.json dist/templates/app/package-lock.json ./
COPY dist/templates/app/scripts/patch-beam-sdk.js scripts/
# --ignore-scripts: the root `prepare` script compiles with tsc, a dev dependency; no production dependency needs an
# install script to work (protobufjs's only prints). The SDK patch then runs explicitly and fails the build if the
# SDK is not the 2.49.0 it was written for.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && node scripts/patch-beam-sdk.js

# Java 17 runs the pre-fetched expansion service: the SDK's Pub/Sub and BigQuery IO are Java cross-language transforms
# expanded while the graph is built. Temurin's JRE is self-contained, so it is copied as a folder.
FROM eclipse-temurin:17.0.13_11-jre-jammy AS java

# Google's Python Flex Template launcher (Python 3.11; Python apache-beam 2.49.0 supports up to 3.11). The tag is one
# of Google's dated releases, never :latest.
FROM gcr.io/dataflow-templates-base/python311-template-launcher-base:flex_templates_base_image_release_20240628_RC00

# Node 20 from the official image: one binary, the same build as in the node-modules stage and the worker image. npm is
# not copied: with ROX_SKIP_NPM_STAGING=1 (below) the launch runs no npm command.
COPY --from=node-modules /usr/local/bin/node /usr/local/bin/node
COPY --from=java /opt/java/openjdk /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH=/opt/java/openjdk/bin:$PATH

WORKDIR /template

# The venv the SDK's Dataflow job service runs in (Python apache-beam). Built here, for this image's Python, because a
# venv is not relocatable; the versions are the ones `scripts/setup-beam.sh` installed and the tests used.
COPY dist/templates/beam/python-constraints.txt .rox/beam/python-constraints.txt
RUN python -m venv .rox/beam/python-venv \
 && .rox/beam/python-venv/bin/pip install --no-cache-dir --disable-pip-version-check \
      --constraint .rox/beam/python-constraints.txt "apache-beam[gcp]==2.49.0"

# The expansion service JAR, pre-fetched by scripts/setup-beam.sh (the SDK would download it from Maven Central at
# launch time, and dies with an uncatchable ENOTFOUND when it cannot).
COPY dist/templates/beam/jars/ .rox/beam/jars/

# The project: dependencies first (they change least), then schemas, compiled code and the bundled entry point. The
# compiled dist/ and package.json are what Node resolves `rox-gcp/...` against, like on the workers.
COPY --from=node-modules /template/node_modules/ node_modules/
COPY dist/templates/app/package.json dist/templates/app/package-lock.json ./
COPY dist/templates/app/schemas/ schemas/
COPY dist/templates/app/dist/ dist/
COPY dist/templates/launcher/template-main.js dist/templates/launcher/launcher-shim.py ./
# `rox` on the PATH: the scheduled batch run (`rox schedule batch --target cloud-run-job`) is a Cloud Run job of this
# image whose command is `rox launch batch … --wait-until-done` (launch, wait for DONE, finalize).
COPY --chmod=755 dist/templates/app/bin/rox.js bin/rox.js
RUN ln -s /template/bin/rox.js /usr/local/bin/rox

# Point the SDK at the pinned venv and JAR instead of letting it bootstrap the latest Python apache-beam and download
# the JAR (../shared/design/beam-ts-notes.md).
ENV BEAM_SERVICE_OVERRIDES='{"python:*":"/template/.rox/beam/python-venv/bin/python","sdks:java:io:google-cloud-platform:expansion-service:shadowJar":"/template/.rox/beam/jars/beam-sdks-java-io-google-cloud-platform-expansion-service-2.49.0.jar"}'
# The worker image has the project preinstalled: stage no npm package (patched SDK, scripts/patch-beam-sdk.js).
ENV ROX_SKIP_NPM_STAGING=1
ENV NODE_ENV=production
# The Python launcher runs this file; it execs `node /template/template-main.js` with the same arguments.
ENV FLEX_TEMPLATE_PYTHON_PY_FILE=/template/launcher-shim.py
ENV ROX_TEMPLATE_MAIN=/template/template-main.js
