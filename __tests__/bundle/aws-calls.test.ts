/**
 * The table of AWS calls (lambda-src/contracts/aws-calls.ts) against the code, and the budget rule of the size
 * floor built from it (modules/constructs/bundle-floor.ts).
 */
import * as os from "node:os";
import * as path from "node:path";
import * as fs from "node:fs";
import type { Metafile } from "esbuild";
import { AWS_CALLS } from "../../lambda-src/contracts/aws-calls";
import { HANDLER_NAMES, type HandlerName } from "../../lambda-src/contracts/handlers";
import { BUNDLE_BUDGET_BYTES, bundleBudget, bundleFloors, floorEntrySource, type FloorBundle } from "../../modules/constructs/bundle-floor";
import { budgetTable, compositionTable, packageOf } from "../../modules/constructs/bundle-report";
import { bundleHandlers, type BundleResult } from "../../modules/constructs/bundling";

/** `<client>:<Command>` for every SDK command module in a bundle. */
function commandsIn(metafile: Metafile): string[] {
  const inputs = Object.keys(Object.values(metafile.outputs)[0].inputs);
  const out = new Set<string>();
  for (const i of inputs) {
    const m = /client-([a-z0-9-]+?)(?:-[0-9a-f]{12})?\/dist-es\/commands\/(\w+)Command\.js$/.exec(i);
    if (m) out.add(`${m[1]}:${m[2]}`);
  }
  return [...out].sort();
}
/** Commands a client sends by itself: S3's CreateSession (S3 Express session auth), bundled with any S3 client. */
const CLIENT_INTERNAL: Record<string, string[]> = { s3: ["CreateSession"] };
const declared = (h: HandlerName): string[] => {
  const own = AWS_CALLS[h].map((c) => `${c.client}:${c.command}`);
  const internal = AWS_CALLS[h].flatMap((c) => (CLIENT_INTERNAL[c.client] ?? []).map((cmd) => `${c.client}:${cmd}`));
  return [...new Set([...own, ...internal])].sort();
};

let tmp: string;
let built: Record<HandlerName, BundleResult>;
let floors: Record<HandlerName, FloorBundle>;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cci-aws-calls-"));
  built = bundleHandlers({ outDir: path.join(tmp, "bundles") });
  floors = bundleFloors(path.join(tmp, "floors"));
}, 90_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.each(HANDLER_NAMES)("%s", (name) => {
  it("sends exactly the commands the table declares (the bundle holds no other command, and each declared one)", () => {
    expect(commandsIn(built[name].metafile)).toEqual(declared(name));
  });

  it("has a floor bundle holding the same commands, the logger and the metrics, and none of our code", () => {
    expect(commandsIn(floors[name].metafile)).toEqual(declared(name));
    const packages = new Set(Object.keys(Object.values(floors[name].metafile.outputs)[0].inputs).map(packageOf));
    expect(packages.has("@aws-lambda-powertools/logger")).toBe(true);
    expect(packages.has("@aws-lambda-powertools/metrics")).toBe(true);
    expect(packages.has("lambda-src (ours)")).toBe(false);
    expect(floors[name].bytes).toBeLessThan(built[name].bytes);
  });

  it("declares IAM actions of the call's service for every call", () => {
    for (const c of AWS_CALLS[name]) {
      expect(c.actions.length).toBeGreaterThan(0);
      const service = c.client === "bedrock-runtime" ? "bedrock" : c.client;
      expect(c.actions.some((a) => a.startsWith(`${service}:`))).toBe(true);
    }
  });
});

describe("the budget rule", () => {
  it("is 300 KB while the floor leaves 10 % under it, the floor + 10 % above that", () => {
    expect(bundleBudget(200_000)).toBe(BUNDLE_BUDGET_BYTES);
    expect(bundleBudget(272_727)).toBe(BUNDLE_BUDGET_BYTES);
    expect(bundleBudget(280_000)).toBe(308_000);
    expect(bundleBudget(323_519)).toBe(355_871);
  });

  it("prints OVER for a bundle above its budget and the rule that set it", () => {
    const [, , ok, over] = budgetTable([
      { name: "start", bytes: 299_000, floorBytes: 200_000 },
      { name: "analyze", bytes: 360_000, floorBytes: 320_000 },
    ]);
    expect(ok).toMatch(/\| start \| 299000 \| 200000 \| .* \| 300000 \(300 KB target\) \| 1000 \| ok \|/);
    expect(over).toMatch(/\| analyze \| 360000 \| 320000 \| 352000 \| 352000 \(floor \+ 10 %\) \| -8000 \| OVER \|/);
  });

  it("the composition table accounts for every byte of each bundle's inputs", () => {
    const rows = compositionTable(
      HANDLER_NAMES.map((n) => ({ name: n, metafile: built[n].metafile, floor: floors[n].metafile })),
      0,
    );
    HANDLER_NAMES.forEach((n, i) => {
      const total = rows.slice(2).reduce((a, r) => a + Number(r.split("|")[i + 2].trim()), 0);
      const inputs = Object.values(Object.values(built[n].metafile.outputs)[0].inputs).reduce((a, v) => a + v.bytesInOutput, 0);
      expect(total).toBe(inputs);
    });
  });

  it("the floor entry names only SDK clients and Powertools", () => {
    for (const n of HANDLER_NAMES) {
      const froms = [...floorEntrySource(n).matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
      expect(froms.every((f) => f.startsWith("@aws-sdk/client-") || f.startsWith("@aws-lambda-powertools/"))).toBe(true);
    }
  });
});
