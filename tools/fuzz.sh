#!/usr/bin/env bash
# Real fuzzing with Jazzer (docs/testing.md): each fuzz target in its own JVM (Jazzer fuzzes one
# target per run) for SECONDS each, with Jazzer's bug-detector hooks on. New corpus entries go to
# server/.cifuzz-corpus (not committed); a finding is written beside the target's seeds in
# server/src/test/resources/<package>/<Class>Inputs/<method>/, where every later `./boson test`
# replays it. Exits non-zero when a target found something.
#   tools/fuzz.sh [SECONDS] [TEST_CLASS...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-60}"
[ $# -gt 0 ] && shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(io.boson.gateway.TopicsFuzzTest io.boson.fuzz.DescribeFuzzTest io.boson.fuzz.MqttSessionFuzzTest io.boson.fuzz.ApiRequestFuzzTest io.boson.deviceos.DtlsFuzzTest io.boson.deviceos.CoapFuzzTest)
fi
# shellcheck source=tools/jdk.sh
. "$root/tools/jdk.sh"
JAVA_HOME="$(find_jdk)"
export JAVA_HOME
cd "$root"
./mvnw -B -q -pl server -am test-compile
failed=()
for t in "${targets[@]}"; do
  echo "fuzz: $t for ${seconds}s" >&2
  # test-compile in the same command: the reactor then resolves boson-device from its build, not from ~/.m2 (empty on a new machine).
  if ! JAZZER_FUZZ=1 ./mvnw -B -q -pl server -am test-compile surefire:test@default-test -Dtest="$t" \
      -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.hooks=true -Djazzer.max_duration="${seconds}s"; then
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings (or failures) in: ${failed[*]}; see server/target/surefire-reports-h2" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, nothing found" >&2
