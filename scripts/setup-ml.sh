#!/usr/bin/env bash
# Installs the Python environment of the models into .rox/ml/venv (outside git), from PyPI only: XGBoost (the trainer),
# pyarrow and the BigQuery client (the trainer's inputs) and kfp (the pipeline spec).
# Pinned (scripts/ml/requirements.txt, every transitive package in scripts/ml/constraints.txt) and idempotent: a stamp
# records what was installed, and a second run with the same pins does nothing.
#
#   bash scripts/setup-ml.sh                 # install (or confirm) into .rox/ml
#   ROX_ML_DIR=/some/dir bash scripts/...    # install elsewhere
#
# Result: .rox/ml/venv/bin/python (launcher/models/python.ts finds it the same way).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="${ROX_ML_DIR:-$ROOT/.rox/ml}"
STAMP="$DEST/.installed"
STAMP_TEXT="$(cat "$ROOT/scripts/ml/requirements.txt" "$ROOT/scripts/ml/constraints.txt" | sha256sum | cut -c1-16) rev=1"

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$STAMP_TEXT" && -x "$DEST/venv/bin/python" ]]; then
  echo "ml venv up to date in $DEST ($STAMP_TEXT)"
  exit 0
fi

log() { echo "setup-ml: $*"; }
die() { echo "setup-ml: $*" >&2; exit 1; }

# xgboost-cpu 3.2.0 is the newest release that still supports Python 3.11 (the trainer image's Python): prefer 3.11.
pick_python() {
  local candidate
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else 1)' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

PYTHON="$(pick_python)" || die "the trainer needs Python 3.11-3.13 with venv (none found on PATH)"
rm -f "$STAMP"
rm -rf "$DEST/venv"
mkdir -p "$DEST"
log "installing the models' Python packages with $("$PYTHON" --version 2>&1) into $DEST/venv"
"$PYTHON" -m venv "$DEST/venv"
"$DEST/venv/bin/pip" install --quiet --disable-pip-version-check --prefer-binary \
  -c "$ROOT/scripts/ml/constraints.txt" -r "$ROOT/scripts/ml/requirements.txt"
"$DEST/venv/bin/python" -c 'import xgboost, pyarrow, kfp, google.cloud.bigquery'
echo "$STAMP_TEXT" > "$STAMP"
log "done: $DEST/venv ($STAMP_TEXT)"
