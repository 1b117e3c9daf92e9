// .github/workflows: each file validates against GitHub's workflow schema (action-validator, the
// same validator as its CLI), and the deploy rules hold: WIF only, main only, the stage order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import YAML from "yaml";
import { validateWorkflow } from "@action-validator/core";
import { findFiles, read, rel, repoRoot, workflowsDir } from "../lib/repo.mjs";

const files = findFiles(workflowsDir, [".yml", ".yaml"]);
const wf = (name) => YAML.parse(read(join(workflowsDir, `${name}.yml`)));

test("the workflows exist", () => {
  assert.deepEqual(files.map((f) => f.split("/").pop()).sort(), ["ci.yml", "deploy.yml", "rollback.yml"]);
});

for (const f of files) {
  test(`validates: ${rel(f)}`, () => {
    const result = validateWorkflow(read(f));
    assert.deepEqual(result.errors, [], JSON.stringify(result.errors, null, 2));
  });
}

test("the validator rejects an invalid workflow (so a pass above is real)", () => {
  assert.ok(validateWorkflow("on: push\njobs:\n  a:\n    runs-on: x\n    stepz: []\n").errors.length > 0);
});

test("ci runs the README's test command through .ci/run", () => {
  const steps = wf("ci").jobs.verify.steps;
  assert.ok(steps.some((s) => s.run === "bash .ci/run"));
  assert.match(read(join(repoRoot, ".ci/run")), /\.\/mvnw verify/);
  assert.match(read(join(repoRoot, "README.md")), /\.\/mvnw verify/);
});

test("Google Cloud is reached through workload identity federation only", () => {
  for (const f of files) {
    const text = read(f);
    assert.doesNotMatch(text, /credentials_json|GOOGLE_APPLICATION_CREDENTIALS|service_account_key|secrets\.GCP/, rel(f));
    const w = YAML.parse(text);
    for (const [name, job] of Object.entries(w.jobs)) {
      const auth = (job.steps ?? []).filter((s) => String(s.uses ?? "").startsWith("google-github-actions/auth@"));
      if (!auth.length) continue;
      for (const a of auth) {
        assert.ok(a.with.workload_identity_provider && a.with.service_account, `${rel(f)} ${name}: WIF provider + service account`);
      }
      const perms = job.permissions ?? w.permissions;
      assert.equal(perms?.["id-token"], "write", `${rel(f)} ${name}: permissions id-token: write`);
      assert.ok(job.environment, `${rel(f)} ${name}: runs in a GitHub environment (the WIF condition checks it)`);
    }
    assert.notEqual(w.permissions?.["id-token"], "write", `${rel(f)}: id-token only on the jobs that need it`);
  }
});

test("deploy: on push to main, cost check → build → staging (deploy + smoke test) → production, one run at a time", () => {
  const d = wf("deploy");
  assert.deepEqual(d.on.push.branches, ["main"]);
  assert.equal(d.concurrency["cancel-in-progress"], false, "a deploy is never cut in half");
  assert.equal(d.jobs.build.needs, "cost", "nothing is built, let alone deployed, before the free-tier check passed");
  const cost = d.jobs.cost.steps.map((s) => s.run ?? "").join("\n");
  for (const env of ["staging", "production"]) assert.match(cost, new RegExp(`deploy/cost-check\\.sh ${env}`));
  assert.equal(d.jobs.staging.needs, "build");
  assert.equal(d.jobs.production.needs, "staging");
  assert.equal(d.jobs.staging.environment, "staging");
  assert.equal(d.jobs.production.environment, "production");
  const runs = (job) => d.jobs[job].steps.map((s) => s.run ?? "").join("\n");
  assert.match(runs("build"), /deploy\/build-images\.sh/);
  const staging = runs("staging");
  assert.ok(staging.indexOf("deploy/deploy-revisions.sh") < staging.indexOf("deploy/smoke-test.sh"), "smoke test after the staging deploy");
  const prod = runs("production");
  assert.ok(prod.indexOf("deploy/promote-images.sh") < prod.indexOf("deploy/deploy-revisions.sh"), "production runs the images staging tested");
  assert.ok(prod.indexOf("deploy/deploy-revisions.sh") < prod.indexOf("deploy/smoke-test.sh"), "production is smoke-tested too");
});

test("deploy: a failed deploy or smoke test puts back exactly what served before, in both environments", () => {
  const d = wf("deploy");
  for (const job of ["staging", "production"]) {
    const steps = d.jobs[job].steps;
    const deployStep = steps.find((s) => s.run === "deploy/deploy-revisions.sh");
    assert.equal(deployStep.env.FANOUT_PREVIOUS_STATE, "${{ runner.temp }}/previous-revisions.txt", `${job}: the deploy records what serves`);
    const restore = steps.at(-1);
    assert.equal(restore.if, "failure()", `${job}: the last step runs only on failure`);
    assert.equal(restore.run, 'deploy/restore-revisions.sh "$RUNNER_TEMP/previous-revisions.txt"');
    assert.ok(steps.indexOf(deployStep) < steps.findIndex((s) => s.run === "deploy/smoke-test.sh"));
  }
  // What the deploy records is what the restore reads.
  assert.match(read(join(repoRoot, "deploy/deploy-revisions.sh")), /echo "service \$s \$rev" >>"\$state"/);
  assert.match(read(join(repoRoot, "deploy/restore-revisions.sh")), /while read -r kind name target/);
  assert.match(read(join(repoRoot, "deploy/restore-revisions.sh")), /--to-revisions "\$target=100"/);
});

test("ci builds and inspects the images on every push", () => {
  const images = wf("ci").jobs.images;
  assert.ok(images.services.registry.image.startsWith("registry:2"));
  assert.ok(images.steps.some((s) => s.run === "deploy/check-images.sh" && s.env.FANOUT_CHECK_REGISTRY === "localhost:5000"));
});

test("ci builds every service native in the Mandrel builder image and runs its packaged-app IT on the binary", () => {
  const services = ["ingest-bridge", "archive-sink", "analytics-loader", "alert-sink"];
  const job = wf("ci").jobs.native;
  assert.deepEqual(job.strategy.matrix.service, services);
  assert.equal(job.strategy["fail-fast"], false, "one service's failure does not hide the others'");
  const run = job.steps.map((s) => s.run ?? "").join("\n");
  assert.match(run, /\.\/mvnw -B -Pnative -pl \$\{\{ matrix\.service \}\} -am verify/);
  assert.match(run, /-Dquarkus\.native\.container-build=true/);
  assert.doesNotMatch(JSON.stringify(job), /secrets\./, "the native job needs no secrets");
  assert.match(read(join(repoRoot, "pom.xml")),
    /<quarkus\.native\.builder-image>quay\.io\/quarkus\/ubi9-quarkus-mandrel-builder-image:[^<\s]+<\/quarkus\.native\.builder-image>/);
  for (const s of services) {
    const pom = read(join(repoRoot, s, "pom.xml"));
    const profile = pom.slice(pom.indexOf("<id>native</id>"));
    assert.ok(pom.includes("<id>native</id>"), `${s}: a native profile`);
    assert.match(profile, /<quarkus\.native\.enabled>true<\/quarkus\.native\.enabled>/, `${s}: the profile builds native`);
    assert.match(profile, /<native\.image\.path>\$\{project\.build\.directory\}\/\$\{project\.build\.finalName\}-runner<\/native\.image\.path>/,
      `${s}: failsafe runs the ITs on the binary`);
    assert.match(pom, /<artifactId>maven-failsafe-plugin<\/artifactId>/, `${s}: failsafe runs in verify`);
    const its = findFiles(join(repoRoot, s, "src", "test", "java"), ["IT.java"]).filter((f) => read(f).includes("@QuarkusIntegrationTest"));
    assert.ok(its.length >= 1, `${s}: a @QuarkusIntegrationTest`);
  }
  // A service allowed to fail here is one the offline check knows is not native yet (and says why).
  const allowed = [...String(job["continue-on-error"]).matchAll(/matrix\.service == '([a-z-]+)'/g)].map((m) => m[1]);
  const check = read(join(repoRoot, "deploy/check-native-sources.sh"));
  for (const s of allowed) {
    assert.match(check, new RegExp(`^${s} dev\\.fanout\\.`, "m"), `${s}: a known reason in deploy/check-native-sources.sh`);
    assert.match(read(join(repoRoot, "docs/operations.md")), new RegExp(`\\*\\*Native\\*\\*[^]*${s}[^]*not native yet`), `${s}: docs/operations.md says why`);
  }
});

test("rollback: manual, per environment, through deploy/rollback.sh", () => {
  const r = wf("rollback");
  assert.ok(r.on.workflow_dispatch.inputs.environment.options.includes("production"));
  assert.match(r.jobs.rollback.steps.map((s) => s.run ?? "").join("\n"), /deploy\/rollback\.sh/);
  assert.match(read(join(repoRoot, "deploy/rollback.sh")), /gcloud run services update-traffic "\$service" .*--to-revisions "\$target=100"/);
  assert.match(read(join(repoRoot, "docs/operations.md")), /gcloud run services update-traffic \S+ --region \S+ --to-revisions \S+=100/);
});

test("every deploy script the workflows call exists and is valid bash", () => {
  const called = new Set();
  for (const f of files) for (const m of read(f).matchAll(/deploy\/[a-z-]+\.sh/g)) called.add(m[0]);
  assert.ok(called.size >= 5);
  for (const script of [...called, ...findFiles(join(repoRoot, "deploy"), [".sh"]).map(rel)]) {
    execFileSync("bash", ["-n", join(repoRoot, script)]);
  }
});

test("build-images.sh uses Quarkus' container-image build and push for the service modules", () => {
  const s = read(join(repoRoot, "deploy/build-images.sh"));
  assert.match(s, /-Dquarkus\.container-image\.build=true/);
  assert.match(s, /-Dquarkus\.container-image\.push=true/);
  assert.match(s, /ingest-bridge archive-sink analytics-loader alert-sink cli/);
});
