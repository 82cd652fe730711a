#!/usr/bin/env bash
# Everything `npm test` needs beyond node_modules, pinned and idempotent (each step keeps a stamp and returns at once when
# up to date): the BigQuery and Cloud Storage emulators, the Beam GCP expansion-service JAR the Dataflow graph test
# expands with, Beam's Python venv (the Dataflow job service the submission wire test drives), Beam's Flink job
# server (the Flink tests) and the models' Python environment (XGBoost, kfp: scripts/setup-ml.sh). Run by `npm test`
# (pretest) and `.ci/run` through it.
# ROX_SKIP_SETUP=1 skips it (the emulator-backed tests then skip themselves, printing why).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${ROX_SKIP_SETUP:-}" == "1" ]]; then
  echo "setup skipped (ROX_SKIP_SETUP=1)"
  exit 0
fi
bash scripts/setup-gcp-emulators.sh
bash scripts/setup-beam.sh jars
bash scripts/setup-beam.sh python
bash scripts/setup-beam.sh flink
bash scripts/setup-ml.sh
