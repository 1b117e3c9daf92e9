// deploy/terraform, offline: every .tf/.tfvars parses with a real HCL parser (@cdktf/hcl2json), and
// policy over the parsed JSON — what a reviewer would check by hand before an apply.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { findFiles, read, rel, repoRoot, terraformDir } from "../lib/repo.mjs";
import { block, loadConfigs, moduleDir, parsed, resolve, resources, strings } from "../lib/terraform.mjs";
import { parse } from "@cdktf/hcl2json";
import { MAX_FILTER_BYTES, matches, parseFilter } from "../lib/pubsub-filter.mjs";

const configs = await loadConfigs();
const mod = configs.get(moduleDir);
const all = [...configs.values()];
const res = (type) => mod.resource[type] ?? {};

// --- syntax and layout ---------------------------------------------------------------------------

const files = findFiles(terraformDir, [".tf", ".tfvars"]);

test("there is Terraform to check", () => {
  assert.ok(files.length >= 10, `expected the module and two environments, found ${files.map(rel)}`);
});

for (const f of files) {
  test(`parses: ${rel(f)}`, () => {
    const r = parsed.get(f);
    if (r.error) throw r.error;
    assert.equal(typeof r.json, "object");
  });
}

test("the parser rejects broken HCL (so a parse failure above would be real)", async () => {
  await assert.rejects(parse("broken.tf", 'resource "a" "b" {\n  x = \n}\n'), /Invalid expression|parse/);
});

test("staging and production use the same module with their own state and environment name", async () => {
  const prefixes = new Set();
  for (const env of ["staging", "production"]) {
    const cfg = configs.get(join(terraformDir, "envs", env));
    assert.ok(cfg, `envs/${env} exists`);
    const mod = cfg.module.fanout;
    assert.equal(mod.source, "../../modules/fanout", `${env} calls the shared module`);
    assert.equal(mod.environment, env);
    const backend = cfg.terraform.flatMap((t) => t.backend?.gcs ?? []);
    assert.equal(backend.length, 1, `${env} keeps its state in a GCS backend`);
    prefixes.add(backend[0].prefix);
    assert.ok(findFiles(join(terraformDir, "envs", env), [".tfvars"]).length === 1, `${env} has terraform.tfvars`);
    // The environments pin the providers exactly like the module does.
    const req = Object.assign({}, ...cfg.terraform.flatMap((t) => t.required_providers ?? []));
    assert.equal(req.cloudflare.version, "5.11.0");
  }
  assert.equal(prefixes.size, 2, "distinct state prefixes");
  assert.ok(configs.get(moduleDir), "the module exists");
});

// --- credentials --------------------------------------------------------------------------------

test("no service account keys, no secret values, no inline credentials anywhere", () => {
  for (const cfg of all) {
    for (const [type, name, body] of resources(cfg)) {
      assert.notEqual(type, "google_service_account_key", `${type}.${name}: CI uses WIF, never keys`);
      assert.notEqual(type, "google_secret_manager_secret_version", `${type}.${name}: secret values never go through Terraform state`);
      assert.notEqual(type, "cloudflare_api_token", `${type}.${name}: R2 tokens are made by an operator (their value would be in the state)`);
      void body;
    }
    for (const [name, bodies] of Object.entries(cfg.provider)) {
      for (const b of bodies) {
        for (const k of ["credentials", "access_token", "api_token", "api_key"]) {
          assert.equal(b[k], undefined, `provider ${name} in ${cfg.dir}: ${k} must come from the environment`);
        }
      }
    }
  }
  for (const f of findFiles(terraformDir, [".tf", ".tfvars"])) {
    const text = read(f);
    assert.doesNotMatch(text, /BEGIN (RSA )?PRIVATE KEY|"private_key"|credentials_json/, rel(f));
  }
});

// --- Pub/Sub ------------------------------------------------------------------------------------

function consumerAckDeadline() {
  const path = join(repoRoot, "consumer-runtime/src/main/java/dev/fanout/consumer/config/ConsumerConfig.java");
  const src = readFileSync(path, "utf8");
  const from = src.indexOf("interface Push");
  const push = src.slice(from, src.indexOf("interface ", from + 10));
  const m = /@WithDefault\("(\d+)(s|m)"\)\s*Duration\s+ackDeadline\(\)/.exec(push);
  return m && Number(m[1]) * (m[2] === "m" ? 60 : 1);
}

test("every push subscription: OIDC, dead-letter policy, retry policy, never expires, the consumer's ack deadline", () => {
  const subs = Object.entries(res("google_pubsub_subscription"));
  assert.ok(subs.length >= 2);
  const deadline = resolve(mod, "${var.ack_deadline_seconds}");
  // The consumer holds a push at most until shortly before its own ack deadline (push.max-wait
  // defaults to it minus 10 s): both must be the subscription's. The sinks are told the value.
  assert.equal(deadline, consumerAckDeadline(), "Terraform's ack deadline = the consumer's default fanout.consumer.push.ack-deadline");
  assert.match(mod.locals.push_env, /FANOUT_CONSUMER_PUSH_ACK_DEADLINE\s*=\s*"\$\{var\.ack_deadline_seconds\}s"/);
  let pushSubs = 0;
  for (const [name, s] of subs) {
    const exp = block(s, "expiration_policy");
    assert.ok(exp && exp.ttl === "", `${name}: expiration_policy { ttl = "" } (the default deletes idle subscriptions after 31 days)`);
    if (s.topic !== "${google_pubsub_topic.events.id}") continue;
    pushSubs++;
    const push = block(s, "push_config");
    const oidc = block(push, "oidc_token");
    assert.ok(oidc?.service_account_email && oidc?.audience, `${name}: push with an OIDC token and an audience`);
    assert.match(oidc.service_account_email, /pubsub-push/, `${name}: pushes as the push service account`);
    const dl = block(s, "dead_letter_policy");
    assert.equal(dl?.dead_letter_topic, "${google_pubsub_topic.dead_letter.id}", `${name}: dead-letter policy`);
    const attempts = resolve(mod, dl.max_delivery_attempts);
    assert.ok(attempts >= 5 && attempts <= 100, `${name}: 5–100 delivery attempts`);
    const retry = block(s, "retry_policy");
    assert.ok(retry?.minimum_backoff && retry?.maximum_backoff, `${name}: retry policy`);
    assert.equal(s.ack_deadline_seconds, "${var.ack_deadline_seconds}", `${name}: ack deadline from the one variable`);
    assert.match(push.push_endpoint, /\/v1\/push\/\$\{each\.key\}$/, `${name}: pushes to /v1/push/<sink>`);
  }
  assert.ok(pushSubs >= 1, "push subscriptions on claude-events");
  // The Pub/Sub service agent can dead-letter: publisher on the DLQ topic, subscriber on each source.
  const agent = "${local.pubsub_service_agent}";
  assert.ok(Object.values(res("google_pubsub_topic_iam_member")).some((m) => m.member === agent && m.role === "roles/pubsub.publisher" && m.topic.includes("dead_letter")));
  assert.ok(Object.values(res("google_pubsub_subscription_iam_member")).some((m) => m.member === agent && m.role === "roles/pubsub.subscriber" && m.for_each === "${google_pubsub_subscription.push}"));
  assert.equal(mod.locals.sinks && Object.keys(mod.locals.sinks).sort().join(","), "alerts,analytics,archive");
});

test("every subscription filter is short enough, uses attributes only, and routes exactly what it says", () => {
  const filters = mod.locals.alert_filters;
  const severities = ["emergency", "alert", "critical", "error", "warning", "notice", "info", "debug"];
  const allowed = mod.variable.alert_min_severity.validation[0].condition;
  for (const [threshold, text] of Object.entries(filters)) {
    assert.ok(allowed.includes(`"${threshold}"`), `${threshold} is an accepted alert_min_severity`);
    assert.ok(Buffer.byteLength(text, "utf8") <= MAX_FILTER_BYTES, `${threshold}: ${Buffer.byteLength(text)} bytes > ${MAX_FILTER_BYTES}`);
    const ast = parseFilter(text);
    const rank = severities.indexOf(threshold);
    for (const sev of severities) {
      for (const replay of [false, true]) {
        const attrs = { schema: "1", encoding: "ndjson+gzip", count: "12", max_severity: sev };
        if (replay) attrs.replay = "run-1";
        const want = !replay && severities.indexOf(sev) <= rank;
        assert.equal(matches(ast, attrs), want, `${threshold} filter on max_severity=${sev} replay=${replay}`);
      }
    }
    // A message without max_severity is not an alert.
    assert.equal(matches(ast, { schema: "1" }), false, `${threshold}: no max_severity`);
  }
  assert.equal(resolve(mod, mod.variable.alert_min_severity.default), "error");
  for (const [name, s] of Object.entries(res("google_pubsub_subscription"))) {
    if (typeof s.filter === "string" && !s.filter.includes("${")) {
      assert.ok(Buffer.byteLength(s.filter) <= MAX_FILTER_BYTES, name);
      parseFilter(s.filter);
    }
  }
  assert.equal(mod.locals.subscription_filter.alerts, "${local.alert_filters[var.alert_min_severity]}");
});

test("the filter evaluator itself rejects ordering comparisons and reads NOT/hasPrefix", () => {
  assert.throws(() => parseFilter('attributes.count > "1"'), /ordering/);
  const ast = parseFilter('hasPrefix(attributes.host, "web-") AND NOT attributes:replay');
  assert.equal(matches(ast, { host: "web-1" }), true);
  assert.equal(matches(ast, { host: "db-1" }), false);
  assert.equal(matches(ast, { host: "web-1", replay: "x" }), false);
  assert.throws(() => parseFilter('attributes:a AND attributes:b OR attributes:c'), /parentheses/);
});

// --- BigQuery -----------------------------------------------------------------------------------

const schemaDir = join(repoRoot, "analytics-writer/src/main/resources/bigquery");

test("every table has a partition expiry; views store nothing", () => {
  const tables = Object.entries(res("google_bigquery_table"));
  assert.ok(tables.length >= 2);
  for (const [name, t] of tables) {
    if (t.view) continue;
    const p = block(t, "time_partitioning");
    assert.ok(p?.expiration_ms, `${name}: time_partitioning.expiration_ms`);
    assert.equal(p.type, "DAY");
  }
  for (const [table, spec] of Object.entries(mod.locals.tables)) {
    const days = resolve(mod, spec.expiry_days);
    assert.ok(days >= 1 && days <= 30, `${table}: expiry ${days} days`);
  }
  assert.equal(resolve(mod, mod.locals.tables.events.expiry_days), 30);
  assert.equal(resolve(mod, mod.locals.tables.events_raw.expiry_days), 7);
});

test("the table schemas are the analytics loader's JSON files", (t) => {
  const table = res("google_bigquery_table").table;
  assert.equal(table.schema, "${jsonencode(jsondecode(file(\"${local.schema_dir}/${each.key}.json\")))}");
  assert.equal(mod.locals.schema_dir, "${local.repo_root}/analytics-writer/src/main/resources/bigquery");
  assert.equal(mod.locals.repo_root, "${path.module}/../../../..");
  const missing = Object.keys(mod.locals.tables).filter((n) => !existsSync(join(schemaDir, `${n}.json`)));
  if (missing.length) {
    t.skip(`analytics-writer has no schema JSON yet for ${missing.join(", ")} (${rel(schemaDir)}): Terraform reads them with file()`);
    return;
  }
  for (const [name, spec] of Object.entries(mod.locals.tables)) {
    const schema = JSON.parse(readFileSync(join(schemaDir, `${name}.json`), "utf8"));
    assert.ok(Array.isArray(schema), `${name}.json is BigQuery's schema format: an array of fields`);
    const cols = new Map(schema.map((f) => [f.name, f]));
    for (const f of schema) {
      assert.ok(f.name && f.type, `${name}: every field has a name and a type`);
      assert.ok(f.mode, `${name}.${f.name}: an explicit mode (the Write API client needs one)`);
    }
    const part = cols.get(spec.partition_field);
    assert.ok(part, `${name}: partition column ${spec.partition_field} exists`);
    assert.ok(["TIMESTAMP", "DATE", "DATETIME"].includes(part.type), `${name}.${spec.partition_field} is a time column`);
    for (const c of spec.clustering ?? []) assert.ok(cols.has(c), `${name}: clustering column ${c} exists`);
    assert.ok((spec.clustering ?? []).length <= 4, "BigQuery clusters on at most 4 columns");
  }
  const events = JSON.parse(readFileSync(join(schemaDir, "events.json"), "utf8")).map((f) => f.name);
  for (const c of ["id", "received_at"]) assert.ok(events.includes(c), `the dedup view needs events.${c}`);
});

test("the dedup view keeps one row per id and the dataset bills compressed bytes", () => {
  const view = block(res("google_bigquery_table").events_dedup, "view");
  assert.equal(view.use_legacy_sql, false);
  assert.match(view.query, /QUALIFY ROW_NUMBER\(\) OVER \(PARTITION BY id ORDER BY received_at\) = 1/);
  assert.match(view.query, /\.events`/);
  const ds = res("google_bigquery_dataset").fanout;
  assert.equal(ds.storage_billing_model, "PHYSICAL", "docs/cost.md: the logical model does not fit 10 GB");
  assert.equal(ds.max_time_travel_hours, "48");
});

// --- IAM: least privilege -----------------------------------------------------------------------

// The only roles Fanout grants, and on which kind of resource. Anything else fails the build.
const ALLOWED_ROLES = {
  google_pubsub_topic_iam_member: ["roles/pubsub.publisher"],
  google_pubsub_subscription_iam_member: ["roles/pubsub.subscriber"],
  google_cloud_run_v2_service_iam_member: ["roles/run.invoker", "roles/run.developer"],
  google_cloud_run_v2_job_iam_member: ["roles/run.developer"],
  google_service_account_iam_member: ["roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator", "roles/iam.workloadIdentityUser"],
  google_secret_manager_secret_iam_member: ["roles/secretmanager.secretAccessor"],
  google_bigquery_table_iam_member: ["roles/bigquery.dataEditor"],
  google_bigquery_dataset_iam_member: ["roles/bigquery.dataViewer"],
  google_artifact_registry_repository_iam_member: ["roles/artifactregistry.writer", "roles/artifactregistry.reader"],
  // BigQuery jobs can only be granted per project; the deployer runs the smoke-test query.
  google_project_iam_member: ["roles/bigquery.jobUser"],
};

test("only allow-listed roles, only additive *_iam_member grants", () => {
  for (const cfg of all) {
    for (const [type, name, body] of resources(cfg, (t) => /_iam_(member|binding|policy)$/.test(t))) {
      assert.ok(type.endsWith("_iam_member"), `${type}.${name}: authoritative IAM (binding/policy) would remove other grants`);
      assert.ok(ALLOWED_ROLES[type], `${type}.${name}: IAM on this kind of resource is not allow-listed`);
      assert.ok(ALLOWED_ROLES[type].includes(body.role), `${type}.${name}: role ${body.role} is not allow-listed for ${type}`);
      assert.doesNotMatch(body.role, /^roles\/(owner|editor|viewer)$|admin$/i, `${type}.${name}: no primitive or admin roles`);
    }
  }
});

/** Which runtime service accounts a grant goes to. */
function grantees(body) {
  const m = /runtime\[(?:"([^"]+)"|each\.value)\]\.email/.exec(body.member ?? "");
  if (!m) return [body.member];
  if (m[1]) return [m[1]];
  const set = /toset\(\[([^\]]*)\]\)/.exec(body.for_each ?? "");
  assert.ok(set, `a grant to runtime[each.value] iterates a literal toset: ${body.for_each}`);
  return [...set[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]);
}

test("each service account holds exactly its documented privileges", () => {
  const got = {};
  const add = (sa, what) => (got[sa] ??= new Set()).add(what);
  for (const [type, name, body] of resources(mod, (t) => t.endsWith("_iam_member"))) {
    if (type === "google_secret_manager_secret_iam_member") {
      assert.equal(body.member, "serviceAccount:${google_service_account.runtime[each.value.sa].email}");
      for (const [secret, s] of Object.entries(mod.locals.secrets)) for (const sa of s.accessors) add(sa, `secret ${secret}`);
      continue;
    }
    for (const sa of grantees(body)) add(sa, `${type.replace(/^google_|_iam_member$/g, "")} ${body.role}`);
    void name;
  }
  const r2 = ["secret r2-access-key-id", "secret r2-secret-access-key"];
  const want = {
    "ingest-bridge": ["pubsub_topic roles/pubsub.publisher", "secret fanout-ingest-tokens", "secret fanout-replay-tokens"],
    "archive-sink": [...r2],
    "analytics-loader": ["bigquery_table roles/bigquery.dataEditor", ...r2],
    "alert-sink": [...r2, "secret resend-api-key"],
    replay: ["pubsub_topic roles/pubsub.publisher", ...r2],
    "pubsub-push": ["cloud_run_v2_service roles/run.invoker"],
    deployer: [
      "artifact_registry_repository roles/artifactregistry.writer",
      "cloud_run_v2_service roles/run.developer",
      "cloud_run_v2_job roles/run.developer",
      "service_account roles/iam.serviceAccountUser",
      "project roles/bigquery.jobUser",
      "bigquery_dataset roles/bigquery.dataViewer",
      "secret fanout-ingest-tokens",
      "secret r2-reader-access-key-id",
      "secret r2-reader-secret-access-key",
    ],
  };
  for (const [sa, list] of Object.entries(want)) {
    assert.deepEqual([...(got[sa] ?? [])].sort(), [...list].sort(), `privileges of ${sa}`);
  }
  // Grants to principals that are not Fanout's own accounts: the public bridge, the Pub/Sub
  // agent, the deployer's WIF principal set and explicitly configured registry readers.
  const others = Object.keys(got).filter((k) => !(k in want)).sort();
  assert.deepEqual(others, [
    "${each.value}",
    "${local.pubsub_service_agent}",
    "allUsers",
    "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.github.name}/attribute.repository_id/${var.github_repository_id}",
  ].sort());
  const pub = Object.entries(res("google_cloud_run_v2_service_iam_member")).filter(([, b]) => b.member === "allUsers");
  assert.deepEqual(pub.map(([n]) => n), ["bridge_public"]);
  assert.match(pub[0][1].name, /\["ingest-bridge"\]/, "only the bridge is public (it checks its own ingest token)");
  assert.equal(res("google_artifact_registry_repository_iam_member").readers.role, "roles/artifactregistry.reader");
});

// --- Workload Identity Federation ---------------------------------------------------------------

test("WIF trusts only this repository (by id) on refs/heads/main, in its own environment", () => {
  const p = res("google_iam_workload_identity_pool_provider").github;
  assert.equal(block(p, "oidc").issuer_uri, "https://token.actions.githubusercontent.com");
  assert.equal(p.attribute_mapping["google.subject"], "assertion.sub");
  const cond = p.attribute_condition;
  for (const clause of [
    "assertion.repository_id == '${var.github_repository_id}'",
    "assertion.repository_owner_id == '${var.github_repository_owner_id}'",
    "assertion.ref == '${var.deploy_ref}'",
    "assertion.environment == '${var.environment}'",
  ]) assert.ok(cond.includes(clause), `attribute_condition has ${clause}`);
  assert.ok(cond.includes('join(" && "'), "clauses are ANDed");
  assert.equal(resolve(mod, "${var.deploy_ref}"), "refs/heads/main");
  const b = res("google_service_account_iam_member").deployer_wif;
  assert.equal(b.role, "roles/iam.workloadIdentityUser");
  assert.match(b.member, /attribute\.repository_id\/\$\{var\.github_repository_id\}$/);
});

// --- Cloud Run ----------------------------------------------------------------------------------

test("Cloud Run: min 0, probes, secrets from Secret Manager, CI owns the image", () => {
  for (const [name, body] of [...Object.entries(res("google_cloud_run_v2_service")), ...Object.entries(res("google_cloud_run_v2_job"))]) {
    const ignored = block(body, "lifecycle").ignore_changes;
    const image = name === "replay" ? "${template[0].template[0].containers[0].image}" : "${template[0].containers[0].image}";
    for (const k of ["${client}", "${client_version}", image]) assert.ok(ignored.includes(k), `${name}: ignore_changes ${k}`);
    const tpl = name === "replay" ? block(block(body, "template"), "template") : block(body, "template");
    const c = block(tpl, "containers");
    assert.match(c.image, /\$\{local\.registry\}\/.+:\$\{var\.image_tag\}$/, `${name}: image by tag from the registry`);
    const secretEnv = c.dynamic.env.find((e) => JSON.stringify(e).includes("secret_key_ref"));
    assert.ok(secretEnv, `${name}: secrets come from Secret Manager`);
    assert.equal(block(block(block(secretEnv, "content"), "value_source"), "secret_key_ref").version, "latest");
    if (name === "replay") continue;
    assert.ok(ignored.includes("${traffic}"), `${name}: rollback (traffic) is CI's`);
    assert.equal(block(tpl, "scaling").min_instance_count, 0, `${name}: scales to zero`);
    assert.equal(block(c, "startup_probe").http_get[0].path, "/q/health/started");
    assert.equal(block(c, "liveness_probe").http_get[0].path, "/q/health/live");
    assert.equal(block(c, "resources").cpu_idle, true, `${name}: CPU only during requests`);
  }
  // Plain env never carries a secret-looking name; those are secret_key_refs.
  const plainNames = strings([mod.locals.r2_env, mod.locals.push_env, mod.locals.runtime_env, mod.locals.plain_env]).join(" ");
  assert.doesNotMatch(plainNames, /SECRET_ACCESS_KEY|ACCESS_KEY_ID|_TOKENS\b|API_KEY/);
  for (const [svc, env] of Object.entries(mod.locals.secret_env)) {
    for (const secret of Object.values(typeof env === "string" ? mod.locals.r2_secret_env : env)) {
      if (typeof secret === "string" && !secret.includes("${")) assert.ok(mod.locals.secrets[secret], `${svc}: secret ${secret} is declared`);
    }
  }
});

test("the JVM flags come from deploy/cloudrun/<service>.yaml, which Terraform can read", () => {
  assert.ok(String(mod.locals.cloudrun_yaml).includes('yamldecode(file("${local.repo_root}/deploy/cloudrun/${s}.yaml"))'));
  const services = Object.keys(mod.locals.request_timeout);
  const yamls = findFiles(join(repoRoot, "deploy", "cloudrun"), [".yaml"]);
  assert.ok(yamls.length >= 2);
  for (const f of yamls) {
    const svc = f.split("/").pop().replace(/\.yaml$/, "");
    assert.ok(services.includes(svc), `${rel(f)} names a Terraform-managed service`);
    const y = YAML.parse(read(f));
    const env = y?.spec?.template?.spec?.containers?.[0]?.env;
    assert.ok(Array.isArray(env), `${rel(f)}: spec.template.spec.containers[0].env is where Terraform looks`);
    const flags = env.find((e) => e.name === "JAVA_OPTS_APPEND");
    if (flags) assert.match(flags.value, /-Xmx|MaxRAMPercentage/, `${rel(f)}: JAVA_OPTS_APPEND sizes the heap`);
  }
  const bridge = YAML.parse(read(join(repoRoot, "deploy/cloudrun/ingest-bridge.yaml")));
  assert.ok(bridge.spec.template.spec.containers[0].env.some((e) => e.name === "JAVA_OPTS_APPEND"), "the bridge's measured flags are recorded");
});

// --- variables: free-tier bounds ------------------------------------------------------------------

test("free-tier limits are validated in variables.tf", () => {
  const v = mod.variable;
  const guarded = {
    services: ["max_instances", "memory"],
    archive_retention_days: ["archive_retention_days"],
    dead_letter_retention_days: ["dead_letter_retention_days"],
    message_retention_days: ["message_retention_days"],
    events_expiry_days: ["events_expiry_days"],
    events_raw_expiry_days: ["events_raw_expiry_days"],
    ack_deadline_seconds: ["ack_deadline_seconds"],
    max_delivery_attempts: ["max_delivery_attempts"],
  };
  for (const [name, words] of Object.entries(guarded)) {
    assert.ok(v[name]?.validation?.length, `variable ${name} has a validation`);
    const conditions = v[name].validation.map((x) => x.condition).join(" ");
    for (const w of words) assert.ok(conditions.includes(w), `${name}: validation covers ${w}`);
  }
});

// --- Cloudflare R2 ------------------------------------------------------------------------------

test("R2: bucket with an explicit location, archive and dead-letter expiry in seconds", () => {
  const bucket = res("cloudflare_r2_bucket").archive;
  assert.equal(bucket.location, "${var.r2_location}");
  const rules = res("cloudflare_r2_bucket_lifecycle").archive.rules;
  const byPrefix = Object.fromEntries(rules.map((r) => [r.conditions.prefix, r]));
  assert.match(byPrefix["events/"].delete_objects_transition.condition.max_age, /var\.archive_retention_days \* local\.day_seconds/);
  assert.match(byPrefix["dead-letter/"].delete_objects_transition.condition.max_age, /var\.dead_letter_retention_days \* local\.day_seconds/);
  assert.equal(mod.locals.day_seconds, 86400, "max_age is in seconds in provider v5");
  for (const r of rules) assert.equal(r.enabled, true);
  const req = Object.assign({}, ...mod.terraform.flatMap((t) => t.required_providers ?? []));
  assert.match(req.cloudflare.version, /^5\.\d+\.\d+$/, "provider v5, exact pin");
  assert.equal(req.cloudflare.source, "cloudflare/cloudflare");
});

// --- Alert timers: Cloud Scheduler ---------------------------------------------------------------

test("a Cloud Scheduler job ticks the alert sink every minute as the push identity, with the alert push audience", () => {
  const job = res("google_cloud_scheduler_job").alert_tick;
  assert.ok(job, "google_cloud_scheduler_job.alert_tick");
  assert.equal(job.schedule, "* * * * *");
  const http = block(job, "http_target");
  assert.equal(http.http_method, "POST");
  // The path the alert sink really serves.
  const src = read(join(repoRoot, "alert-sink/src/main/java/dev/fanout/alerts/service/AlertTickResource.java"));
  const path = /@Path\("([^"]+)"\)\s*public class AlertTickResource/.exec(src)[1];
  assert.equal(mod.locals.alert_tick_path, path);
  assert.equal(http.uri, '${google_cloud_run_v2_service.service["alert-sink"].uri}${local.alert_tick_path}');
  // The tick endpoint verifies the token like a push: same account, same audience as the sink expects.
  const oidc = block(http, "oidc_token");
  assert.equal(oidc.service_account_email, '${google_service_account.runtime["pubsub-push"].email}');
  assert.equal(oidc.audience, '${local.push_audience["alerts"]}');
  assert.match(mod.locals.push_env, /FANOUT_CONSUMER_PUSH_OIDC_AUDIENCE\s*=\s*local\.push_audience\[sink\]/);
  assert.match(mod.locals.runtime_env["alert-sink"], /local\.push_env\["alerts"\]/);
  assert.equal(block(job, "retry_config").retry_count, 0, "the next tick is a minute away");
  assert.ok(strings(res("google_project_service").apis.for_each).join(" ").includes("cloudscheduler.googleapis.com"));
  assert.equal(job.count, "${var.deploy_services ? 1 : 0}", "created with the services it calls");
});

// --- BigQuery grants follow the loader's schema --------------------------------------------------

test("the analytics loader may write exactly the tables analytics-writer defines, in the dataset Terraform creates", () => {
  const grant = res("google_bigquery_table_iam_member").loader_writes;
  const tables = [...grant.for_each.matchAll(/"([^"]+)"/g)].map((m) => m[1]).sort();
  assert.deepEqual(tables, Object.keys(mod.locals.tables).sort());
  // analytics-writer's tables.json: the tables (with partitioning) and the views it defines.
  const defined = JSON.parse(read(join(schemaDir, "tables.json")));
  const stored = Object.keys(defined).filter((t) => !defined[t].view_sql).sort();
  assert.deepEqual(tables, stored, "one grant per table analytics-writer defines (views store nothing)");
  assert.equal(grant.role, "roles/bigquery.dataEditor", "appends (tables.updateData) and the start-up schema check (tables.get)");
  // The loader is told the dataset Terraform creates (its code default is another name).
  assert.match(mod.locals.runtime_env["analytics-loader"], /FANOUT_ANALYTICS_BIGQUERY_DATASET\s*=\s*var\.dataset_id/);
  assert.match(mod.locals.runtime_env["alert-sink"], /FANOUT_ALERTS_QUERY_BIGQUERY_TABLE\s*=\s*"\$\{var\.project_id\}\.\$\{var\.dataset_id\}\.events"/);
});

// --- Replay job and dead letters ----------------------------------------------------------------

test("the replay job runs the cli image as its own account, which may only publish to the topic", () => {
  const job = res("google_cloud_run_v2_job").replay;
  const tpl = block(block(job, "template"), "template");
  assert.equal(tpl.service_account, '${google_service_account.runtime["replay"].email}');
  assert.match(block(tpl, "containers").image, /\/cli:\$\{var\.image_tag\}$/);
  assert.ok(tpl.max_retries >= 1, "a task attempt that dies resumes from its checkpoint");
  assert.match(res("google_pubsub_topic_iam_member").publishers.for_each, /"replay"/);
});

test("dead letters: every push subscription dead-letters to one topic, whose hold subscription keeps them for the operator", () => {
  const hold = res("google_pubsub_subscription").dead_letter_hold;
  assert.equal(hold.topic, "${google_pubsub_topic.dead_letter.id}");
  assert.equal(block(hold, "push_config"), undefined, "pull: nothing consumes dead letters behind the operator's back");
  assert.equal(block(res("google_pubsub_subscription").push, "dead_letter_policy").dead_letter_topic, "${google_pubsub_topic.dead_letter.id}");
  assert.equal(res("google_pubsub_topic").dead_letter.name, "${var.topic_name}-dead-letter");
});
