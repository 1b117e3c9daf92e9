// deploy/observability: the Grafana dashboard and the Prometheus alert rules use only series the
// code really exports (the Micrometer meters registered in the services' modules, named the way
// Micrometer's Prometheus registry names them), with labels those meters carry; every expression
// parses with Prometheus' own PromQL grammar.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import YAML from "yaml";
import { moduleClosure } from "../lib/config-keys.mjs";
import { catalogue, meters, selectors, series } from "../lib/metrics.mjs";
import { read, repoRoot } from "../lib/repo.mjs";
import { loadConfigs, moduleDir } from "../lib/terraform.mjs";

const dir = join(repoRoot, "deploy", "observability");
const dashboard = JSON.parse(read(join(dir, "grafana-dashboard.json")));
const rules = YAML.parse(read(join(dir, "prometheus-rules.yml")));
const modules = [...new Set(["ingest-bridge", "archive-sink", "analytics-loader", "alert-sink", "local-pipeline"].flatMap(moduleClosure))];
const code = catalogue(modules);

// Pub/Sub's own metrics (https://cloud.google.com/monitoring/api/metrics_gcp#gcp-pubsub) as Managed
// Service for Prometheus names them (domain `:` path with `/` → `_`), with their labels.
const GOOGLE = {
  "pubsub_googleapis_com:subscription_num_undelivered_messages": ["subscription_id", "project_id"],
  "pubsub_googleapis_com:subscription_oldest_unacked_message_age": ["subscription_id", "project_id"],
};

const configs = await loadConfigs();
const mod = configs.get(moduleDir);
// Subscription ids Terraform creates: "<sink>-push" per sink and the dead-letter hold.
const subscriptions = [
  ...Object.keys(mod.locals.sinks).map((s) => `${s}-push`),
  `${mod.variable.topic_name.default}-dead-letter-hold`,
];

const targets = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `dashboard panel "${p.title}"`, expr: t.expr })));
const ruleExprs = rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `rule ${r.alert}`, expr: String(r.expr) })));

test("the catalogue of exported series comes from the code (Micrometer naming)", () => {
  assert.ok(code.has("fanout_ingest_events_received_total"), "counter → _total");
  assert.ok(code.has("fanout_ingest_bytes_received_bytes_total"), "base unit before _total");
  assert.ok(code.has("fanout_consumer_write_latency_seconds_bucket"), "timer with a histogram → _seconds_bucket");
  assert.ok(!code.has("fanout_consumer_batch_age_seconds_bucket"), "no histogram, no _bucket");
  assert.ok(code.has("fanout_alerts_budget_remaining"), "gauge as is");
  assert.deepEqual([...code.get("fanout_consumer_written_total")], ["sink"], "tags added by a helper method");
  assert.deepEqual([...code.get("fanout_ingest_requests_total")], ["status"], "registry.counter(name, tag, value)");
  assert.deepEqual(series({ name: "a.b", kind: "summary", unit: "events", histogram: false, tags: [] }), ["a_b_events_count", "a_b_events_sum", "a_b_events_max"]);
  assert.ok(meters(modules).length >= 30);
});

for (const { where, expr } of [...targets, ...ruleExprs]) {
  test(`${where}: ${expr}`, () => {
    const { error, selectors: sels, groupings } = selectors(expr);
    assert.equal(error, null);
    assert.ok(sels.length > 0, "selects something");
    for (const s of sels) {
      const labels = code.get(s.metric) ?? (GOOGLE[s.metric] && new Set(GOOGLE[s.metric]));
      assert.ok(labels, `${s.metric} is neither registered by the code nor a known Pub/Sub metric`);
      for (const m of s.matchers) {
        assert.ok(labels.has(m.label), `${s.metric} has no label ${m.label} (it has: ${[...labels].join(", ") || "none"})`);
        if (m.label === "subscription_id") {
          const names = m.op === "=~" ? m.value.split("|") : [m.value];
          for (const n of names) assert.ok(subscriptions.includes(n), `subscription ${n} is one Terraform creates (${subscriptions.join(", ")})`);
        }
      }
    }
    for (const g of groupings) {
      for (const l of g.labels) {
        for (const m of g.metrics) {
          const labels = code.get(m) ?? new Set(GOOGLE[m] ?? []);
          assert.ok(labels.has(l), `by (${l}): ${m} has no label ${l}`);
        }
      }
    }
  });
}

test("a wrong name would fail above (so the passes are real)", () => {
  assert.equal(code.has("fanout_consumer_written"), false, "a counter without _total");
  assert.equal(code.has("fanout_ingest_publish_latency_bucket"), false, "a timer without _seconds");
  assert.notEqual(selectors("sum(rate(x[5m])").error, null);
});

test("the dashboard covers what an operator asks first, and reads one templated Prometheus", () => {
  const rows = dashboard.panels.filter((p) => p.type === "row").map((p) => p.title);
  assert.deepEqual(rows, ["Throughput per stage", "Backlog", "Acks and nacks", "Dead letters", "E-mail budget", "Latency"]);
  for (const p of dashboard.panels.filter((x) => x.type !== "row")) {
    assert.equal(p.datasource.uid, "${datasource}", `${p.title}: templated datasource`);
    assert.ok(p.description, `${p.title}: says what it shows`);
  }
  assert.equal(dashboard.templating.list[0].query, "prometheus");
  assert.equal(new Set(dashboard.panels.map((p) => p.id)).size, dashboard.panels.length, "unique panel ids");
});

test("every alert rule has a severity and a summary", () => {
  const names = new Set();
  for (const g of rules.groups) {
    for (const r of g.rules) {
      assert.ok(r.alert && !names.has(r.alert), `unique alert name ${r.alert}`);
      names.add(r.alert);
      assert.ok(["warning", "critical"].includes(r.labels?.severity), `${r.alert}: severity`);
      assert.ok(r.annotations?.summary, `${r.alert}: summary`);
      if (r.for) assert.match(r.for, /^\d+[smh]$/);
    }
  }
  assert.ok(names.size >= 8);
});

// promtool (Prometheus' own tool: Debian/Ubuntu package `prometheus`) checks the rule file and runs
// its unit tests (deploy/observability/prometheus-rules.test.yml: the rules fire on the series the
// services export, and stay quiet otherwise). CI installs it; elsewhere the test says what is missing.
const promtool = (() => {
  try {
    execFileSync("promtool", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

test("promtool: the rules load and their unit tests pass", { skip: promtool ? false : "promtool is not installed (apt-get install prometheus)" }, () => {
  execFileSync("promtool", ["check", "rules", "prometheus-rules.yml"], { cwd: dir, stdio: "pipe" });
  const out = execFileSync("promtool", ["test", "rules", "prometheus-rules.test.yml"], { cwd: dir, encoding: "utf8" });
  assert.match(out, /SUCCESS/);
});
