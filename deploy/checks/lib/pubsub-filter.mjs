// A small evaluator of the Pub/Sub subscription filter language, enough to prove what a filter
// lets through before it is created (filters are immutable). Grammar, per
// https://cloud.google.com/pubsub/docs/subscription-message-filter :
//   expr   := term (("AND" | "OR") term)*     (mixing AND and OR needs parentheses)
//   term   := "NOT"? (atom | "(" expr ")")   ("-" is an alias of NOT)
//   atom   := attributes.K ("=" | "!=") "V" | attributes:K | hasPrefix(attributes.K, "P")
// Ordering comparisons (<, >, <=, >=) do not exist; this parser rejects them.

export const MAX_FILTER_BYTES = 256; // https://cloud.google.com/pubsub/quotas#resource_limits

export function parseFilter(text) {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const expect = (t) => {
    const got = next();
    if (got?.t !== t) throw new Error(`filter: expected ${t}, got ${got ? got.t : "end"} in ${JSON.stringify(text)}`);
    return got;
  };
  function expr() {
    const first = term();
    const parts = [first];
    let op = null;
    while (peek() && (peek().t === "AND" || peek().t === "OR")) {
      const o = next().t;
      if (op && o !== op) throw new Error(`filter: mixing AND and OR needs parentheses: ${text}`);
      op = o;
      parts.push(term());
    }
    return parts.length === 1 ? first : { op, parts };
  }
  function term() {
    if (peek()?.t === "NOT") {
      next();
      return { op: "NOT", part: term() };
    }
    if (peek()?.t === "(") {
      next();
      const e = expr();
      expect(")");
      return e;
    }
    if (peek()?.t === "hasPrefix") {
      next();
      expect("(");
      const key = expect("attr").v;
      expect(",");
      const prefix = expect("str").v;
      expect(")");
      return { op: "hasPrefix", key, prefix };
    }
    const a = next();
    if (a?.t === "has") return { op: "has", key: a.v };
    if (a?.t !== "attr") throw new Error(`filter: unexpected ${a ? a.t : "end"} in ${text}`);
    const cmp = next();
    if (cmp?.t !== "=" && cmp?.t !== "!=") throw new Error(`filter: only = and != compare attributes (got ${cmp?.t}) in ${text}`);
    return { op: cmp.t, key: a.v, value: expect("str").v };
  }
  const ast = expr();
  if (i !== tokens.length) throw new Error(`filter: trailing ${tokens[i].t} in ${text}`);
  return ast;
}

function tokenize(text) {
  const out = [];
  const re = /\s*(?:(\()|(\))|(,)|(!=)|(=)|(<=|>=|<|>)|(AND\b)|(OR\b)|(NOT\b|-)|(hasPrefix\b)|attributes\.([A-Za-z0-9_\-]+)|attributes:([A-Za-z0-9_\-]+)|"((?:[^"\\]|\\.)*)")/y;
  let m;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    re.lastIndex = pos;
    m = re.exec(text);
    if (!m) throw new Error(`filter: cannot read ${JSON.stringify(text.slice(pos))}`);
    pos = re.lastIndex;
    if (m[1]) out.push({ t: "(" });
    else if (m[2]) out.push({ t: ")" });
    else if (m[3]) out.push({ t: "," });
    else if (m[4]) out.push({ t: "!=" });
    else if (m[5]) out.push({ t: "=" });
    else if (m[6]) throw new Error(`filter: ordering comparison ${m[6]} is not supported by Pub/Sub: ${text}`);
    else if (m[7]) out.push({ t: "AND" });
    else if (m[8]) out.push({ t: "OR" });
    else if (m[9]) out.push({ t: "NOT" });
    else if (m[10]) out.push({ t: "hasPrefix" });
    else if (m[11]) out.push({ t: "attr", v: m[11] });
    else if (m[12]) out.push({ t: "has", v: m[12] });
    else out.push({ t: "str", v: m[13].replace(/\\(.)/g, "$1") });
  }
  return out;
}

/** Whether a message with these attributes passes the filter. */
export function matches(ast, attrs) {
  switch (ast.op) {
    case "AND": return ast.parts.every((p) => matches(p, attrs));
    case "OR": return ast.parts.some((p) => matches(p, attrs));
    case "NOT": return !matches(ast.part, attrs);
    case "has": return Object.hasOwn(attrs, ast.key);
    case "=": return attrs[ast.key] === ast.value;
    // Pub/Sub: `!=` is true for a missing attribute too.
    case "!=": return attrs[ast.key] !== ast.value;
    case "hasPrefix": return Object.hasOwn(attrs, ast.key) && attrs[ast.key].startsWith(ast.prefix);
    default: throw new Error(`unknown op ${ast.op}`);
  }
}
