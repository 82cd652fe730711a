#!/usr/bin/env bash
# Installs the pinned BigQuery and Cloud Storage emulators into .rox/emulators/ (outside git), from PyPI and the Go
# module proxy only. Idempotent: a stamp file records what was installed; a second run with the same pins does nothing.
#
#   bash scripts/setup-gcp-emulators.sh            # install (or confirm) into .rox/emulators
#   ROX_EMULATORS_DIR=/some/dir bash scripts/...   # install elsewhere
#
# Result:
#   .rox/emulators/bin/bqemulator        BigQuery emulator (REST + gRPC Storage Read/Write), DuckDB-backed
#   .rox/emulators/bin/fake-gcs-server   Cloud Storage emulator (JSON API, uploads, generation preconditions)
# See docs/gcp-emulators.md for how to start them and what works.
set -euo pipefail

BQEMULATOR_VERSION=1.4.0
# bqemulator needs DuckDB's spatial extension at start-up and would download it from DuckDB's own host (not reachable
# here): pin DuckDB to a version whose extension PyPI ships as a wheel, and install that extension from the wheel.
DUCKDB_VERSION=1.5.5
FAKE_GCS_SERVER_VERSION=v1.56.1
STAMP_TEXT="bqemulator=${BQEMULATOR_VERSION} duckdb=${DUCKDB_VERSION} fake-gcs-server=${FAKE_GCS_SERVER_VERSION} rev=1"

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="${ROX_EMULATORS_DIR:-$ROOT/.rox/emulators}"
STAMP="$DEST/.installed"

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$STAMP_TEXT" && -x "$DEST/bin/bqemulator" && -x "$DEST/bin/fake-gcs-server" ]]; then
  echo "gcp emulators up to date in $DEST ($STAMP_TEXT)"
  exit 0
fi

log() { echo "setup-gcp-emulators: $*"; }
die() { echo "setup-gcp-emulators: $*" >&2; exit 1; }

pick_python() {
  local candidate
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 15) else 1)' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

PYTHON="$(pick_python)" || die "bqemulator needs Python 3.11-3.14 with venv (none found on PATH)"
command -v go >/dev/null 2>&1 || die "fake-gcs-server is built with Go (1.26 works): 'go' is not on PATH"

rm -f "$STAMP"
mkdir -p "$DEST/bin"

# --- BigQuery: bqemulator in its own venv, every dependency pinned (the set that was tested) -------------------------
BQ="$DEST/bqemulator"
log "installing bqemulator ${BQEMULATOR_VERSION} with $("$PYTHON" --version 2>&1) into $BQ/venv"
rm -rf "$BQ"
mkdir -p "$BQ/home"
"$PYTHON" -m venv "$BQ/venv"
cat > "$BQ/constraints.txt" <<'EOF'
alembic==1.20.1
annotated-doc==0.0.7
annotated-types==0.8.0
anyio==4.16.0
asgiref==3.13.0
certifi==2026.10.19.post1
cffi==2.1.1
charset-normalizer==3.5.3
click==8.5.1
cryptography==50.0.2
fastapi==0.165.0
fastavro==1.13.1
google-api-core==2.44.0
google-auth==2.63.0
google-cloud-bigquery-storage==2.43.0
googleapis-common-protos==1.76.0
grpcio==1.85.3
grpcio-health-checking==1.80.1
grpcio-status==1.85.3
grpcio-tools==1.80.1
h11==0.16.0
httpcore==1.0.9
httptools==0.9.0
httpx==0.28.1
idna==3.20
Mako==1.4.3
MarkupSafe==3.0.4
numpy==2.4.6
opentelemetry-api==1.45.2
opentelemetry-exporter-http-transport==0.66b2
opentelemetry-exporter-otlp==1.45.2
opentelemetry-exporter-otlp-common==0.66b2
opentelemetry-exporter-otlp-proto-common==1.45.2
opentelemetry-exporter-otlp-proto-grpc==1.45.2
opentelemetry-exporter-otlp-proto-http==1.45.2
opentelemetry-instrumentation==0.66b2
opentelemetry-instrumentation-asgi==0.66b2
opentelemetry-instrumentation-fastapi==0.66b2
opentelemetry-instrumentation-grpc==0.66b2
opentelemetry-proto==1.45.2
opentelemetry-sdk==1.45.2
opentelemetry-semantic-conventions==0.66b2
opentelemetry-util-http==0.66b2
orjson==3.13.0
packaging==26.4
prometheus_client==0.26.0
proto-plus==1.29.0
protobuf==6.33.6
pyarrow==26.0.1
pyasn1==0.6.5
pyasn1_modules==0.4.2
pycparser==3.12
pydantic==2.14.4
pydantic-settings==2.16.3
pydantic_core==2.50.5
PyJWT==2.15.1
python-dotenv==1.2.4
pytz==2026.6
PyYAML==6.0.4
requests==2.34.2
SQLAlchemy==2.1.9
sqlglot==30.11.0
starlette==1.10.0
structlog==26.1.0
typing-inspection==0.4.5
typing_extensions==4.16.0
urllib3==2.8.0
uvicorn==0.54.0
uvloop==0.23.0
watchfiles==1.3.0
websockets==17.4
wrapt==2.5.2
EOF
# numpy is imported by bqemulator's built-in UDFs at start-up but is only declared in its extras.
"$BQ/venv/bin/pip" install --quiet --disable-pip-version-check -c "$BQ/constraints.txt" \
  "bqemulator==${BQEMULATOR_VERSION}" "duckdb==${DUCKDB_VERSION}" "duckdb-extension-spatial==${DUCKDB_VERSION}" numpy

# DuckDB looks for extensions under $HOME/.duckdb/extensions; the launcher below gives bqemulator a HOME of its own,
# and the spatial extension is installed there from the wheel's file (INSTALL of a local path copies it, no network).
HOME="$BQ/home" "$BQ/venv/bin/python" - <<'EOF'
import pathlib, duckdb, duckdb_extension_spatial
ext = next(pathlib.Path(duckdb_extension_spatial.__file__).parent.glob(f"extensions/v{duckdb.__version__}/spatial.duckdb_extension"))
con = duckdb.connect()
con.execute(f"INSTALL '{ext}'")
con.execute("LOAD spatial")
assert con.execute("SELECT ST_AsText(ST_Point(1, 2))").fetchone()[0] == "POINT (1 2)"
EOF

cat > "$DEST/bin/bqemulator" <<EOF
#!/usr/bin/env bash
# bqemulator ${BQEMULATOR_VERSION}, installed by scripts/setup-gcp-emulators.sh. HOME holds its DuckDB extensions.
export HOME="$BQ/home"
exec "$BQ/venv/bin/bqemulator" "\$@"
EOF
chmod +x "$DEST/bin/bqemulator"
"$DEST/bin/bqemulator" --version >/dev/null

# --- Cloud Storage: fake-gcs-server built from the Go module proxy (pure Go, no cgo) ---------------------------------
log "building fake-gcs-server ${FAKE_GCS_SERVER_VERSION} with $(go version | cut -d' ' -f3) into $DEST/bin"
rm -f "$DEST/bin/fake-gcs-server"
GOBIN="$DEST/bin" CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=mod \
  go install -trimpath "github.com/fsouza/fake-gcs-server@${FAKE_GCS_SERVER_VERSION}"
"$DEST/bin/fake-gcs-server" -help >/dev/null 2>&1 || [[ -x "$DEST/bin/fake-gcs-server" ]] || die "fake-gcs-server did not build"

echo "$STAMP_TEXT" > "$STAMP"
log "done: $DEST/bin/bqemulator, $DEST/bin/fake-gcs-server ($STAMP_TEXT)"
