// The environment Terraform gives each runtime, read from the parsed module: locals.runtime_env
// (plain) and locals.secret_env (secret_key_ref), whose entries are literal maps or merge()s of
// literal maps and other `*_env` locals. Enough of HCL to list names and values, nothing more.

const KEY = /(?:^|[{,\n])\s*"?([A-Z][A-Z0-9_]*)"?\s*=(?!=)\s*([^\n,}]*)/g;
const REF = /local\.(\w+_env)(?:\["([\w-]+)"\]|\.(\w+))?/g;

/** name -> value text of the environment variables an HCL value defines (deep through *_env locals). */
export function envMap(mod, value, depth = 0) {
  const out = new Map();
  if (depth > 5) throw new Error("env locals nest too deep");
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) out.set(k, v);
    return out;
  }
  if (typeof value !== "string") return out;
  for (const m of value.matchAll(KEY)) out.set(m[1], m[2].trim());
  for (const m of value.matchAll(REF)) {
    let ref = mod.locals[m[1]];
    if (ref === undefined) throw new Error(`local.${m[1]} is not defined`);
    const index = m[2] ?? m[3];
    // A map of maps indexed by a literal key; a for-expression's template has the same names for every key.
    if (index && ref && typeof ref === "object" && !(index in ref)) throw new Error(`local.${m[1]} has no key ${index}`);
    if (index && ref && typeof ref === "object") ref = ref[index];
    for (const [k, v] of envMap(mod, ref, depth + 1)) out.set(k, v);
  }
  return out;
}

/** Runtimes with their plain and secret environment as Terraform sets it. */
export function terraformEnv(mod) {
  const runtimes = {};
  for (const [runtime, value] of Object.entries(mod.locals.runtime_env)) {
    runtimes[runtime] = { plain: envMap(mod, value), secret: envMap(mod, mod.locals.secret_env[runtime]) };
  }
  return runtimes;
}
