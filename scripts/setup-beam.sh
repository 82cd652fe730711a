#!/usr/bin/env bash
# Installs what the Beam TypeScript SDK (2.49.0) would otherwise download while building a graph for Dataflow or a
# portable runner, into .rox/beam/ (outside git), from Maven Central and PyPI only. Idempotent: a stamp file records
# what was installed; a second run with the same pins does nothing.
#
#   bash scripts/setup-beam.sh [all]        # install (or confirm) both into .rox/beam (a Dataflow launch needs both)
#   bash scripts/setup-beam.sh jars         # only the expansion-service JAR (what `npm test`'s graph test needs)
#   bash scripts/setup-beam.sh python       # only the Python venv
#   bash scripts/setup-beam.sh flink        # only Beam's Flink job server (what `npm test`'s Flink tests need)
#   ROX_BEAM_DIR=/some/dir bash scripts/... # install elsewhere
#
# Result:
#   .rox/beam/jars/beam-sdks-java-io-google-cloud-platform-expansion-service-2.49.0.jar
#       the expansion service for the SDK's GCP IO (Pub/Sub read, BigQuery Storage Write schema transform). Maven
#       Central here does not serve that shaded artifact (nor at any other version), so it is assembled from the
#       artifacts it is made of upstream (expansion service + GCP IO 2.49.0, shaded, service files merged), under
#       the exact file name the SDK asks for. Upstream also adds schemaio-expansion-service, which is not served
#       either: the SDK's own writeToBigQuery (schemaio) cannot expand with this JAR; we do not use it.
#   .rox/beam/python-venv   Python with apache-beam[gcp]==2.49.0: the SDK's Dataflow runner submits through
#       Python's dataflow_job_service (unpinned, the SDK would pip-install the newest apache-beam).
#   .rox/beam/flink/lib/    Beam's Flink job server (FlinkJobServerDriver, Flink 1.15 embedded) as the JARs of
#       beam-runners-flink-1.15 2.49.0 and its dependencies, plus the Java SDK harness and the GCP IO, so Java
#       cross-language stages (the Pub/Sub read) run EMBEDDED in its JVM. Maven Central serves no `-job-server`
#       shadow JAR at any version, so the parts are copied instead (pipelines/flink/job-server.ts starts it).
# pipelines/beam-services.ts points the SDK at the JAR and the venv (BEAM_SERVICE_OVERRIDES). See docs/dataflow.md.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BEAM_VERSION=2.49.0
SHADE_PLUGIN_VERSION=3.5.1
SLF4J_VERSION=1.7.30
JAR_STAMP_TEXT="beam=${BEAM_VERSION} shade=${SHADE_PLUGIN_VERSION} slf4j=${SLF4J_VERSION} rev=1"
VENV_STAMP_TEXT="python=apache-beam[gcp]==${BEAM_VERSION} $(sha256sum "$ROOT/scripts/beam/constraints.txt" | cut -c1-16) rev=2"
JAMM_VERSION=0.4.1
FLINK_STAMP_TEXT="beam=${BEAM_VERSION} runner=beam-runners-flink-1.15 harness gcp-io jamm=${JAMM_VERSION} slf4j=${SLF4J_VERSION} rev=2"
JAR_NAME="beam-sdks-java-io-google-cloud-platform-expansion-service-${BEAM_VERSION}.jar"

DEST="${ROX_BEAM_DIR:-$ROOT/.rox/beam}"
JAR="$DEST/jars/$JAR_NAME"
JAR_STAMP="$DEST/jars/.installed"
VENV="$DEST/python-venv"
VENV_STAMP="$DEST/.python-venv-installed"
FLINK_LIB="$DEST/flink/lib"
FLINK_STAMP="$FLINK_LIB/.installed"
PART="${1:-all}"

log() { echo "setup-beam: $*"; }
die() { echo "setup-beam: $*" >&2; exit 1; }
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }
up_to_date() { [[ -f "$1" && "$(cat "$1")" == "$2" ]]; }

case "$PART" in all | jars | python | flink) ;; *) die "usage: setup-beam.sh [all|jars|python|flink] (got \"$PART\")" ;; esac

# --- the GCP IO expansion service JAR ---------------------------------------------------------------------------------
install_jar() {
if up_to_date "$JAR_STAMP" "$JAR_STAMP_TEXT" && [[ -s "$JAR" ]]; then
  log "jar up to date: $JAR"
  return 0
fi
command -v mvn >/dev/null 2>&1 || die "mvn is not on PATH (Maven 3.8+ with Java 11+ is needed)"
command -v java >/dev/null 2>&1 || die "java is not on PATH (the expansion service needs Java 11+)"
rm -f "$JAR_STAMP"
mkdir -p "$DEST/jars" "$DEST/build"
local started
started=$(date +%s)
log "building $JAR_NAME with Maven (shade of beam-sdks-java-expansion-service + beam-sdks-java-io-google-cloud-platform)"
cat > "$DEST/build/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>rox-gcp.local</groupId>
  <artifactId>beam-sdks-java-io-google-cloud-platform-expansion-service</artifactId>
  <version>${BEAM_VERSION}</version>
  <packaging>jar</packaging>
  <properties><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
  <dependencies>
    <dependency><groupId>org.apache.beam</groupId><artifactId>beam-sdks-java-expansion-service</artifactId><version>${BEAM_VERSION}</version></dependency>
    <dependency><groupId>org.apache.beam</groupId><artifactId>beam-sdks-java-io-google-cloud-platform</artifactId><version>${BEAM_VERSION}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-jdk14</artifactId><version>${SLF4J_VERSION}</version><scope>runtime</scope></dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-shade-plugin</artifactId>
        <version>${SHADE_PLUGIN_VERSION}</version>
        <executions>
          <execution>
            <phase>package</phase>
            <goals><goal>shade</goal></goals>
            <configuration>
              <createDependencyReducedPom>false</createDependencyReducedPom>
              <filters><filter><artifact>*:*</artifact><excludes>
                <exclude>META-INF/*.SF</exclude><exclude>META-INF/*.DSA</exclude><exclude>META-INF/*.RSA</exclude>
              </excludes></filter></filters>
              <transformers>
                <!-- Transform registrars and schema-transform providers are found through META-INF/services. -->
                <transformer implementation="org.apache.maven.plugins.shade.resource.ServicesResourceTransformer"/>
                <transformer implementation="org.apache.maven.plugins.shade.resource.ManifestResourceTransformer">
                  <mainClass>org.apache.beam.sdk.expansion.service.ExpansionService</mainClass>
                </transformer>
              </transformers>
            </configuration>
          </execution>
        </executions>
      </plugin>
    </plugins>
  </build>
</project>
EOF
(cd "$DEST/build" && mvn -B -q package -DskipTests) || die "mvn could not build the expansion service (see the output above)"
cp "$DEST/build/target/$JAR_NAME" "$JAR.tmp" && mv "$JAR.tmp" "$JAR"
rm -rf "$DEST/build/target"
unzip -p "$JAR" META-INF/services/org.apache.beam.sdk.schemas.transforms.SchemaTransformProvider |
  grep -q BigQueryStorageWriteApiSchemaTransformProvider || die "$JAR_NAME lacks the BigQuery Storage Write provider"
echo "$JAR_STAMP_TEXT" > "$JAR_STAMP"
log "jar: $JAR ($(du -h "$JAR" | cut -f1), $(elapsed "$started"))"
}

# --- the Python venv the Dataflow runner's job service runs in --------------------------------------------------------
install_venv() {
if up_to_date "$VENV_STAMP" "$VENV_STAMP_TEXT" && [[ -x "$VENV/bin/python" ]]; then
  log "python venv up to date: $VENV"
  return 0
fi
local PYTHON="${ROX_BEAM_PYTHON:-}" candidate started
if [[ -z "$PYTHON" ]]; then
  # apache-beam 2.49.0 publishes wheels for CPython 3.8-3.11.
  for candidate in python3.11 python3.10 python3.9; do
    if command -v "$candidate" >/dev/null 2>&1; then PYTHON="$(command -v "$candidate")"; break; fi
  done
fi
[[ -n "$PYTHON" ]] || die "apache-beam ${BEAM_VERSION} needs Python 3.9-3.11 (none found on PATH; set ROX_BEAM_PYTHON)"
rm -f "$VENV_STAMP"
started=$(date +%s)
log "installing apache-beam[gcp]==${BEAM_VERSION} with $("$PYTHON" --version 2>&1) into $VENV"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
# Every transitive package is pinned (scripts/beam/constraints.txt): pip has nothing to resolve, which takes it from
# minutes of backtracking among the google-cloud-* versions to one download pass (or none, from pip's cache).
"$VENV/bin/pip" install --quiet --disable-pip-version-check --prefer-binary \
  -c "$ROOT/scripts/beam/constraints.txt" "apache-beam[gcp]==${BEAM_VERSION}"
"$VENV/bin/python" -c "import apache_beam, apache_beam.runners.dataflow.dataflow_job_service as s; assert apache_beam.__version__ == '${BEAM_VERSION}', apache_beam.__version__"
echo "$VENV_STAMP_TEXT" > "$VENV_STAMP"
log "venv: $VENV ($(du -sh "$VENV" | cut -f1), $(elapsed "$started"))"
}

# --- Beam's Flink job server, from Maven's parts ---------------------------------------------------------------------
install_flink() {
if up_to_date "$FLINK_STAMP" "$FLINK_STAMP_TEXT"; then
  log "flink job server up to date: $FLINK_LIB"
  return 0
fi
command -v mvn >/dev/null 2>&1 || die "mvn is not on PATH (Maven 3.8+ with Java 11+ is needed)"
rm -rf "$FLINK_LIB" "$FLINK_LIB.tmp" "$DEST/flink/build"
mkdir -p "$DEST/flink/build"
local started
started=$(date +%s)
log "copying beam-runners-flink-1.15 ${BEAM_VERSION} and its dependencies with Maven into $FLINK_LIB"
cat > "$DEST/flink/build/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>rox-gcp.local</groupId>
  <artifactId>beam-flink-job-server</artifactId>
  <version>${BEAM_VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.beam</groupId><artifactId>beam-runners-flink-1.15</artifactId><version>${BEAM_VERSION}</version></dependency>
    <dependency><groupId>org.apache.beam</groupId><artifactId>beam-sdks-java-harness</artifactId><version>${BEAM_VERSION}</version></dependency>
    <dependency><groupId>org.apache.beam</groupId><artifactId>beam-sdks-java-io-google-cloud-platform</artifactId><version>${BEAM_VERSION}</version></dependency>
    <!-- The harness declares jamm "provided": without it an EMBEDDED Java stage fails to start its FnHarness
         (NoClassDefFoundError: org/github/jamm/MemoryMeter). -->
    <dependency><groupId>io.github.stephankoelle</groupId><artifactId>jamm</artifactId><version>${JAMM_VERSION}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-simple</artifactId><version>${SLF4J_VERSION}</version></dependency>
  </dependencies>
</project>
EOF
(cd "$DEST/flink/build" && mvn -B -q dependency:copy-dependencies -DoutputDirectory="$FLINK_LIB.tmp") || die "mvn could not fetch Beam's Flink runner (see the output above)"
mv "$FLINK_LIB.tmp" "$FLINK_LIB"
rm -rf "$DEST/flink/build"
[[ -f "$FLINK_LIB/beam-runners-flink-1.15-${BEAM_VERSION}.jar" ]] || die "beam-runners-flink-1.15-${BEAM_VERSION}.jar is missing from $FLINK_LIB"
echo "$FLINK_STAMP_TEXT" > "$FLINK_STAMP"
log "flink job server: $FLINK_LIB ($(du -sh "$FLINK_LIB" | cut -f1), $(elapsed "$started"))"
}

if [[ "$PART" == all || "$PART" == jars ]]; then install_jar; fi
if [[ "$PART" == flink ]]; then install_flink; fi
if [[ "$PART" == all || "$PART" == python ]]; then install_venv; fi
