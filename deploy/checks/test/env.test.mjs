// Every environment variable the deploy sets on a runtime is a configuration key that runtime
// really reads (its @ConfigMapping interfaces, its application.properties, or a ${NAME} they
// expand), and every secret a runtime reads comes from Secret Manager. A misspelt or stale name is
// otherwise silently ignored by SmallRye and the service runs on its defaults.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import YAML from "yaml";
import { envName, keyForEnv, mappingKeys, readsOf } from "../lib/config-keys.mjs";
import { envMap, terraformEnv } from "../lib/runtime-env.mjs";
import { findFiles, read, rel, repoRoot } from "../lib/repo.mjs";
import { loadConfigs, moduleDir, parsed } from "../lib/terraform.mjs";

const configs = await loadConfigs();
const mod = configs.get(moduleDir);

/** Terraform runtime -> Maven module of its image. */
const MODULE = {
  "ingest-bridge": "ingest-bridge",
  "archive-sink": "archive-sink",
  "analytics-loader": "analytics-loader",
  "alert-sink": "alert-sink",
  replay: "cli",
};

/** Variables no config key owns, read by the image's launcher or the JVM itself. */
const LAUNCHER = {
  // run-java.sh of the Quarkus images' base (registry.access.redhat.com/ubi9/openjdk-*-runtime)
  // appends it to the java command line; see the jib sections of the service poms.
  JAVA_OPTS_APPEND: ["ingest-bridge", "archive-sink", "analytics-loader", "alert-sink"],
  // Read by every JVM at start (the CLI image runs `java` directly).
  JAVA_TOOL_OPTIONS: ["ingest-bridge", "archive-sink", "analytics-loader", "alert-sink", "replay"],
};

/**
 * Variables the deploy already sets that another branch is teaching the code to read, per
 * runtime. Each entry fails the build once it is read (then delete it here): a stale entry would
 * hide a dead variable.
 */
const PENDING = [];
const pending = (runtime, name) => PENDING.find((p) => p.runtimes.includes(runtime) && p.names.includes(name));

/** Secret keys a runtime reads but does not need in the cloud, with the reason. */
const SECRET_NOT_DEPLOYED = {
  "fanout.analytics.query.tokens": "the /v1/query endpoint is off in the cloud (fanout.analytics.query.enabled=false); BigQuery answers queries",
};

const reads = Object.fromEntries(Object.entries(MODULE).map(([r, m]) => [r, readsOf(m)]));
const tf = terraformEnv(mod);

function checkNames(runtime, names, where) {
  const problems = [];
  for (const name of names) {
    if (LAUNCHER[name]) {
      if (!LAUNCHER[name].includes(runtime)) problems.push(`${name}: nothing in the ${runtime} image reads it`);
      continue;
    }
    const key = keyForEnv(reads[runtime], name);
    if (pending(runtime, name)) {
      assert.equal(key, undefined, `${where}: ${runtime} now reads ${name} as ${key}: remove it from PENDING in ${rel(import.meta.filename)}`);
      continue;
    }
    if (!key) problems.push(`${name}: ${MODULE[runtime]} reads no such key (modules ${reads[runtime].modules.join(", ")})`);
  }
  assert.deepEqual(problems, [], `${where} sets variables ${runtime} never reads`);
}

test("the key catalogue is read from the sources (so the checks below compare with something)", () => {
  const consumer = mappingKeys(["consumer-runtime"]);
  for (const k of ["fanout.consumer.push.oidc.audience", "fanout.consumer.sinks.*.max-age", "fanout.consumer.retry.max-total"]) {
    assert.ok(consumer.includes(k), `consumer-runtime declares ${k}`);
  }
  // Two groups named Retry in different files stay apart.
  assert.ok(!consumer.includes("fanout.consumer.retry.rpc-timeout"));
  assert.ok(mappingKeys(["pubsub-client"]).includes("fanout.pubsub.retry.rpc-timeout"));
  assert.ok(keyForEnv(reads["archive-sink"], "FANOUT_CONSUMER_SINKS__ARCHIVE__MAX_AGE"));
  assert.equal(keyForEnv(reads["archive-sink"], "FANOUT_CONSUMER_SINKS__ARCHIVE__MAX_AGES"), undefined);
  assert.equal(keyForEnv(reads["ingest-bridge"], "FANOUT_ANALYTICS_BIGQUERY_DATASET"), undefined, "the bridge has no analytics keys");
  assert.equal(envName('fanout.consumer.sinks."archive".max-age'), "FANOUT_CONSUMER_SINKS__ARCHIVE__MAX_AGE");
});

test("Terraform configures every runtime it deploys", () => {
  assert.deepEqual(Object.keys(tf).sort(), Object.keys(MODULE).sort());
  assert.match(mod.locals.plain_env, /for s, env in local\.runtime_env/, "plain_env is runtime_env plus the launcher flags");
  assert.match(mod.locals.plain_env, /JAVA_OPTS_APPEND/);
  for (const [runtime, env] of Object.entries(tf)) assert.ok(env.plain.size > 0 && env.secret.size > 0, runtime);
});

for (const runtime of Object.keys(MODULE)) {
  test(`Terraform: every variable set on ${runtime} is a key it reads`, () => {
    const names = [...tf[runtime].plain.keys(), ...tf[runtime].secret.keys()];
    if (runtime !== "replay") names.push("JAVA_OPTS_APPEND");
    checkNames(runtime, names, "deploy/terraform");
  });
}

test("Terraform: the per-environment extras (service_env in terraform.tfvars) are keys too", () => {
  for (const [f, r] of parsed) {
    if (!f.endsWith(".tfvars")) continue;
    for (const [service, env] of Object.entries(r.json.service_env ?? {})) {
      checkNames(service, Object.keys(env), rel(f));
    }
  }
});

const docs = read(join(repoRoot, "docs/configuration.md"));
/** Keys docs/configuration.md classes as secret. */
const secretKeys = [...docs.matchAll(/^\| `(fanout\.[^`]+)`[^|]*\|[^|]*\| \*\*secret\*\* \|/gm)].map((m) => m[1]);

test("docs/configuration.md names the secret keys", () => {
  for (const k of ["fanout.ingest.tokens", "fanout.archive.s3.secret-access-key", "fanout.alerts.resend.api-key"]) {
    assert.ok(secretKeys.includes(k), k);
  }
});

for (const runtime of Object.keys(MODULE)) {
  test(`Terraform: every secret ${runtime} reads comes from Secret Manager, and only secrets do`, () => {
    const { plain, secret } = tf[runtime];
    const key = (name) => keyForEnv(reads[runtime], name);
    const readSecrets = secretKeys.filter((k) => reads[runtime].keys.includes(k));
    const fromSecretManager = new Set([...secret.keys()].map(key));
    for (const k of readSecrets) {
      if (SECRET_NOT_DEPLOYED[k]) continue;
      assert.ok(fromSecretManager.has(k), `${runtime} reads secret ${k} (env ${envName(k)}): Terraform must set it from Secret Manager`);
    }
    for (const name of secret.keys()) {
      if (pending(runtime, name)) continue;
      assert.ok(secretKeys.includes(key(name)), `${runtime}: ${name} comes from Secret Manager but docs/configuration.md does not class ${key(name)} as secret`);
      assert.ok(mod.locals.secrets[secret.get(name).replace(/"/g, "")], `${runtime}: ${name} names a declared secret`);
    }
    for (const name of plain.keys()) {
      assert.ok(!secretKeys.includes(key(name)), `${runtime}: ${name} is a secret and must not be plain env`);
    }
  });
}

test("the secret maps resolve through their locals (so a secret set for one runtime is not read from another's)", () => {
  assert.deepEqual([...envMap(mod, mod.locals.secret_env["archive-sink"]).keys()].sort(),
    ["FANOUT_ARCHIVE_S3_ACCESS_KEY_ID", "FANOUT_ARCHIVE_S3_SECRET_ACCESS_KEY"]);
  assert.ok(tf["alert-sink"].secret.has("FANOUT_ALERTS_RESEND_API_KEY"));
  assert.ok(!tf["archive-sink"].secret.has("FANOUT_ALERTS_RESEND_API_KEY"));
});

// The Cloud Run YAMLs are the manual path (gcloud run services replace) and the source of the
// measured JVM flags: their variables must be real keys as well.
for (const f of findFiles(join(repoRoot, "deploy", "cloudrun"), [".yaml"])) {
  const runtime = f.split("/").pop().replace(/\.yaml$/, "");
  test(`${rel(f)}: every variable is a key ${runtime} reads, every secret it reads is a secretKeyRef`, () => {
    assert.ok(MODULE[runtime], `${rel(f)} is named after a runtime`);
    const env = YAML.parse(read(f)).spec.template.spec.containers[0].env;
    checkNames(runtime, env.map((e) => e.name), rel(f));
    const refs = new Set(env.filter((e) => e.valueFrom?.secretKeyRef).map((e) => keyForEnv(reads[runtime], e.name)));
    for (const k of secretKeys.filter((s) => reads[runtime].keys.includes(s) && !SECRET_NOT_DEPLOYED[s])) {
      assert.ok(refs.has(k), `${rel(f)}: ${envName(k)} from a secretKeyRef`);
    }
  });
}
