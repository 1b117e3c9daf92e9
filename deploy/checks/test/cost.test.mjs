// The free-tier check before a deploy (deploy/cost-check.sh) models what that environment's
// Terraform provisions: the inputs deploy/checks/bin/cost-args.mjs derives are real cost-model
// inputs and carry the environment's values.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { costArgs } from "../bin/cost-args.mjs";
import { read, repoRoot } from "../lib/repo.mjs";

const inputs = (() => {
  const src = read(join(repoRoot, "cost-model/src/main/java/dev/fanout/cost/CostInputs.java"));
  const body = src.slice(src.indexOf("public record CostInputs("), src.indexOf(") {", src.indexOf("public record CostInputs(")));
  return [...body.matchAll(/(?:double|int|boolean)\s+(\w+)/g)].map((m) => m[1]);
})();
const camel = (kebab) => kebab.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
const asMap = (args) => Object.fromEntries(args.map((a) => a.slice(2).split("=")));

for (const env of ["staging", "production"]) {
  test(`cost inputs of ${env} are cost-model inputs`, async () => {
    const args = await costArgs(env);
    assert.ok(args.length >= 5);
    for (const name of Object.keys(asMap(args))) assert.ok(inputs.includes(camel(name)), `${name} is a CostInputs component`);
  });
}

test("the environments' own values reach the model", async () => {
  assert.equal(asMap(await costArgs("production"))["archive-retention-days"], "90");
  assert.equal(asMap(await costArgs("staging"))["archive-retention-days"], "7", "staging's tfvars");
  // Not forwarded by the environments: the module's default.
  assert.equal(asMap(await costArgs("production"))["events-expiry-days"], "30");
  assert.equal(asMap(await costArgs("production"))["alert-recipients"], "1");
  assert.equal(asMap(await costArgs("production"))["memory-gi-b"], "0.5");
});

test("cost-check.sh fails the deploy on the model's breach exit code", () => {
  const s = read(join(repoRoot, "deploy/cost-check.sh"));
  assert.match(s, /java -jar cost-model\/target\/cost-model\.jar --events-per-day "\$events" --event-bytes "\$bytes" "\$\{inputs\[@\]\}"/);
  assert.match(s, /exit \$code/);
  assert.match(read(join(repoRoot, "cost-model/src/main/java/dev/fanout/cost/CostCli.java")), /fitsEveryFreeTier\(\) \? 0 : 3/);
});
