// Paths and file discovery shared by the checks. Everything is read from the working tree:
// the checks never need the network, a Terraform binary or cloud credentials.
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const checksDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const repoRoot = resolve(checksDir, "..", "..");
export const terraformDir = join(repoRoot, "deploy", "terraform");
export const workflowsDir = join(repoRoot, ".github", "workflows");

/** Files under dir whose name ends with one of the suffixes, skipping .terraform and node_modules. */
export function findFiles(dir, suffixes) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === ".terraform" || name === "node_modules") continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findFiles(p, suffixes));
    else if (suffixes.some((s) => name.endsWith(s))) out.push(p);
  }
  return out.sort();
}

export const rel = (p) => relative(repoRoot, p);
export const read = (p) => readFileSync(p, "utf8");
