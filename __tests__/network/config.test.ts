/**
 * The `network` configuration section (guide §12, docs/network.md): shapes, modes, and the endpoint facts it is
 * checked against (modules/config/network-facts.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../../modules/config/errors";
import { parseConfig } from "../../modules/config/load";
import { quarterOf, resolveNetwork } from "../../modules/config/network";
import { AWS_REGIONS } from "../../modules/config/aws-facts";
import { calledBy, DEFAULT_AZ_IDS, PIPELINE_SERVICES, servicesWithoutEndpoint } from "../../modules/config/network-facts";
import { AWS_CALLS } from "../../lambda-src/contracts/aws-calls";
import { ENDPOINT_AZ_HOUR_USD } from "../../modules/network/endpoint-prices";
import { BASE_CONFIG } from "../helpers/synth";

const EXISTING = { mode: "existing", vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-01234567", "subnet-89abcdef"], routeTableIds: ["rtb-01234567"] };

function problems(overrides: Record<string, unknown>): string[] {
  try {
    parseConfig({ ...BASE_CONFIG, ...overrides }, "config/prod.json");
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return [...(e as ConfigError).problems];
  }
  throw new Error("expected the configuration to be rejected");
}
const parse = (overrides: Record<string, unknown>) => parseConfig({ ...BASE_CONFIG, ...overrides }, "config/prod.json");

describe("network: modes", () => {
  it("is off by default, and off resolves to nothing", () => {
    const c = parse({});
    expect(c.network).toEqual({ mode: "off" });
    expect(resolveNetwork(c)).toEqual({ mode: "off" });
  });
  it("create: a /16 split into quarters over the region's first two zone ids by default", () => {
    expect(resolveNetwork(parse({ network: { mode: "create" } }))).toEqual({
      mode: "create",
      cidr: "10.42.0.0/16",
      privateDns: true,
      subnets: [
        { availabilityZoneId: "euc1-az1", cidr: "10.42.0.0/18" },
        { availabilityZoneId: "euc1-az2", cidr: "10.42.64.0/18" },
      ],
    });
    const three = resolveNetwork(parse({ network: { mode: "create", cidr: "10.9.8.0/24", availabilityZoneCount: 3 } }));
    expect(three.mode === "create" && three.subnets.map((s) => `${s.availabilityZoneId} ${s.cidr}`)).toEqual([
      "euc1-az1 10.9.8.0/26",
      "euc1-az2 10.9.8.64/26",
      "euc1-az3 10.9.8.128/26",
    ]);
    const chosen = resolveNetwork(parse({ network: { mode: "create", availabilityZoneIds: ["euc1-az3", "euc1-az2"] } }));
    expect(chosen.mode === "create" && chosen.subnets.map((s) => s.availabilityZoneId)).toEqual(["euc1-az3", "euc1-az2"]);
  });
  it("existing: passes the ids through", () => {
    expect(resolveNetwork(parse({ network: EXISTING }))).toEqual({ ...EXISTING, privateDns: false });
  });
  it("private DNS: on by default in a VPC of its own, off in an existing one, either way when set", () => {
    const dns = (network: object) => (resolveNetwork(parse({ network })) as { privateDns: boolean }).privateDns;
    expect([dns({ mode: "create" }), dns(EXISTING)]).toEqual([true, false]);
    expect([dns({ mode: "create", privateDns: false }), dns({ ...EXISTING, privateDns: true })]).toEqual([false, true]);
  });
  it("quarterOf splits any /16-/24 block, from its network address", () => {
    expect(quarterOf("10.0.0.0/16", 3)).toBe("10.0.192.0/18");
    expect(quarterOf("192.168.7.77/24", 1)).toBe("192.168.7.64/26");
  });
});

describe("network: errors name the field", () => {
  it.each<[string, Record<string, unknown>, string]>([
    ["an unknown mode", { mode: "public" }, "network.mode: "],
    ["a CIDR that is not one", { mode: "create", cidr: "10.0.0.0/8" }, "network.cidr: must be an IPv4 CIDR block"],
    ["one zone", { mode: "create", availabilityZoneIds: ["euc1-az1"] }, "network.availabilityZoneIds: "],
    [
      "a zone of another region",
      { mode: "create", availabilityZoneIds: ["euc1-az1", "use1-az2"] },
      "network.availabilityZoneIds[1]: use1-az2 is not a zone of eu-central-1",
    ],
    ["a zone twice", { mode: "create", availabilityZoneIds: ["euc1-az1", "euc1-az1"] }, "network.availabilityZoneIds[1]: euc1-az1 is listed twice"],
    [
      "a zone name instead of an id",
      { mode: "create", availabilityZoneIds: ["eu-central-1a", "eu-central-1b"] },
      "network.availabilityZoneIds[0]: is not an Availability Zone id",
    ],
    [
      "ids and a count",
      { mode: "create", availabilityZoneIds: ["euc1-az1", "euc1-az2"], availabilityZoneCount: 2 },
      "network.availabilityZoneCount: is not used when",
    ],
    ["a VPC id with create", { mode: "create", vpcId: "vpc-01234567" }, 'network.vpcId: is not used with mode "create"'],
    ["a bad VPC id", { ...EXISTING, vpcId: "vpc-123" }, "network.vpcId: is not a VPC id"],
    ["a bad subnet id", { ...EXISTING, subnetIds: ["subnet-01234567", "sg-01234567"] }, "network.subnetIds[1]: is not a subnet id"],
    ["one subnet", { ...EXISTING, subnetIds: ["subnet-01234567"] }, "network.subnetIds: "],
    ["a subnet twice", { ...EXISTING, subnetIds: ["subnet-01234567", "subnet-01234567"] }, "network.subnetIds: lists subnet-01234567 twice"],
    [
      "no route tables",
      { mode: "existing", vpcId: "vpc-01234567", subnetIds: ["subnet-01234567", "subnet-89abcdef"] },
      'network.routeTableIds: is required with mode "existing"',
    ],
    ["a bad route table id", { ...EXISTING, routeTableIds: ["rt-1"] }, "network.routeTableIds[0]: is not a route table id"],
    ["a CIDR with existing", { ...EXISTING, cidr: "10.0.0.0/16" }, 'network.cidr: is not used with mode "existing"'],
    [
      "settings while off",
      { mode: "off", subnetIds: ["subnet-01234567", "subnet-89abcdef"] },
      'network.subnetIds: is only used with mode "create" or "existing"',
    ],
    ["an unknown field", { mode: "create", nat: true }, "network.nat: unknown field"],
    ["privateDns without a network", { mode: "off", privateDns: false }, 'network.privateDns: is only used with mode "create" or "existing"'],
    ["privateDns not a boolean", { mode: "create", privateDns: "no" }, "network.privateDns: "],
  ])("rejects %s", (_name, network, expected) => {
    expect(problems({ network }).join("\n")).toContain(expected);
  });

  it("rejects a region without a Comprehend endpoint, naming the service and the region", () => {
    const p = problems({ region: "eu-north-1", network: { mode: "create" }, bedrock: { modelId: "eu.anthropic.claude-haiku-4-5-20251001-v1:0" } });
    expect(p).toEqual([
      expect.stringContaining(
        "network.mode: comprehend (called by analyze (DetectSentiment, BatchDetectSentiment)) has no VPC endpoint com.amazonaws.eu-north-1.comprehend in eu-north-1",
      ),
    ]);
    // Off, the same region is fine (the network facts do not judge the pipeline's region otherwise).
    expect(parse({ region: "eu-north-1" }).region).toBe("eu-north-1");
  });
  it("rejects every missing service in a region where several are missing", () => {
    const p = problems({ region: "il-central-1", network: EXISTING });
    expect(p.filter((x) => x.startsWith("network.mode:")).map((x) => x.split(" ")[1])).toEqual(["transcribe", "comprehend", "bedrock-runtime"]);
  });
  it("rejects Bedrock in another region (the endpoint is regional)", () => {
    expect(problems({ network: { mode: "create" }, bedrock: { modelId: "eu.anthropic.claude-haiku-4-5-20251001-v1:0", region: "eu-west-1" } })).toEqual([
      expect.stringMatching(/^bedrock\.region: is eu-west-1, but with network\.mode "create" .* bedrock-runtime endpoint in eu-central-1/),
    ]);
  });
});

describe("network facts", () => {
  it("has an endpoint for exactly the clients of the calls table, which are the clients lambda-src/aws/clients.ts creates", () => {
    const tabled = [...new Set(Object.values(AWS_CALLS).flatMap((calls) => calls.map((c) => c.client)))].sort();
    expect(PIPELINE_SERVICES.map((s) => s.suffix).sort()).toEqual(tabled);
    const clients = fs.readFileSync(path.join(__dirname, "..", "..", "lambda-src", "aws", "clients.ts"), "utf8");
    const used = [...clients.matchAll(/from "@aws-sdk\/client-([a-z0-9-]+)"/g)].map((m) => m[1]).sort();
    expect(used).toEqual(tabled);
    // No handler builds a client elsewhere.
    const root = path.join(__dirname, "..", "..", "lambda-src");
    const files = fs.readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    const elsewhere = files.filter((f) => f !== path.join("aws", "clients.ts") && /new [A-Za-z]+Client\(/.test(fs.readFileSync(path.join(root, f), "utf8")));
    expect(elsewhere).toEqual([]);
  });
  it("names the handlers and commands that call a service, from the calls table", () => {
    expect(calledBy("comprehend")).toBe("analyze (DetectSentiment, BatchDetectSentiment)");
    expect(calledBy("lambda")).toBe("reconcile (Invoke)");
  });
  it("has default zones and a price exactly for the regions where every endpoint exists", () => {
    const capable = AWS_REGIONS.filter((r) => servicesWithoutEndpoint(r).length === 0).sort();
    expect(Object.keys(DEFAULT_AZ_IDS).sort()).toEqual(capable);
    expect(Object.keys(ENDPOINT_AZ_HOUR_USD).sort()).toEqual(capable);
    for (const [region, zones] of Object.entries(DEFAULT_AZ_IDS)) {
      expect(zones?.length).toBeGreaterThanOrEqual(3);
      expect(new Set(zones?.map((z) => z.split("-")[0])).size).toBe(1);
      // Every capable region parses with the default create settings.
      expect(parse({ region, network: { mode: "create" } }).network.mode).toBe("create");
    }
  });
});
