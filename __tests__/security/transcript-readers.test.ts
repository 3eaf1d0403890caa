/**
 * `access.transcriptReaders` (docs/security.md, people), simulated in both environments (config/prod.json and
 * config/dev.json): a reader of a tenant reads that tenant's transcripts under `tmp/<tenant>/` (and S3 may decrypt
 * them for it), never another tenant's; analysts and operators still cannot (their explicit deny), nor can anyone
 * unconfigured. Off by default: the committed configurations create no reader policy. The rows of the `report`
 * command (modules/access/cli-permissions.ts) are simulated with the others in people-access.test.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseConfig } from "../../modules/config/load";
import { naming } from "../../modules/config/naming";
import type { CciLiteConfigInput } from "../../modules/config/schema";
import { config, synthApp } from "../helpers/synth";
import { type Decision, type Policy, simulate } from "./iam";
import { REGION, synthesizedPolicy } from "./plan-policies";

const INPUTS: Record<"prod" | "dev", CciLiteConfigInput> = {
  prod: JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "config", "prod.json"), "utf8")),
  dev: JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "config", "dev.json"), "utf8")),
};
const OTHER = "other-tenant";

describe.each(["prod", "dev"] as const)("%s", (env) => {
  const base = INPUTS[env];
  // Each environment's own account (config/dev.json names another than prod's): its people, its key.
  const role = (name: string) => `arn:aws:iam::${base.accountId}:role/${name}`;
  const KEY = `arn:aws:kms:${REGION}:${base.accountId}:key/0b5e5a0e-0000-4000-8000-000000000000`;
  const READER = role("quality-lead");
  const OPERATOR = role("cci-ops");
  const ANALYST = role("cci-analyst");
  const STRANGER = role("stranger");
  const tenants = base.tenants ?? [];
  const tenant = tenants[0].id;
  const overrides: Partial<CciLiteConfigInput> = {
    tenants: [...tenants, { id: OTHER, languages: ["en-US" as const] }],
    access: { uploaders: [], operators: [OPERATOR], analysts: [ANALYST], administrators: [], transcriptReaders: [{ principals: [READER], tenants: [tenant] }] },
  };
  const input = { ...base, ...overrides } as CciLiteConfigInput;
  const app = synthApp(input);
  const names = naming(env === "prod" ? config(overrides) : parseConfig(input, "dev.json"));
  const policy = (id: string): Policy[] => [synthesizedPolicy(app.resource("aws_iam_policy", id).policy)];
  const members: Record<string, { principal: string; identity: Policy[] }> = {
    reader: { principal: READER, identity: policy(`people_transcript-readers-${tenant}_policy`) },
    operator: { principal: OPERATOR, identity: policy("people_operators_policy") },
    analyst: { principal: ANALYST, identity: policy("people_analysts_policy") },
    stranger: { principal: STRANGER, identity: [] },
  };
  const bucketPolicy = synthesizedPolicy(app.resource("aws_s3_bucket_policy", "storage_results").policy);
  const keyPolicy = synthesizedPolicy(app.resource("aws_kms_key").policy);
  const transcript = (t: string) => `${names.resultsBucketArn}/tmp/${t}/${names.jobNamePrefix}${t}-c1-0123456789abcdef.json`;
  const read = (who: string, resource: string): Promise<Decision> =>
    simulate({ ...members[who], action: "s3:GetObject", resource, resourcePolicy: bucketPolicy });
  const decrypt = (principal: string, identity: Policy[]): Promise<Decision> =>
    simulate({
      principal,
      identity,
      action: "kms:Decrypt",
      resource: KEY,
      resourcePolicy: keyPolicy,
      context: {
        "kms:ResourceAliases": [names.keyAlias],
        "kms:ViaService": `s3.${REGION}.amazonaws.com`,
        "kms:EncryptionContext:aws:s3:arn": names.resultsBucketArn,
      },
    });

  test(`a reader of ${tenant} reads its transcripts, and S3 decrypts them for it`, async () => {
    expect(await read("reader", transcript(tenant))).toBe("Allowed");
    expect(await decrypt(READER, members.reader.identity)).toBe("Allowed");
  });

  test("never another tenant's transcripts, nor anything else under tmp/", async () => {
    expect(await read("reader", transcript(OTHER))).not.toBe("Allowed");
    expect(await read("reader", `${names.resultsBucketArn}/tmp/${tenant}-x/job.json`)).not.toBe("Allowed");
  });

  test.each(["operator", "analyst"])("the %s still cannot read a transcript (explicitly denied)", async (who) => {
    expect(await read(who, transcript(tenant))).toBe("ExplicitlyDenied");
  });

  test("an unconfigured principal cannot, even with the reader's policy attached (the key policy does not name it)", async () => {
    expect(await read("stranger", transcript(tenant))).not.toBe("Allowed");
    expect(await decrypt(STRANGER, members.reader.identity)).not.toBe("Allowed");
  });

  test("off by default: the committed configuration creates no transcript reader policy", () => {
    const policies = Object.values(synthApp(base).resources("aws_iam_policy")).map((p) => p.name as string);
    expect(policies.filter((n) => n.endsWith("-transcript-reader"))).toEqual([]);
    expect(Object.values(app.resources("aws_iam_policy")).map((p) => p.name)).toContain(`${names.stem}-${tenant}-transcript-reader`);
  });
});

describe("configuration", () => {
  const role = (name: string) => `arn:aws:iam::${INPUTS.prod.accountId}:role/${name}`;
  const [READER, OPERATOR, ANALYST] = [role("quality-lead"), role("cci-ops"), role("cci-analyst")];
  const withReaders = (access: object) => () =>
    config({ access: { uploaders: [], operators: [OPERATOR], analysts: [ANALYST], administrators: [], ...access } });

  test.each([
    [[{ principals: [OPERATOR], tenants: ["demo-tenant"] }], /access\.transcriptReaders\[0\]\.principals\[0\]: is also in access\.operators/],
    [[{ principals: [ANALYST], tenants: ["demo-tenant"] }], /is also in access\.analysts, whose policy denies every transcript/],
    [
      [{ principals: [READER], tenants: ["nobody"] }],
      /access\.transcriptReaders\[0\]\.tenants\[0\]: "nobody" is not a configured tenant \(have: demo-tenant\)/,
    ],
    [[{ principals: [], tenants: ["demo-tenant"] }], /access\.transcriptReaders\[0\]\.principals: needs at least one role/],
    [[{ principals: [READER], tenants: [] }], /access\.transcriptReaders\[0\]\.tenants: /],
  ])("%j is refused, naming the field", (transcriptReaders, message) => {
    expect(withReaders({ transcriptReaders })).toThrow(message);
  });

  test("defaults to no readers", () => {
    expect(config().access.transcriptReaders).toEqual([]);
  });
});
