/**
 * The configuration matrix (modules/config/modes.ts, issue 20) through the proofs that work on synthesized JSON:
 * every field covered by a mode, every mode's synth with the rule pack at zero, no hidden creation order in either
 * stack, and the boundary derivation (every resource type maps to an apply service; every role carries the boundary,
 * which allows every service the roles' policies use). Creatability: __tests__/security/creatable.test.ts. The
 * offline plan: the plan target `modes` (helpers/plan-targets.ts) plans two of these modes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { APP_SERVICES, serviceOfResourceType, TERRAFORM_BUILTIN_TYPES, WORKLOAD_SERVICES } from "../../modules/bootstrap/apply-access";
import { pathsSet, schemaFields } from "../../modules/config/field-paths";
import { CONFIG_MODES, MODE_NAMES, type ModeName, modeInput, modeTopLevel } from "../../modules/config/modes";
import { configSchema } from "../../modules/config/schema";
import { analyzeStack, formatFindings } from "../../scripts/verify/hidden-dependencies";
import { MODE_ROWS, synthMode } from "../helpers/modes";
import { PLAN_TARGETS, SHARED_ACCOUNT } from "../helpers/plan-targets";

const FIELDS = schemaFields(configSchema);
const SET_BY = new Map(MODE_NAMES.map((m) => [m, new Set(pathsSet(modeInput(m)))] as const));

describe("the matrix covers the configuration", () => {
  it("finds the schema's fields and their declared modes (the walker works)", () => {
    expect(FIELDS.find((f) => f.path === "network.mode")?.modes).toContain("dev-new-vpc");
    expect(FIELDS.find((f) => f.path === "processing.reservedConcurrency.start")?.modes).toEqual(["prod-reserved"]);
    expect(FIELDS.find((f) => f.path === "tenants[].id")?.modes).toEqual([]);
  });
  it("every field of the schema is set by at least one mode", () => {
    const covered = new Set([...SET_BY.values()].flatMap((s) => [...s]));
    expect(FIELDS.map((f) => f.path).filter((p) => !covered.has(p))).toEqual([]);
  });
  it("every mode a declaration names exists and sets that field", () => {
    const wrong = FIELDS.flatMap((f) =>
      f.modes
        .filter((m) => !SET_BY.get(m as ModeName)?.has(f.path))
        .map((m) => `${f.path} names ${m}, which ${m in CONFIG_MODES ? "does not set it" : "is no mode"}`),
    );
    expect(wrong).toEqual([]);
  });
  it("every mode besides the committed files is named by the declaration of a field it sets", () => {
    const named = new Set(FIELDS.flatMap((f) => f.modes));
    expect(MODE_NAMES.filter((m) => Object.keys(CONFIG_MODES[m].override).length > 0 && !named.has(m))).toEqual([]);
  });
  it("the plan fixture's `modes` target plans two modes of the matrix, as declared", () => {
    // dev in prod's account: the shared-account configuration the environment simulation reads (plan-targets.ts).
    expect(PLAN_TARGETS.modes.environments).toEqual({
      prod: modeTopLevel("prod-new-vpc-hardened"),
      dev: { ...modeTopLevel("dev-existing-vpc"), accountId: SHARED_ACCOUNT },
    });
  });
});

describe.each(MODE_ROWS)("mode %s (from config/%s.json)", (mode) => {
  const m = synthMode(mode);
  it("synthesizes with zero rule pack violations (application and bootstrap stacks)", () => {
    expect(m.ruleErrors).toEqual([]);
  });
  it("has no hidden creation order in either stack", () => {
    expect(formatFindings(analyzeStack(m.app))).toBe("");
    expect(formatFindings(analyzeStack(m.bootstrap))).toBe("");
  });
  it("boundary derivation: every resource type maps to an apply service; every role carries the boundary, which allows every service its policies use", () => {
    for (const t of Object.keys(m.app.resource).filter((x) => !TERRAFORM_BUILTIN_TYPES.has(x))) expect(APP_SERVICES).toContain(serviceOfResourceType(t));
    const boundary = `arn:aws:iam::${m.config.accountId}:policy/${m.config.namePrefix}-delivery-boundary`;
    for (const r of Object.values<any>(m.app.resource.aws_iam_role)) expect([r.name, r.permissions_boundary]).toEqual([r.name, boundary]);
    const allowed = new Set<string>([...APP_SERVICES, ...WORKLOAD_SERVICES]);
    const policies = [...Object.values<any>(m.app.resource.aws_iam_role_policy ?? {}), ...Object.values<any>(m.app.resource.aws_iam_policy ?? {})];
    for (const p of policies)
      for (const st of JSON.parse(p.policy).Statement.filter((x: any) => x.Effect === "Allow"))
        for (const a of [st.Action].flat()) expect([a, allowed.has(a.split(":")[0])]).toEqual([a, true]);
  });
});

describe("the matrix as a whole", () => {
  it("together synthesizes every resource type the apply services are derived from", () => {
    const services = new Set(
      MODE_NAMES.flatMap((mode) =>
        Object.keys(synthMode(mode).app.resource)
          .filter((x) => !TERRAFORM_BUILTIN_TYPES.has(x))
          .map(serviceOfResourceType),
      ),
    );
    expect([...services].sort()).toEqual(APP_SERVICES);
  });
  it("prod-people's call categories go into the analyze package (its code hash differs from prod's)", () => {
    const analyzeHash = (mode: ModeName) =>
      Object.values<any>(synthMode(mode).app.resource.aws_lambda_function).find((f) => /-analyze$/.test(f.function_name))?.source_code_hash;
    expect(modeInput("prod-people").tenants?.some((t) => Array.isArray(t.categories) && t.categories.length > 0)).toBe(true);
    expect(analyzeHash("prod-people")).toEqual(expect.any(String));
    expect(analyzeHash("prod-people")).not.toBe(analyzeHash("prod"));
  });
  it("docs/configuration.md lists every mode (section Modes)", () => {
    const docs = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "configuration.md"), "utf8");
    const section = docs.slice(docs.indexOf("## Modes"));
    for (const [name, mode] of Object.entries(CONFIG_MODES)) expect(section).toContain(`| \`${name}\` | ${mode.base} | ${mode.purpose} |`);
    const listed = [...section.matchAll(/^\| `([a-z-]+)` \| (?:dev|prod) \|/gm)].map((x) => x[1]);
    expect(listed).toEqual(MODE_NAMES);
  });
});
