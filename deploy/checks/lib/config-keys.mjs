// The configuration keys a deployable module really reads, taken from its sources: the
// @ConfigMapping interfaces of the module and of every Fanout module it depends on (pom.xml,
// transitively), plus the keys and ${NAME} expressions of its application.properties. Then the
// SmallRye rule that turns an environment variable into a key
// (https://smallrye.io/smallrye-config/Main/config/environment-variables/): upper case, every
// character that is not a letter or a digit becomes `_`, so `fanout.consumer.sinks."archive".max-age`
// is FANOUT_CONSUMER_SINKS__ARCHIVE__MAX_AGE.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { findFiles, read, repoRoot } from "./repo.mjs";

/** Fanout modules a module depends on (itself included), from the <dependency> entries of the poms. */
export function moduleClosure(module) {
  const seen = new Set();
  const visit = (m) => {
    if (seen.has(m) || !existsSync(join(repoRoot, m, "pom.xml"))) return;
    seen.add(m);
    const pom = read(join(repoRoot, m, "pom.xml"));
    const deps = pom.slice(pom.indexOf("<dependencies>"), pom.lastIndexOf("</dependencies>"));
    for (const d of deps.matchAll(/<dependency>([\s\S]*?)<\/dependency>/g)) {
      const body = d[1];
      if (!/<groupId>dev\.fanout<\/groupId>/.test(body)) continue;
      if (/<scope>test<\/scope>/.test(body) || /<type>pom<\/type>/.test(body)) continue;
      visit(/<artifactId>([^<]+)<\/artifactId>/.exec(body)[1]);
    }
  };
  visit(module);
  return [...seen].sort();
}

/** Java source without comments and with string literals replaced by "$<index>" placeholders. */
function blank(src) {
  const strings = [];
  let out = "";
  for (let i = 0; i < src.length; ) {
    if (src.startsWith("/*", i)) {
      i = src.indexOf("*/", i + 2) + 2;
    } else if (src.startsWith("//", i)) {
      const nl = src.indexOf("\n", i);
      i = nl < 0 ? src.length : nl;
    } else if (src.startsWith('"""', i)) {
      // A text block: never a key or a prefix.
      const j = src.indexOf('"""', i + 3);
      strings.push(src.slice(i + 3, j));
      out += `"$${strings.length - 1}"`;
      i = j + 3;
    } else if (src[i] === '"') {
      let j = i + 1;
      while (src[j] !== '"') j += src[j] === "\\" ? 2 : 1;
      strings.push(src.slice(i + 1, j).replace(/\\(.)/g, "$1"));
      out += `"$${strings.length - 1}"`;
      i = j + 1;
    } else if (src[i] === "'") {
      const j = src.indexOf("'", i + (src[i + 1] === "\\" ? 3 : 2));
      out += "' '";
      i = j + 1;
    } else {
      out += src[i++];
    }
  }
  return { text: out, strings };
}

/** `interface Name { … }` bodies (nested ones too) of a blanked source, by simple name. */
function interfaces(text) {
  const out = new Map();
  for (const m of text.matchAll(/\binterface\s+(\w+)[^{;]*\{/g)) {
    let depth = 1;
    let i = m.index + m[0].length;
    const start = i;
    for (; depth > 0; i++) {
      if (text[i] === "{") depth++;
      else if (text[i] === "}") depth--;
    }
    out.set(m[1], text.slice(start, i - 1));
  }
  return out;
}

/** The body without the bodies of nested types (their methods are not this group's). */
function ownLevel(body) {
  let out = "";
  let depth = 0;
  for (const ch of body) {
    if (ch === "{") depth++;
    if (depth === 0) out += ch;
    if (ch === "}") depth--;
  }
  return out;
}

const kebab = (name) => name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/([A-Z])([A-Z][a-z])/g, "$1-$2").toLowerCase();

/** Leaf key patterns of every @ConfigMapping in these modules' main sources ("*" = a map key). */
export function mappingKeys(modules) {
  const files = modules.flatMap((m) => findFiles(join(repoRoot, m, "src", "main", "java"), [".java"]));
  const parsed = files.map((f) => ({ file: f, ...blank(read(f)) }));
  // Groups by simple name, looked up in the declaring file first (ConsumerConfig.Retry and
  // PubSubConfig.Retry are different groups), then across the modules.
  const global = new Map();
  for (const p of parsed) {
    p.groups = new Map();
    for (const [name, body] of interfaces(p.text)) {
      const g = { body: ownLevel(body), file: p };
      p.groups.set(name, g);
      global.set(name, g);
    }
  }
  const lookup = (file, name) => file.groups.get(name) ?? global.get(name);
  const keys = [];
  const walk = (prefix, g, depth) => {
    if (depth > 10) throw new Error(`config group recursion at ${prefix}`);
    const strings = g.file.strings;
    const methods = /((?:@\w+(?:\s*\([^)]*\))?\s*)*)([\w.]+(?:\s*<[^;(){}]*>)?)\s+(\w+)\s*\(\s*\)\s*;/g;
    for (const m of g.body.matchAll(methods)) {
      const [, annotations, rawType, method] = m;
      const named = /@WithName\s*\(\s*"\$(\d+)"\s*\)/.exec(annotations);
      const parent = /@WithParentName\b/.test(annotations);
      const seg = parent ? "" : named ? strings[Number(named[1])] : kebab(method);
      const base = seg === "" ? prefix : `${prefix}.${seg}`;
      let type = rawType.replace(/\s+/g, "");
      let mapKey = false;
      for (;;) {
        const o = /^Optional<(.+)>$/.exec(type);
        if (o) { type = o[1]; continue; }
        const mp = /^Map<[\w.]+,(.+)>$/.exec(type);
        if (mp) { type = mp[1]; mapKey = true; continue; }
        break;
      }
      const key = mapKey ? `${base}.*` : base;
      const sub = lookup(g.file, type.split(".").pop());
      if (sub) walk(key, sub, depth + 1);
      else keys.push(key);
    }
  };
  for (const p of parsed) {
    for (const m of p.text.matchAll(/@ConfigMapping\s*\(\s*prefix\s*=\s*"\$(\d+)"\s*\)[^{]*?\binterface\s+(\w+)/g)) {
      walk(p.strings[Number(m[1])], p.groups.get(m[2]), 0);
    }
  }
  return keys;
}

/** Keys set in a module's application.properties (profile prefixes removed) and ${NAME} it reads. */
export function propertiesOf(module) {
  const path = join(repoRoot, module, "src", "main", "resources", "application.properties");
  if (!existsSync(path)) return { keys: [], expressions: [] };
  const keys = [];
  const expressions = [];
  for (const raw of read(path).split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    keys.push(line.slice(0, eq).trim().replace(/^%[\w-]+\./, ""));
    for (const m of line.slice(eq + 1).matchAll(/\$\{([A-Za-z0-9_.-]+)/g)) expressions.push(m[1]);
  }
  return { keys, expressions };
}

/** SmallRye's name of a key as an environment variable. */
export const envName = (key) => key.replace(/[^A-Za-z0-9]/g, "_").toUpperCase();

/** A regular expression of the environment variables that set a key pattern ("*" = any map key). */
export function envPattern(keyPattern) {
  const parts = keyPattern.split("*").map((p) => envName(p));
  return new RegExp(`^${parts.join("[A-Z0-9_]+")}$`);
}

/** Everything a module reads: mapping key patterns, properties keys, and ${NAME} expressions. */
export function readsOf(module) {
  const modules = moduleClosure(module);
  const props = propertiesOf(module);
  const keys = [...new Set([...mappingKeys(modules), ...props.keys])].sort();
  return { modules, keys, expressions: [...new Set(props.expressions)].sort() };
}

/** The key (pattern) an environment variable sets in a module, or undefined. */
export function keyForEnv(reads, env) {
  const direct = reads.keys.find((k) => envPattern(k).test(env));
  if (direct) return direct;
  // ${FANOUT_DATA_DIR:…} and the like read the variable by its own name.
  return reads.expressions.find((e) => e === env || envName(e) === env);
}
