#!/usr/bin/env node
// The cost model's inputs that an environment's Terraform decides, as `fanout cost` overrides:
//   node deploy/checks/bin/cost-args.mjs production   ->   --archive-retention-days=90 …
// Read from envs/<env>/terraform.tfvars, else the env's variable default, else the module's, so
// the free-tier check before a deploy models what that deploy provisions (deploy/cost-check.sh).
import { join } from "node:path";
import { existsSync } from "node:fs";
import { parseFile, loadConfigs, moduleDir } from "../lib/terraform.mjs";
import { terraformDir } from "../lib/repo.mjs";

export async function costArgs(env) {
  const dir = join(terraformDir, "envs", env);
  const tfvars = join(dir, "terraform.tfvars");
  if (!existsSync(tfvars)) throw new Error(`no environment ${env} (${tfvars})`);
  const configs = await loadConfigs();
  const mod = configs.get(moduleDir);
  const envCfg = configs.get(dir);
  const vars = await parseFile(tfvars);
  // What the module gets: a variable the env forwards comes from its tfvars or its own default;
  // one it does not forward keeps the module's default.
  const value = (name) => {
    if (envCfg.module.fanout[name] === `\${var.${name}}`) return vars[name] ?? envCfg.variable[name]?.default;
    if (envCfg.module.fanout[name] !== undefined) throw new Error(`${env}: module input ${name} is an expression`);
    return mod.variable[name]?.default;
  };
  const number = (name) => {
    const v = Number(value(name));
    if (!Number.isFinite(v)) throw new Error(`${env}: ${name} is not a number (${value(name)})`);
    return v;
  };
  const gib = (m) => {
    const x = /^(\d+)(Mi|Gi)$/.exec(m);
    if (!x) throw new Error(`memory ${m}`);
    return x[2] === "Gi" ? Number(x[1]) : Number(x[1]) / 1024;
  };
  const services = value("services") ?? {};
  const memory = Math.max(...Object.values(services).map((s) => gib(s.memory ?? "512Mi")), gib("512Mi"));
  const recipients = value("alert_recipients");
  if (!Array.isArray(recipients)) throw new Error(`${env}: alert_recipients must be a list in terraform.tfvars`);
  return [
    `--archive-retention-days=${number("archive_retention_days")}`,
    `--events-expiry-days=${number("events_expiry_days")}`,
    `--events-raw-expiry-days=${number("events_raw_expiry_days")}`,
    `--memory-gi-b=${memory}`,
    `--alert-recipients=${recipients.length}`,
  ];
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const env = process.argv[2];
  if (!env) {
    console.error("usage: cost-args.mjs <staging|production>");
    process.exit(2);
  }
  console.log((await costArgs(env)).join("\n"));
}
