// Terraform configuration as JSON, parsed by a real HCL parser (@cdktf/hcl2json, HashiCorp's
// hcl library compiled to WebAssembly). Expressions stay strings of the form "${…}"; the helpers
// below resolve only what the policy tests need: literals, var.X defaults and local.X literals.
import { parse } from "@cdktf/hcl2json";
import { dirname, join } from "node:path";
import { findFiles, read, rel, terraformDir } from "./repo.mjs";

export async function parseFile(path) {
  return parse(rel(path), read(path));
}

/** Parse results of every .tf and .tfvars file: path -> { json } or { error }. */
export const parsed = new Map();

/** Every root/module directory under deploy/terraform with its files merged like Terraform does. */
export async function loadConfigs() {
  const files = findFiles(terraformDir, [".tf", ".tfvars"]);
  await Promise.all(files.map(async (f) => {
    try {
      parsed.set(f, { json: await parseFile(f) });
    } catch (error) {
      parsed.set(f, { error });
    }
  }));
  const byDir = new Map();
  for (const f of files) {
    const { json } = parsed.get(f);
    if (!json || f.endsWith(".tfvars")) continue;
    const dir = dirname(f);
    if (!byDir.has(dir)) byDir.set(dir, { dir, files: [], resource: {}, variable: {}, locals: {}, module: {}, terraform: [], provider: {}, data: {}, output: {} });
    const cfg = byDir.get(dir);
    cfg.files.push(rel(f));
    for (const [type, blocks] of Object.entries(json.resource ?? {})) {
      cfg.resource[type] ??= {};
      for (const [name, bodies] of Object.entries(blocks)) cfg.resource[type][name] = bodies[0];
    }
    for (const [name, bodies] of Object.entries(json.variable ?? {})) cfg.variable[name] = bodies[0];
    for (const l of json.locals ?? []) Object.assign(cfg.locals, l);
    for (const [name, bodies] of Object.entries(json.module ?? {})) cfg.module[name] = bodies[0];
    for (const [name, bodies] of Object.entries(json.data ?? {})) cfg.data[name] = bodies;
    for (const [name, bodies] of Object.entries(json.provider ?? {})) cfg.provider[name] = bodies;
    for (const [name, bodies] of Object.entries(json.output ?? {})) cfg.output[name] = bodies[0];
    cfg.terraform.push(...(json.terraform ?? []));
  }
  return byDir;
}

export const moduleDir = join(terraformDir, "modules", "fanout");

/** All resources of a config as [type, name, body]. */
export function resources(cfg, typePredicate = () => true) {
  const out = [];
  for (const [type, byName] of Object.entries(cfg.resource)) {
    if (!typePredicate(type)) continue;
    for (const [name, body] of Object.entries(byName)) out.push([type, name, body]);
  }
  return out;
}

/** The first element of a nested block list (hcl2json keeps blocks as lists). */
export const block = (body, name) => (Array.isArray(body?.[name]) ? body[name][0] : body?.[name]);

const REF = /^\$\{(var|local)\.([A-Za-z0-9_]+)\}$/;

/** A literal, or var.X (its default) / local.X (if a literal) — else undefined. */
export function resolve(cfg, value) {
  if (typeof value !== "string") return value;
  const m = REF.exec(value);
  if (!m) return value.includes("${") ? undefined : value;
  if (m[1] === "var") return resolve(cfg, cfg.variable[m[2]]?.default);
  return resolve(cfg, cfg.locals[m[2]]);
}

/** Every string inside a value (deep), for grep-like policies. */
export function strings(value, out = []) {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => strings(v, out));
  return out;
}
