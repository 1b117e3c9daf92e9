#!/usr/bin/env python3
"""Helpers of bench/sink-backlog.sh (stdlib only).

  send URL TOKEN EVENTS BATCH SENDERS   post EVENTS unique events (seq=0..EVENTS-1 in _raw), BATCH per
                                       request, SENDERS at once; retries 503/5xx; prints the 200 count
  count DIR EVENTS                     counts seq=N over the archive's gzip NDJSON objects under DIR
                                       (dead letters apart): unique, duplicates, missing
"""
import gzip
import json
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.request

PAD = "x" * 380  # ~500 B per event, the cost model's size


def body(first, n):
    lines = []
    for seq in range(first, first + n):
        lines.append(json.dumps({
            "_time": 1764633600 + seq / 1000.0,
            "_raw": f"backlog seq={seq} host=web-{seq % 40:02d} GET /api/items/{seq % 9973} 200 {PAD}",
            "host": f"web-{seq % 40:02d}", "sourcetype": "bench", "source": "/var/log/bench.log",
            "index": "main", "level": "error" if seq % 100 == 0 else "info"}))
    return ("\n".join(lines) + "\n").encode()


def send(url, token, events, batch, senders):
    starts = list(range(0, events, batch))
    lock = threading.Lock()
    ok = [0]
    retries = [0]
    failed = []

    def worker():
        while True:
            with lock:
                if not starts:
                    return
                first = starts.pop(0)
            data = body(first, min(batch, events - first))
            while True:
                req = urllib.request.Request(url + "/v1/events", data=data, method="POST", headers={
                    "Authorization": "Bearer " + token, "Content-Type": "application/x-ndjson"})
                try:
                    with urllib.request.urlopen(req, timeout=120) as r:
                        if r.status == 200:
                            with lock:
                                ok[0] += min(batch, events - first)
                            break
                except urllib.error.HTTPError as e:
                    if e.code < 500:
                        # sys.exit here would end this thread only; the run must fail.
                        with lock:
                            failed.append(f"answered {e.code} for seq {first}: {e.read()[:300]!r}")
                            starts.clear()
                        return
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
                with lock:
                    retries[0] += 1
                time.sleep(0.5)

    threads = [threading.Thread(target=worker) for _ in range(senders)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"answered 200: {ok[0]} events in {time.time() - t0:.1f} s ({retries[0]} retried requests)")
    if failed:
        sys.exit(f"{url}/v1/events {failed[0]} (send takes the base URL, e.g. http://127.0.0.1:8080)")


def count(root, events):
    seen = bytearray(events)
    dup = 0
    lines = 0
    objects = 0
    pat = re.compile(rb"seq=(\d+)")
    for d, _, files in os.walk(root):
        if "dead-letter" in d.split(os.sep):
            continue
        for f in files:
            if not f.endswith(".gz"):
                continue
            objects += 1
            with gzip.open(os.path.join(d, f)) as fh:
                for line in fh:
                    m = pat.search(line)
                    if not m:
                        continue
                    lines += 1
                    s = int(m.group(1))
                    if s < events:
                        if seen[s]:
                            dup += 1
                        seen[s] = 1
    unique = sum(seen)
    print(f"archive: {objects} objects, {lines} lines, {unique} unique, {dup} duplicates, {events - unique} missing")
    return events - unique


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
    elif sys.argv[1] == "count":
        sys.exit(1 if count(sys.argv[2], int(sys.argv[3])) else 0)
    else:
        sys.exit(__doc__)
