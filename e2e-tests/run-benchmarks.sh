#!/usr/bin/env bash
# Builds Easel and runs the engine benchmarks; pass --smoke for a quick run. Results: e2e-tests/target/benchmarks/.
# "server" first runs the server benchmarks instead (throughput, /object_info, event latency; --jobs N --clients C).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests install -pl e2e-tests -am
cp_file="$PWD/e2e-tests/target/bench.classpath"
mvn -B -q -pl e2e-tests dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime >/dev/null
if [[ "${1:-}" == server ]]; then
  shift
  exec java -Xms1g -Xmx1g -cp "e2e-tests/target/classes:$(cat "$cp_file")" dev.easel.bench.ServerBenchmark \
    --out e2e-tests/target/benchmarks "$@"
fi
# A fixed, pre-touched heap keeps heap growth out of the RSS numbers of the native-memory loop.
exec java -Xms768m -Xmx768m -XX:+AlwaysPreTouch -XX:+UseParallelGC -cp "e2e-tests/target/classes:$(cat "$cp_file")" dev.easel.bench.BenchmarkRunner \
  --out e2e-tests/target/benchmarks "$@"
