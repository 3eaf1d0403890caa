/**
 * Every resource an apply creates is creatable by the principal that applies it, in every configuration mode
 * (issue 20): each synthesized resource's create, read, update and delete requests (modules/bootstrap/resource-actions.ts)
 * simulated against the environment's apply role policy and the permission boundary of the bootstrap stack
 * synthesized from the same configuration; then the stack's own roles at the moment a service checks them.
 */
import { TERRAFORM_BUILTIN_TYPES } from "../../modules/bootstrap/apply-access";
import { type ArnParts, RESOURCE_ACTIONS } from "../../modules/bootstrap/resource-actions";
import { MODE_NAMES, type ModeName } from "../../modules/config/modes";
import { MODE_ROWS, synthMode } from "../helpers/modes";
import {
  type ApplyRequest,
  applyPrincipal,
  applyRequests,
  arnParts,
  attributeReader,
  boundaryPolicy,
  distinctSimulations,
  resourcesOf,
  undeniable,
} from "./creatability";
import { actionFacts, type Policy, simulate } from "./iam";

const at = (c: ArnParts, resource: string, service = "ec2") => `arn:${c.partition}:${service}:${c.region}:${c.account}:${resource}`;

const boundaryArnOf = (mode: ModeName) => {
  const c = synthMode(mode).config;
  return `arn:aws:iam::${c.accountId}:policy/${c.namePrefix}-delivery-boundary`;
};
let simulated = 0;
afterAll(() => {
  console.log(`creatability: ${simulated} apply requests over ${MODE_NAMES.length} modes, ${distinctSimulations()} distinct simulations`);
});

describe("the resource-action table", () => {
  it("has a row for every resource type any mode synthesizes (application and bootstrap stacks)", () => {
    const types = new Set(MODE_NAMES.flatMap((m) => [...resourcesOf(synthMode(m).app), ...resourcesOf(synthMode(m).bootstrap)].map((r) => r.type)));
    expect([...types].filter((t) => !RESOURCE_ACTIONS[t] && !TERRAFORM_BUILTIN_TYPES.has(t))).toEqual([]);
  });
  it("names only actions of the Service Authorization Reference", async () => {
    const unknown: string[] = [];
    for (const [type, row] of Object.entries(RESOURCE_ACTIONS))
      for (const a of [...row.create, ...row.read, ...(row.update ?? []), ...row.delete]) await actionFacts(a).catch(() => unknown.push(`${type}: ${a}`));
    expect(unknown).toEqual([]);
  });
});

describe.each(MODE_ROWS)("mode %s (%s): the apply role may create, read, update and delete every resource", (mode) => {
  it("through its policy and the permission boundary", async () => {
    const m = synthMode(mode);
    const { problems, simulated: n } = await undeniable(applyPrincipal(m), applyRequests(m, boundaryArnOf(mode)));
    simulated += n;
    expect(problems).toEqual([]);
  }, 60_000);
});

describe("a planted B1 (ec2 removed from the boundary) fails, naming the resource, the action and the mode", () => {
  it.each(["dev-new-vpc", "dev-existing-vpc"] as const)("%s", async (mode) => {
    const m = synthMode(mode);
    const boundary = boundaryPolicy(m);
    const planted = {
      ...boundary,
      Statement: boundary.Statement.map((s: any) => (s.Sid === "AllowAppServices" ? { ...s, Action: s.Action.filter((a: string) => a !== "ec2:*") } : s)),
    };
    expect(JSON.stringify(planted)).not.toEqual(JSON.stringify(boundary));
    const requests = applyRequests(m, boundaryArnOf(mode)).filter((q: ApplyRequest) => q.action.startsWith("ec2:") || q.action === "lambda:CreateFunction");
    const { problems } = await undeniable(applyPrincipal(m, planted), requests);
    const sg = resourcesOf(m.app).find((r) => r.type === "aws_security_group");
    expect(problems).toContainEqual(
      expect.stringMatching(
        new RegExp(`^mode ${mode}: aws_security_group\\.${sg?.id} create needs ec2:CreateSecurityGroup on .*: ImplicitlyDenied by the permission boundary$`),
      ),
    );
    expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^mode ${mode}: aws_lambda_function\\.\\S+ create needs ec2:DescribeSubnets on \\*`)));
  });
});

describe("B2: the apply role attaches people's policies to exactly the configured roles, nothing else (mode prod-people)", () => {
  const role = (name: string) => `arn:aws:iam::111122223333:role/${name}`;
  const policyArn = (name: string) => `arn:aws:iam::111122223333:policy/cci-lite-prod-${name}`;
  const attach = async (mode: ModeName, roleArn: string, policy: string) => {
    const p = applyPrincipal(synthMode(mode));
    return simulate({
      principal: p.arn,
      action: "iam:AttachRolePolicy",
      resource: roleArn,
      identity: p.identity,
      boundary: p.boundary,
      context: { "iam:PolicyARN": policy },
    });
  };
  it("allows each people policy on its configured roles (a role path included)", async () => {
    expect(await attach("prod-people", role("team/cci-analysts"), policyArn("analyst"))).toBe("Allowed");
    expect(await attach("prod-people", role("cci-operators"), policyArn("operator"))).toBe("Allowed");
    expect(await attach("prod-people", role("cci-recording-export"), policyArn("uploader"))).toBe("Allowed");
    expect(await attach("prod-people", role("demo-uploader"), policyArn("demo-tenant-uploader"))).toBe("Allowed");
  });
  it("denies another group's policy, another policy, another role, and any attachment where no people are configured", async () => {
    expect(await attach("prod-people", role("team/cci-analysts"), policyArn("operator"))).toBe("ImplicitlyDenied");
    expect(await attach("prod-people", role("demo-uploader"), policyArn("uploader"))).toBe("ImplicitlyDenied");
    expect(await attach("prod-people", role("cci-operators"), "arn:aws:iam::aws:policy/AdministratorAccess")).toBe("ImplicitlyDenied");
    expect(await attach("prod-people", role("Admin"), policyArn("analyst"))).toBe("ImplicitlyDenied");
    expect(await attach("prod", role("cci-operators"), policyArn("operator"))).toBe("ImplicitlyDenied");
  });
});

describe.each(MODE_ROWS)("mode %s (%s): the stack's own roles and policies pass the checks services make when the resources are created", (mode) => {
  const m = synthMode(mode);
  const c = arnParts(m);
  const all = resourcesOf(m.app);
  const read = (config: Record<string, any>) => attributeReader(m.app, c, config);
  const target = (ref: string) => /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\./.exec(ref)?.slice(1, 3).join(".");

  it("Lambda CreateFunction in a VPC: each execution role may create, describe and delete network interfaces (its policies and the boundary)", async () => {
    const fns = all.filter((r) => r.type === "aws_lambda_function");
    const inVpc = fns.filter((f) => f.config.vpc_config);
    expect(inVpc.length).toBe(m.config.network.mode === "off" ? 0 : fns.length);
    const denied: string[] = [];
    for (const f of inVpc) {
      const roleArn = read(f.config)("role") as string;
      const roleName = roleArn.split("/").pop();
      const identity = all
        .filter((r) => r.type === "aws_iam_role_policy" && read(r.config)("role") === roleName)
        .map((r) => JSON.parse(r.config.policy) as Policy);
      for (const [action, resource] of [
        ["ec2:CreateNetworkInterface", at(c, "network-interface/*")],
        ["ec2:DescribeNetworkInterfaces", "*"],
        ["ec2:DeleteNetworkInterface", at(c, "network-interface/*")],
      ]) {
        const d = await simulate({ principal: roleArn, action, resource, identity, boundary: boundaryPolicy(m), allowWildcard: true });
        if (d !== "Allowed") denied.push(`mode ${mode}: ${f.address} CreateFunction: its role ${roleName} needs ${action}: ${d}`);
      }
    }
    expect(denied).toEqual([]);
  });

  it("S3 → SQS: each notified queue admits S3 for that bucket, and the queue's key lets S3 encrypt and decrypt for that queue", async () => {
    const notifications = all.filter((r) => r.type === "aws_s3_bucket_notification");
    expect(notifications.length).toBeGreaterThan(0);
    for (const n of notifications) {
      const bucketArn = `arn:aws:s3:::${read(n.config)("bucket")}`;
      for (const q of n.config.queue as { queue_arn: string }[]) {
        const queue = target(q.queue_arn) as string;
        const queueArn = read(q)("queue_arn") as string;
        const queuePolicy = all.find((r) => r.type === "aws_sqs_queue_policy" && target(r.config.queue_url) === queue);
        const send = {
          principal: "s3.amazonaws.com",
          action: "sqs:SendMessage",
          resource: queueArn,
          resourcePolicy: JSON.parse(queuePolicy?.config.policy ?? "{}"),
        };
        expect(await simulate({ ...send, context: { "aws:SourceArn": bucketArn, "aws:SourceAccount": c.account } })).toBe("Allowed");
        const keyRef = all.find((r) => r.address === queue)?.config.kms_master_key_id as string;
        const key = all.find((r) => r.address === target(keyRef));
        for (const action of ["kms:GenerateDataKey", "kms:Decrypt"])
          expect([
            action,
            await simulate({
              principal: "s3.amazonaws.com",
              action,
              resource: at(c, "key/00000000-0000-0000-0000-000000000000", "kms"),
              resourcePolicy: JSON.parse(key?.config.policy),
              context: { "kms:EncryptionContext:aws:sqs:arn": queueArn },
            }),
          ]).toEqual([action, "Allowed"]);
      }
    }
  });
});
