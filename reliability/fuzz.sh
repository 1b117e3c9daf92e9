#!/usr/bin/env bash
# Coverage-guided fuzzing of every decoder that reads untrusted bytes (docs/reliability.md).
#   reliability/fuzz.sh                       # every target
#   reliability/fuzz.sh CriblDecoderFuzzTest  # one
# A run lasts the target's @FuzzTest maxDuration (20 s): FUZZ_DURATION is passed as
# -Djazzer.max_duration too, but Jazzer 0.24.0 was measured to keep the annotation's value.
# Jazzer fuzzes one @FuzzTest per JVM, so each target is its own Maven run. A finding fails the
# run and is written next to the target's corpus
# (reliability/src/test/resources/dev/fanout/reliability/<Class>Inputs/<method>/crash-*): commit
# it with the fix and it is a regression test of every later build.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${FUZZ_DURATION:-30s}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(CriblDecoderFuzzTest MessageDecoderFuzzTest PushEnvelopeFuzzTest AuthorizationFuzzTest)
fi
# Build the reactor once; each fuzz run then only runs the reliability module's one test.
./mvnw -B -q -pl reliability -am test-compile
status=0
for t in "${targets[@]}"; do
  echo "== fuzzing $t for $duration"
  if ! JAZZER_FUZZ=1 ./mvnw -B -q -o -pl reliability -am test -Dtest="$t" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djazzer.max_duration="$duration"; then
    echo "!! $t: finding (see the crash-* file above and reliability/target/surefire-reports)"
    status=1
  fi
done
exit $status
