/**
 * Proof 1 (./hidden-dependencies.ts): reading a synthesized stack document (`cdk.tf.json`, parsed): its resources,
 * every string leaf of a configuration (JSON-encoded policies included), the literal part of a Terraform string, and
 * the AWS provider's account and regions.
 */

/** A parsed `cdk.tf.json` (only the parts the analysis reads). */
export interface StackDocument {
  readonly provider?: Record<string, unknown>;
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
}

/** Keys that are Terraform meta-arguments or cdktf metadata, not configuration sent to AWS. */
const META_KEYS = new Set(["//", "depends_on", "provider", "lifecycle", "count", "for_each", "provisioner", "connection"]);

export interface Resource {
  readonly type: string;
  readonly name: string;
  readonly address: string;
  readonly config: Record<string, unknown>;
}

export interface StringLeaf {
  readonly value: string;
  readonly configPath: (string | number)[];
  readonly jsonPath?: (string | number)[];
}

/** `${...}` blocks of a Terraform string (balanced braces; `$${` is an escaped literal). */
export function interpolations(s: string): { start: number; end: number; body: string }[] {
  const out: { start: number; end: number; body: string }[] = [];
  for (let i = 0; i < s.length - 1; i++) {
    if (s[i] !== "$" || s[i + 1] !== "{") continue;
    if (i > 0 && s[i - 1] === "$") continue; // $${ → literal
    let depth = 0;
    let j = i + 1;
    for (; j < s.length; j++) {
      if (s[j] === "{") depth++;
      else if (s[j] === "}" && --depth === 0) break;
    }
    out.push({ start: i, end: j, body: s.slice(i + 2, j) });
    i = j;
  }
  return out;
}

/** The string with interpolations replaced by a character no identity contains. */
export function literalPart(s: string): string {
  let out = "";
  let at = 0;
  for (const x of interpolations(s)) {
    out += `${s.slice(at, x.start)}\u0000`;
    at = x.end + 1;
  }
  return out + s.slice(at);
}

/** Every string leaf of a configuration; JSON-encoded objects/arrays are parsed and walked too. */
export function stringLeaves(value: unknown, configPath: (string | number)[], jsonPath: (string | number)[] | undefined, out: StringLeaf[]): void {
  if (typeof value === "string") {
    const t = value.trim();
    if (!jsonPath && (t.startsWith("{") || t.startsWith("["))) {
      try {
        const parsed = JSON.parse(t);
        if (parsed && typeof parsed === "object") {
          stringLeaves(parsed, configPath, [], out);
          return;
        }
      } catch {
        /* not JSON: scan as a string */
      }
    }
    out.push({ value, configPath, jsonPath });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      if (jsonPath) stringLeaves(v, configPath, [...jsonPath, i], out);
      else stringLeaves(v, [...configPath, i], undefined, out);
    });
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (!jsonPath && configPath.length === 0 && META_KEYS.has(k)) continue;
      if (jsonPath) stringLeaves(v, configPath, [...jsonPath, k], out);
      else stringLeaves(v, [...configPath, k], undefined, out);
    }
  }
}

export function renderPath(configPath: readonly (string | number)[], jsonPath?: readonly (string | number)[]): string {
  const render = (p: readonly (string | number)[]) => p.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
  return jsonPath ? `${render(configPath)}#${render(jsonPath)}` : render(configPath);
}

/** An `aws` provider block of a parsed `cdk.tf.json` (the fields read here). */
interface AwsProviderBlock {
  readonly alias?: string;
  readonly region?: string;
  readonly allowed_account_ids?: readonly string[];
}

export function providerRegions(doc: StackDocument): { defaultRegion?: string; account?: string; byAlias: Record<string, string> } {
  const raw = doc.provider?.aws;
  const blocks = (Array.isArray(raw) ? raw : raw ? [raw] : []) as AwsProviderBlock[];
  const byAlias: Record<string, string> = {};
  let defaultRegion: string | undefined;
  let account: string | undefined;
  for (const b of blocks) {
    if (b.alias) {
      if (b.region) byAlias[b.alias] = b.region;
    } else {
      defaultRegion = b.region;
      account = b.allowed_account_ids?.[0];
    }
    account ??= b.allowed_account_ids?.[0];
  }
  return { defaultRegion, account, byAlias };
}
