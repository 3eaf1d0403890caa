/**
 * One mode of the configuration matrix (modules/config/modes.ts) as the service-request cases see it
 * (mode-service-requests.test.ts): every name and ARN from the naming module (modules/config/naming.ts and the
 * bootstrap's names), and every policy from the mode's synthesized JSON (helpers/modes.ts, synthesized once per
 * process). A synthesized policy is the document the plan has, except where it names a value only apply knows, as
 * plan-policies.ts does for the plan: the stack's key ARN becomes the simulated key ARN of that stack, the S3 gateway
 * endpoint's id the simulated endpoint id of mode-calls.ts; any other reference fails the lookup.
 */
import { HANDLER_NAMES } from "../../lambda-src/contracts/handlers";
import { applyRoleName, stateNames } from "../../modules/bootstrap";
import { stateObjectKey } from "../../modules/bootstrap/environment-scope";
import { partitionOf } from "../../modules/config/aws-facts";
import { type Naming, naming } from "../../modules/config/naming";
import type { CciLiteConfig } from "../../modules/config/schema";
import { type TenantNames, tenantNames } from "../../modules/tenants/tenant-names";
import type { SynthesizedMode } from "../helpers/modes";
import type { Policy } from "./iam";
import { VPCE } from "./mode-calls";

const KEY_ARN_REF = /\$\{aws_kms_key\.([A-Za-z0-9_-]+)\.arn\}/g;
const VPCE_REF = /\$\{aws_vpc_endpoint\.[A-Za-z0-9_-]+\.id\}/g;

export interface ServiceWorld {
  /** The mode (or `prod plan`: service-requests.test.ts). */
  readonly mode: string;
  readonly cfg: CciLiteConfig;
  readonly n: Naming;
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  /** `arn:<partition>:<service>:<region>:<account>:<rest>` of this mode. */
  arn(service: string, rest: string): string;
  /** A role ARN of this mode's account. */
  role(name: string): string;
  readonly key: string;
  readonly keyAliasArn: string;
  /** `kms:ResourceAliases` of a request on the application key. */
  readonly aliasContext: Record<string, string[]>;
  readonly intake: string;
  readonly eventsDlq: string;
  readonly topic: string;
  /** The EventBridge rules whose targets dead-letter into the events DLQ. */
  readonly dlqRules: readonly string[];
  /** Every EventBridge rule of the stack, and those with the alarm topic as a target (GuardDuty findings). */
  readonly eventRules: readonly string[];
  readonly topicRules: readonly string[];
  readonly alarms: readonly string[];
  readonly budgets: readonly string[];
  readonly logGroups: readonly string[];
  readonly trail: string;
  readonly trailBucket: string;
  readonly tenants: readonly TenantNames[];
  readonly functionArns: readonly string[];
  readonly functionRoles: readonly string[];
  /** The functions that set `kms_key_arn` (Lambda would then need kms:CreateGrant from the deployer). */
  readonly functionsWithOwnKey: readonly string[];
  readonly applyRole: string;
  readonly state: { readonly bucket: string; readonly key: string; readonly aliasArn: string; readonly alias: string; readonly lock: string };
  /** The one `type` resource of the stack whose logical id contains `idPart`, its `attr` as the policy AWS will get. */
  policy(stack: "app" | "bootstrap", type: string, idPart: string, attr?: string): Policy;
  /** The apply role of this environment: its policy and the delivery permission boundary (bootstrap stack). */
  asApply(): { identity: Policy[]; boundary: Policy };
}

/**
 * Where a world's resources come from: a mode's synthesized JSON ({@link serviceWorld}) or a real plan
 * (plan-policies.ts, `planWorld`).
 */
export interface WorldSource {
  /** The mode, or what else the requests are simulated on (`prod plan`). */
  readonly name: string;
  readonly config: CciLiteConfig;
  /** Every resource of `type` in the application stack, its attributes (an attribute only apply knows is not `undefined`). */
  resources(type: string): Record<string, any>[];
  /** The one `type` resource of the stack whose logical id contains `idPart`, its `attr` as the policy AWS will get. */
  policy(stack: "app" | "bootstrap", type: string, idPart: string, attr?: string): Policy;
}

/** The simulated key ARNs of the application and bootstrap stacks (any key id: only apply knows it). */
export const simulatedKeys = (partition: string, region: string, account: string) => ({
  app: `arn:${partition}:kms:${region}:${account}:key/0b5e5a0e-0000-4000-8000-000000000000`,
  bootstrap: `arn:${partition}:kms:${region}:${account}:key/57a7e000-0000-4000-8000-000000000000`,
});

/** `r` with each attribute that is exactly a reference (`${type.id.attr}`) to a literal attribute replaced by it. */
function resolveLiterals(r: Record<string, any>, lookup: (type: string, id: string, attr: string) => unknown): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(r)) {
    const ref = typeof v === "string" ? /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/.exec(v) : null;
    const value = ref ? lookup(ref[1], ref[2], ref[3]) : undefined;
    out[k] = typeof value === "string" && !value.includes("${") ? value : v;
  }
  return out;
}

/** A mode of the matrix, from its synthesized stacks (the synthMode cache). */
export function serviceWorld(m: SynthesizedMode): ServiceWorld {
  const json = (stack: "app" | "bootstrap", type: string): Record<string, any> => (stack === "app" ? m.app : m.bootstrap).resource[type] ?? {};
  const keys = simulatedKeys(partitionOf(m.config.region), m.config.region, m.config.accountId);
  return worldOf({
    name: m.name,
    config: m.config,
    resources: (type) => Object.values(json("app", type)).map((r) => resolveLiterals(r, (t, id, a) => json("app", t)[id]?.[a])),
    policy(stack, type, idPart, attr = "policy") {
      const found = Object.entries(json(stack, type)).filter(([id]) => id.includes(idPart));
      if (found.length !== 1) throw new Error(`mode ${m.name}: expected one ${stack} ${type} matching ${idPart}, found ${found.length}`);
      const stackKeys = Object.keys(json(stack, "aws_kms_key"));
      const text = String(found[0][1][attr]).replace(KEY_ARN_REF, (ref, name) => {
        if (stackKeys.length !== 1 || name !== stackKeys[0]) throw new Error(`mode ${m.name}: ${type}.${found[0][0]}.${attr} names another key: ${ref}`);
        return keys[stack];
      });
      const resolved = text.replace(VPCE_REF, VPCE);
      if (resolved.includes("${")) throw new Error(`mode ${m.name}: ${type}.${found[0][0]}.${attr} has unresolved references: ${resolved}`);
      return JSON.parse(resolved);
    },
  });
}

/** The names and policies of a source, as the cases use them. */
export function worldOf(src: WorldSource): ServiceWorld {
  const cfg = src.config;
  const n = naming(cfg);
  const { accountId: account, region } = cfg;
  const partition = partitionOf(region);
  const arn = (service: string, rest: string) => `arn:${partition}:${service}:${region}:${account}:${rest}`;
  const role = (name: string) => `arn:${partition}:iam::${account}:role/${name}`;
  const keys = simulatedKeys(partition, region, account);
  const key = keys.app;
  const st = stateNames(cfg.namePrefix, account, region);
  const state = {
    bucket: `arn:${partition}:s3:::${st.bucket}`,
    key: keys.bootstrap,
    aliasArn: arn("kms", st.keyAlias),
    alias: st.keyAlias,
    lock: `arn:${partition}:s3:::${st.bucket}/${stateObjectKey(cfg.environment)}.tflock`,
  };
  const policy = src.policy;
  const names = (type: string, attr: string): string[] => src.resources(type).map((r) => String(r[attr]));
  const functions = src.resources("aws_lambda_function");
  return {
    mode: src.name,
    cfg,
    n,
    account,
    region,
    partition,
    arn,
    role,
    key,
    keyAliasArn: arn("kms", n.keyAlias),
    aliasContext: { "kms:ResourceAliases": [n.keyAlias] },
    intake: arn("sqs", n.intakeQueue),
    eventsDlq: arn("sqs", `${n.stem}-events-dlq`),
    topic: arn("sns", n.alarmTopic),
    dlqRules: [`${n.stem}-transcribe-job-state`, `${n.stem}-reconcile-schedule`],
    eventRules: names("aws_cloudwatch_event_rule", "name"),
    topicRules: src
      .resources("aws_cloudwatch_event_target")
      .filter((t) => t.arn === arn("sns", n.alarmTopic))
      .map((t) => String(t.rule)),
    alarms: names("aws_cloudwatch_metric_alarm", "alarm_name"),
    budgets: names("aws_budgets_budget", "name"),
    logGroups: HANDLER_NAMES.map((h) => n.logGroupName(h)),
    trail: arn("cloudtrail", `trail/${n.stem}-trail`),
    trailBucket: `arn:${partition}:s3:::${n.stem}-trail-${account}-${region}`,
    tenants: cfg.tenants.map((t) => tenantNames(cfg, n, t.id)),
    functionArns: HANDLER_NAMES.map((h) => arn("lambda", `function:${n.functionName(h)}`)),
    functionRoles: HANDLER_NAMES.map((h) => role(`${n.stem}-${h}-fn`)),
    functionsWithOwnKey: functions.filter((f) => f.kms_key_arn != null).map((f) => String(f.function_name)),
    applyRole: role(applyRoleName(cfg.namePrefix, cfg.environment)),
    state,
    policy,
    asApply: () => ({
      identity: [policy("bootstrap", "aws_iam_role_policy", `apply_${cfg.environment}_policy`)],
      boundary: policy("bootstrap", "aws_iam_policy", "apply_boundary"),
    }),
  };
}
