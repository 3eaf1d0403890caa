/**
 * The people who run `cci` (docs/cli.md, Permissions): every row of modules/access/cli-permissions.ts, the one
 * table of what each command asks AWS for, is simulated as a configured principal of each group the row names,
 * against that group's synthesized managed policy and the resource policy of what the request touches (bucket
 * policy, queue policy, or the key policy with the context S3, SQS or Athena add), and must be Allowed. Operator-only
 * rows (other than key use) are denied to uploaders and analysts, and no row is allowed to an unconfigured principal. Removing a grant
 * from modules/access/index.ts fails the test named after the command and the action.
 *
 * Also checked here: every AWS action the CLI names in its calls has a row (a new call without one fails), and
 * docs/cli.md's Permissions table is the one rendered from the table.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CLI_PERMISSIONS } from "../../modules/access/cli-permissions";
import { permissionsMarkdown, placeholderPlace } from "../../modules/access/cli-permissions-doc";
import type { CliPermission, PeopleGroup, PermissionPlace } from "../../modules/access/cli-requests";
import { naming } from "../../modules/config/naming";
import { config, synthApp } from "../helpers/synth";
import { type Decision, type Policy, simulate } from "./iam";
import { KEY, REGION, role, synthesizedPolicy } from "./plan-policies";

const TENANT = "demo-tenant";
const UPLOADER = role("cci-lite-prod-uploader");
const TENANT_UPLOADER = role("demo-tenant-recorder");
const OPERATOR = role("cci-ops");
const ANALYST = role("cci-analyst");
const TRANSCRIPT_READER = role("demo-tenant-quality");
const STRANGER = role("stranger");

const overrides: Parameters<typeof synthApp>[0] = {
  access: {
    uploaders: [UPLOADER],
    operators: [OPERATOR],
    analysts: [ANALYST],
    administrators: [],
    transcriptReaders: [{ principals: [TRANSCRIPT_READER], tenants: [TENANT] }],
  },
  tenants: [{ id: TENANT, languages: ["en-US" as const], uploaderPrincipals: [TENANT_UPLOADER] }],
};
const app = synthApp(overrides);
const names = naming(config(overrides));

const place: PermissionPlace = {
  names,
  region: REGION,
  accountId: config(overrides).accountId,
  keyId: KEY.slice(KEY.lastIndexOf("/") + 1),
  tenant: TENANT,
  file: "c1.wav",
  callId: "c1",
  day: new Date(Date.UTC(2026, 10, 25)),
  jobSuffix: `${TENANT}-c1-0123456789abcdef`,
  listStart: "c1",
};

const managed = (part: string): Policy[] => [synthesizedPolicy(app.resource("aws_iam_policy", part).policy)];
/** The principals of each group, with their managed policy (both kinds of uploader). */
const MEMBERS: Record<PeopleGroup, ReadonlyArray<{ principal: string; label: string; policy: string }>> = {
  uploader: [
    { principal: UPLOADER, label: "uploader (every tenant)", policy: "people_uploaders_policy" },
    { principal: TENANT_UPLOADER, label: `uploader (${TENANT})`, policy: `people_uploaders-${TENANT}_policy` },
  ],
  operator: [{ principal: OPERATOR, label: "operator", policy: "people_operators_policy" }],
  analyst: [{ principal: ANALYST, label: "analyst", policy: "people_analysts_policy" }],
  "transcript-reader": [{ principal: TRANSCRIPT_READER, label: `transcript reader (${TENANT})`, policy: `people_transcript-readers-${TENANT}_policy` }],
};

/** The queue policy whose statements name `queueArn`. */
function queuePolicy(queueArn: string): Policy {
  const found = Object.values(app.resources("aws_sqs_queue_policy"))
    .map((r) => synthesizedPolicy(r.policy))
    .filter((p) => p.Statement.some((s) => [s.Resource].flat().includes(queueArn)));
  if (found.length !== 1) throw new Error(`expected one queue policy for ${queueArn}, found ${found.length}`);
  return found[0];
}

/** The resource policy AWS evaluates with the request: the key's, the bucket's or the queue's. */
function resourcePolicy(resource: string): Policy | undefined {
  if (resource.startsWith("arn:aws:kms:")) return synthesizedPolicy(app.resource("aws_kms_key").policy);
  if (resource.startsWith(names.inputBucketArn)) return synthesizedPolicy(app.resource("aws_s3_bucket_policy", "storage_input").policy);
  if (resource.startsWith(names.resultsBucketArn)) return synthesizedPolicy(app.resource("aws_s3_bucket_policy", "storage_results").policy);
  if (resource.startsWith("arn:aws:sqs:")) return queuePolicy(resource);
  return undefined;
}

function request(row: CliPermission, principal: string, identity: Policy[]): Promise<Decision> {
  const resource = row.resource(place);
  return simulate({
    principal,
    action: row.action,
    resource,
    identity,
    resourcePolicy: resourcePolicy(resource),
    context: (row.context?.(place) ?? {}) as Record<string, string | string[]>,
  });
}

const label = (row: CliPermission) =>
  `cci ${row.commands.join("/")}: ${row.action}${row.via === "caller" ? "" : ` (via ${row.via})`} on ${row.resource(place)}`;

describe("every cci permission is allowed to a configured principal of its group", () => {
  for (const row of CLI_PERMISSIONS) {
    for (const group of row.groups) {
      for (const m of MEMBERS[group]) {
        test(`${label(row)} as ${m.label}`, async () => {
          expect(await request(row, m.principal, managed(m.policy))).toBe("Allowed");
        });
      }
    }
  }
});

describe("operator-only permissions are denied to the other groups, and no permission to an unconfigured principal", () => {
  for (const row of CLI_PERMISSIONS) {
    const others = (["uploader", "analyst"] as const).filter((g) => !row.groups.includes(g));
    // Key rows are left out: one key encrypts everything, so which data a group can reach is decided by the S3 or
    // SQS request that comes first (checked by the other rows), not by the key request S3 or SQS then makes.
    if (row.groups.includes("operator") && others.length === 2 && !row.action.startsWith("kms:")) {
      test(`${label(row)} is denied to uploaders and analysts`, async () => {
        for (const g of others) {
          for (const m of MEMBERS[g]) expect(await request(row, m.principal, managed(m.policy))).not.toBe("Allowed");
        }
      });
    }
    test(`${label(row)} is denied to an unconfigured principal, even with the group's policy attached where a key is involved`, async () => {
      expect(await request(row, STRANGER, [])).not.toBe("Allowed");
      // A key request also needs the key policy's place: attaching the managed policy to someone else is not enough
      // (kms:DescribeKey, key metadata only, is left to IAM by the key policy's administration statement).
      if (row.action.startsWith("kms:") && row.action !== "kms:DescribeKey") {
        const m = MEMBERS[row.groups[0]][0];
        expect(await request(row, STRANGER, managed(m.policy))).not.toBe("Allowed");
      }
    });
  }
});

describe("the table is complete and documented", () => {
  const cliDir = path.join(__dirname, "..", "..", "scripts", "cli");
  const sources = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      return e.isDirectory() ? sources(p) : e.name.endsWith(".ts") ? [p] : [];
    });

  test("every AWS action the CLI names in a call has a row (sts:GetCallerIdentity needs none; UploadPart is s3:PutObject)", () => {
    const named = new Set<string>();
    for (const file of sources(cliDir)) {
      for (const m of fs.readFileSync(file, "utf8").matchAll(/(?:call|explain)\([^"]*"([a-z0-9-]+:[A-Za-z]+)"/g)) named.add(m[1]);
    }
    expect(named.size).toBeGreaterThan(10);
    const aliases: Record<string, string> = { "s3:UploadPart": "s3:PutObject" };
    const inTable = new Set(CLI_PERMISSIONS.map((r) => r.action));
    const missing = [...named].filter((a) => a !== "sts:GetCallerIdentity" && !inTable.has(aliases[a] ?? a));
    expect(missing).toEqual([]);
  });

  test("docs/cli.md's Permissions table is the one rendered from modules/access/cli-permissions.ts", () => {
    const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "cli.md"), "utf8");
    const expected = permissionsMarkdown(placeholderPlace());
    // On failure, replace the table in docs/cli.md with the expected text.
    expect(doc.includes(expected) ? expected : doc.slice(doc.indexOf("## Permissions"), doc.indexOf("## Testing"))).toBe(expected);
  });
});

describe("the insight views (docs/insights.md): analysts and operators may read their definitions, as Athena needs to query them", () => {
  const { INSIGHT_VIEWS } = jest.requireActual("../../modules/insights/views") as typeof import("../../modules/insights/views");
  const viewArn = (name: string) => `arn:aws:glue:${REGION}:${place.accountId}:table/${names.glueDatabase}/${name}`;
  const getTable = (principal: string, identity: Policy[], name: string) =>
    simulate({ principal, action: "glue:GetTable", resource: viewArn(name), identity, context: { "aws:CalledVia": ["athena.amazonaws.com"] } });

  test.each(INSIGHT_VIEWS.map((v) => [v.name] as const))("%s: allowed to analysts and operators, not to uploaders or a stranger", async (name) => {
    for (const m of [...MEMBERS.analyst, ...MEMBERS.operator])
      expect([m.label, await getTable(m.principal, managed(m.policy), name)]).toEqual([m.label, "Allowed"]);
    for (const m of MEMBERS.uploader) expect(await getTable(m.principal, managed(m.policy), name)).not.toBe("Allowed");
    expect(await getTable(STRANGER, [], name)).not.toBe("Allowed");
  });

  test("another table of the database stays out of reach", async () => {
    expect(await getTable(ANALYST, managed("people_analysts_policy"), "someone_elses_table")).not.toBe("Allowed");
  });
});

test("operators can read and stop the Logs Insights queries they may start (no resource type: *), analysts cannot", () => {
  const actions = (policy: string) =>
    managed(policy)[0]
      .Statement.filter((st: { Effect: string }) => st.Effect === "Allow")
      .flatMap((st: { Action: string | string[] }) => [st.Action].flat());
  expect(actions("people_operators_policy")).toEqual(expect.arrayContaining(["logs:StartQuery", "logs:GetQueryResults", "logs:StopQuery"]));
  expect(actions("people_analysts_policy")).not.toContain("logs:GetQueryResults");
});
