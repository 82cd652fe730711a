#!/usr/bin/env bash
# Creates the venv of the Python Beam baseline (bench/batch/python) at .rox/bench/python-venv.
# Idempotent: skips pip when the venv was built from the same requirements and the same Python.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${ROX_PYTHON_VENV:-$root/.rox/bench/python-venv}"
requirements="$root/bench/batch/python/requirements.txt"
python="${PYTHON:-$(command -v python3.11 || command -v python3)}"

# The stamp covers the interpreter too: a venv is tied to the Python that made it.
wanted="$( { "$python" --version 2>&1; cat "$requirements"; } | sha256sum | cut -d' ' -f1)"
stamp="$venv/.requirements.sha256"

if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
  echo "python venv up to date: $venv"
  exit 0
fi

echo "building python venv: $venv ($("$python" --version 2>&1))"
"$python" -m venv --clear "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
echo "$wanted" > "$stamp"
echo "python venv ready: $venv"
