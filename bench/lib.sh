# Shared by bench/load.sh and bench/local-pipeline.sh (sourced, not run). Expects OUT and
# BODY_BYTES to be set by the caller.

# need_deb CMD [PACKAGE]: installs PACKAGE (default CMD) from Debian when CMD is missing.
need_deb() {
  local cmd="$1" pkg="${2:-$1}"
  command -v "$cmd" >/dev/null 2>&1 && return 0
  echo "$cmd not found; installing it from Debian (apt-get install -y $pkg)" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y "$pkg" >/dev/null || { apt-get update >/dev/null && apt-get install -y "$pkg" >/dev/null; }
  else sudo apt-get install -y "$pkg" >/dev/null; fi
}

# Peak resident set (VmHWM) of a process, in MB.
hwm_mb() { awk '/VmHWM/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }

# ~BODY_BYTES of NDJSON, events of ~500 bytes shaped like Cribl's (deterministic but for the times,
# so runs compare). Event times start 15 minutes ago: older than the analytics `events` expiry (30
# days) they would go to events_raw only, and the pipeline would do less work than with live logs.
make_bodies() {
  mkdir -p "$OUT"
  BODY="$OUT/body.ndjson"
  awk -v target="$BODY_BYTES" -v base="$(( $(date +%s) - 900 ))" 'BEGIN {
    srand(42); n = 0; size = 0
    split("info warn error debug notice", lv, " ")
    split("nginx:access app:json syslog kube:container", st, " ")
    while (1) {
      t = base + n * 0.001
      line = sprintf("{\"_time\":%.3f,\"_raw\":\"%s - - [23/Nov/2026:19:%02d:%02d +0000] \\\"GET /api/v1/items/%d?page=%d HTTP/1.1\\\" %d %d \\\"-\\\" \\\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36\\\" rt=%.3f uid=%08x\",\"host\":\"web-%02d\",\"source\":\"/var/log/nginx/access.log\",\"sourcetype\":\"%s\",\"index\":\"main\",\"level\":\"%s\",\"cribl_pipe\":\"main\",\"cribl_host\":\"cribl-wp-1\",\"cribl_input\":\"http:in\",\"status\":%d,\"bytes\":%d,\"trace\":\"%08x%08x\"}",
        t, sprintf("10.%d.%d.%d", int(rand()*255), int(rand()*255), int(rand()*255)), int(rand()*60), int(rand()*60),
        int(rand()*100000), int(rand()*50), (rand() < 0.9 ? 200 : 503), int(rand()*50000), rand()*2, int(rand()*2^31),
        int(rand()*40), st[1 + int(rand()*4)], lv[1 + int(rand()*5)], (rand() < 0.9 ? 200 : 503), int(rand()*50000),
        int(rand()*2^31), int(rand()*2^31))
      if (size + length(line) + 1 > target) break
      print line; size += length(line) + 1; n++
    }
  }' > "$BODY"
  gzip -1 -c "$BODY" > "$BODY.gz"
  EVENTS=$(wc -l < "$BODY")
  PLAIN_BYTES=$(stat -c %s "$BODY")
  GZ_BYTES=$(stat -c %s "$BODY.gz")
  echo "body: $PLAIN_BYTES bytes, $EVENTS events (~$((PLAIN_BYTES / EVENTS)) B/event), gzip -1: $GZ_BYTES bytes" >&2
}

# Processes a script started, stopped on exit: scripts append to PIDS and call track_pids once.
PIDS=()
stop_pids() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
}
track_pids() { trap stop_pids EXIT INT TERM; }

# Sets FAKE_JAR to the standalone Pub/Sub fake (test-support), building it when missing. Expects ROOT.
find_fake_jar() {
  FAKE_JAR="$(ls "$ROOT"/test-support/target/test-support-*-standalone.jar 2>/dev/null | head -1 || true)"
  [ -n "$FAKE_JAR" ] && return 0
  (cd "$ROOT" && ./mvnw -q -B -pl test-support -am package -DskipTests)
  FAKE_JAR="$(ls "$ROOT"/test-support/target/test-support-*-standalone.jar | head -1)"
}
