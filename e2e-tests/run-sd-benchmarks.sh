#!/usr/bin/env bash
# SD1.5-size benchmarks of issue 4 (numbers, not tests): UNet forward efficiency vs. matmul, and checkpoint loading
# time / peak RSS. Writes a 2.1 GB random-weight checkpoint to e2e-tests/target/sd15-random/ on first use.
# And issue 5's sampler overhead per step as a fraction of a tiny-UNet step (the tiny fixture checkpoint).
# And issue 9's default workflow (64×64, 20 steps, Easel's own model): engine time of the first and of later jobs.
# And issue 10's LoRA apply/remove times and memory on the SD1.5-size model ("lora"), and an SDXL UNet step at 1024²,
# batch 2, as a fraction of matmul ("sdxl-unet": about 10 GB of float32 weights, minutes per forward on 2 cores).
# Usage: e2e-tests/run-sd-benchmarks.sh [unet|sdxl-unet|load|sampler|lora|default|all] [--runs N]   (default: all, 3 runs)
#   sampler also takes [--latents 8,64] [--large-runs N] [--steps N] [--samplers a,b,...] [--checkpoint PATH]
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"; shift || true
mvn -B -q -DskipTests install -pl e2e-tests -am
cp_file="$PWD/e2e-tests/target/bench.classpath"
mvn -B -q -pl e2e-tests dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime >/dev/null
bench() {
  # Each mode in its own JVM, so that one mode's memory does not count in the next one's peak RSS.
  java -Xms256m -Xmx1g -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -cp "e2e-tests/target/classes:$(cat "$cp_file")" dev.easel.bench.sd.SdBenchmarks "$@"
}
if [[ "$what" == all || "$what" == load ]]; then
  bench gen
  bench load-mmap --runs 1 "$@"
  bench load "$@"
fi
if [[ "$what" == all || "$what" == unet ]]; then
  bench unet "$@"
fi
if [[ "$what" == all || "$what" == sdxl-unet ]]; then
  bench sdxl-unet --runs 1
fi
if [[ "$what" == all || "$what" == sampler ]]; then
  bench sampler "$@"
fi
if [[ "$what" == all || "$what" == lora ]]; then
  [[ -f e2e-tests/target/sd15-random/sd15_random_s1_f16.safetensors ]] || bench gen
  java -Xms256m -Xmx2g -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -cp "e2e-tests/target/classes:$(cat "$cp_file")" \
    dev.easel.bench.sd.LoraBenchmark
fi
if [[ "$what" == all || "$what" == default ]]; then
  java -Xms256m -Xmx1g -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -cp "e2e-tests/target/classes:$(cat "$cp_file")" \
    dev.easel.bench.sd.DefaultWorkflowBenchmark "$@"
fi
