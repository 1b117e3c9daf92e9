// The Micrometer meters the Java sources register (name, kind, base unit, tags, histogram) and the
// series Prometheus scrapes from them, named the way Micrometer's PrometheusNamingConvention does:
// dots become underscores, a base unit is appended, counters end in _total, timers are in seconds
// (_count, _sum, _max, and _bucket when a histogram is published).
// https://docs.micrometer.io/micrometer/reference/implementations/prometheus.html
import { join } from "node:path";
import { parser } from "@prometheus-io/lezer-promql";
import { findFiles, read, repoRoot } from "./repo.mjs";

const KINDS = { Counter: "counter", Timer: "timer", Gauge: "gauge", DistributionSummary: "summary" };

/** The statement starting at index (up to the `;` that ends it). */
const statement = (src, index) => src.slice(index, src.indexOf(";", index) + 1);
const tagsIn = (text) => [...text.matchAll(/\.tags?\(\s*"([a-z_]+)"/g)].map((m) => m[1]);
const unitIn = (text) => /\.baseUnit\(\s*"([a-z]+)"\s*\)/.exec(text)?.[1];
const histogramIn = (text) => /\.publishPercentileHistogram\(\s*\)|\.serviceLevelObjectives\(/.test(text);

/** Every meter registered with a literal name in the main sources of the given modules. */
export function meters(modules) {
  const out = [];
  const files = modules.flatMap((m) => findFiles(join(repoRoot, m, "src", "main", "java"), [".java"]));
  for (const f of files) {
    const src = read(f);
    if (!src.includes("io.micrometer")) continue;
    const add = (name, kind, text, extraTags = []) =>
      out.push({ name, kind, unit: unitIn(text), tags: [...new Set([...tagsIn(text), ...extraTags])], histogram: histogramIn(text), file: f });
    for (const m of src.matchAll(/\b(Counter|Timer|Gauge|DistributionSummary)\.builder\(\s*"([a-z0-9.]+)"/g)) {
      add(m[2], KINDS[m[1]], statement(src, m.index));
    }
    // registry.counter("name", "tag", value, …)
    for (const m of src.matchAll(/\.(counter|timer|summary)\(\s*"([a-z0-9.]+)"((?:\s*,\s*"[a-z_]+"\s*,\s*[^,)]+)*)\)/g)) {
      const kind = { counter: "counter", timer: "timer", summary: "summary" }[m[1]];
      const tags = [...m[3].matchAll(/,\s*"([a-z_]+)"\s*,/g)].map((x) => x[1]);
      add(m[2], kind, "", tags);
    }
    // Helpers like `private Counter counter(String name, …) { return Counter.builder(name)…tag("sink", sink)…; }`
    for (const h of src.matchAll(/(Counter|Timer|Gauge|DistributionSummary)\s+(\w+)\s*\(\s*String\s+(\w+)[^)]*\)\s*\{([^}]*)\}/g)) {
      const [, type, method, param, body] = h;
      if (!new RegExp(`\\b${type}\\.builder\\(\\s*${param}\\b`).test(body)) continue;
      for (const c of src.matchAll(new RegExp(`(?<![.\\w])${method}\\(\\s*"([a-z0-9.]+)"`, "g"))) add(c[1], KINDS[type], body);
    }
  }
  return out;
}

/** Prometheus series of a meter, each with the label names it carries. */
export function series(meter) {
  let base = meter.name.replace(/\./g, "_");
  const unit = meter.kind === "timer" ? "seconds" : meter.unit;
  if (unit && !base.endsWith(`_${unit}`)) base += `_${unit}`;
  switch (meter.kind) {
    case "counter":
      return [`${base.replace(/_total$/, "")}_total`];
    case "gauge":
      return [base];
    default:
      return [`${base}_count`, `${base}_sum`, `${base}_max`, ...(meter.histogram ? [`${base}_bucket`] : [])];
  }
}

/** series name -> Set of label names, for everything the modules register. */
export function catalogue(modules) {
  const out = new Map();
  for (const m of meters(modules)) {
    for (const s of series(m)) {
      const labels = out.get(s) ?? new Set();
      m.tags.forEach((t) => labels.add(t));
      if (s.endsWith("_bucket")) labels.add("le");
      out.set(s, labels);
    }
  }
  return out;
}

/**
 * What a PromQL expression selects, parsed by Prometheus' own grammar (@prometheus-io/lezer-promql):
 * the vector selectors (metric, label matchers with their values) and the `by (...)` labels of
 * every aggregation with the metrics it aggregates; or the syntax error.
 */
export function selectors(expr) {
  const tree = parser.parse(expr);
  const text = (n) => expr.slice(n.from, n.to);
  const found = [];
  const groupings = [];
  let error = null;
  const selectorsUnder = (node) => {
    const out = [];
    const c = node.cursor();
    const end = node.to;
    do {
      if (c.from >= end) break;
      if (c.name === "VectorSelector") out.push(c.node);
    } while (c.next());
    return out;
  };
  const describe = (sel) => {
    const id = sel.getChild("Identifier");
    const matchers = [];
    const lm = sel.getChild("LabelMatchers");
    for (const m of lm ? lm.getChildren("UnquotedLabelMatcher") : []) {
      const value = m.getChild("StringLiteral");
      matchers.push({ label: text(m.getChild("LabelName")), op: text(m.getChild("MatchOp")), value: value ? JSON.parse(text(value)) : undefined });
    }
    return { metric: id ? text(id) : null, matchers, labels: matchers.map((m) => m.label) };
  };
  tree.iterate({
    enter(node) {
      if (node.type.isError && !error) error = `PromQL syntax error at ${node.from} in: ${expr}`;
      if (node.name === "VectorSelector") found.push(describe(node.node));
      if (node.name === "AggregateExpr") {
        const mod = node.node.getChild("AggregateModifier");
        if (mod && mod.getChild("By")) {
          const labels = mod.getChild("GroupingLabels").getChildren("LabelName").map(text);
          const body = node.node.getChild("FunctionCallBody");
          groupings.push({ labels, metrics: selectorsUnder(body).map((s) => describe(s).metric) });
        }
      }
    },
  });
  return { error, selectors: found, groupings };
}
