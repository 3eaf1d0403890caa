/**
 * The policy documents of the real offline plan (`terraform show -json` of the default configuration), for the IAM
 * simulation suites. Names, ARNs and the simulated key ARNs are shared here.
 *
 * A policy that names the customer key by its ARN (the bucket and input access point upload denies) is unknown in
 * a first plan, because the key does not exist yet; for those the synthesized template Terraform planned from is
 * read instead, with the key's ARN reference replaced by the simulated key ARN of its stack. Any other unknown part
 * fails the lookup.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { plannedResources, type LoadedPlan } from "../helpers/offline-plan";
import type { CciLiteConfig } from "../../modules/config/schema";
import { ACCOUNT, type Policy } from "./iam";
import { SSE } from "./service-case";
import { type ServiceWorld, simulatedKeys, worldOf } from "./service-world";

export const REGION = "eu-central-1";
export const INPUT = `arn:aws:s3:::cci-lite-prod-input-${ACCOUNT}-${REGION}`;
export const RESULTS = `arn:aws:s3:::cci-lite-prod-results-${ACCOUNT}-${REGION}`;
export const STATE = `arn:aws:s3:::cci-lite-tfstate-${ACCOUNT}-${REGION}`;
/** The application key as AWS will name it after apply (any key id: the plan cannot know it). */
export const KEY = simulatedKeys("aws", REGION, ACCOUNT).app;
/** The Terraform state key (bootstrap stack). */
export const STATE_KEY = simulatedKeys("aws", REGION, ACCOUNT).bootstrap;
export const STATE_KEY_ALIAS_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:alias/cci-lite-tfstate`;
export const role = (name: string): string => `arn:aws:iam::${ACCOUNT}:role/${name}`;
export const AP = (name: string): string => `arn:aws:s3:${REGION}:${ACCOUNT}:accesspoint/${name}`;

/** What the pipeline's functions, Transcribe and Athena send: aws:kms with the key ARN. */
export const KMS_CTX = SSE(KEY);
/** What Terraform's S3 backend sends for state and lock objects: aws:kms with `kms_key_id`, the state alias ARN. */
export const STATE_KMS_CTX = SSE(STATE_KEY_ALIAS_ARN);

const KEY_ARN_REF = /\$\{aws_kms_key\.([A-Za-z0-9_-]+)\.arn\}/g;

/** The stack's simulated key ARN for its one `aws_kms_key`. */
function keyArnOf(plan: LoadedPlan): string {
  return plan.name.startsWith("bootstrap") ? STATE_KEY : KEY;
}

/** A policy attribute of a planned resource as Terraform will send it (see the file comment for unknown ones). */
export function plannedPolicy(plan: LoadedPlan, address: string, attr = "policy"): Policy {
  const rc = plannedResources(plan, address.split(".")[0]).find((r) => r.address === address);
  if (!rc) throw new Error(`no planned resource ${address}`);
  if (rc.afterUnknown?.[attr] !== true) return JSON.parse(rc.after[attr]);
  const [type, name] = address.split(".");
  const synthesized = JSON.parse(fs.readFileSync(path.join(plan.workDir, "cdk.tf.json"), "utf8"));
  const template: string = synthesized.resource[type][name][attr];
  const keys = plannedResources(plan, "aws_kms_key");
  if (keys.length !== 1) throw new Error(`expected one aws_kms_key in ${plan.name}, found ${keys.length}`);
  const keyName = keys[0].address.split(".")[1];
  const resolved = template.replace(KEY_ARN_REF, (ref, n) => {
    if (n !== keyName) throw new Error(`${address}.${attr} names another key: ${ref}`);
    return keyArnOf(plan);
  });
  if (resolved.includes("${")) throw new Error(`${address}.${attr} is unknown at plan for another reason than the key ARN: ${template}`);
  return JSON.parse(resolved);
}

/** Whether the attribute is unknown at plan only because it names the stack's key ARN. */
export function unknownOnlyByKeyArn(plan: LoadedPlan, address: string, attr = "policy"): boolean {
  const [type, name] = address.split(".");
  const synthesized = JSON.parse(fs.readFileSync(path.join(plan.workDir, "cdk.tf.json"), "utf8"));
  const template: string = synthesized.resource[type][name][attr];
  return new RegExp(KEY_ARN_REF.source).test(template) && !template.replace(KEY_ARN_REF, "").includes("${");
}

/** The one planned resource of `type` whose address contains `addressPart`, as a policy document. */
export function one(plan: LoadedPlan, type: string, addressPart: string, attr = "policy"): Policy {
  const found = plannedResources(plan, type).filter((r) => r.address.includes(addressPart));
  if (found.length !== 1) throw new Error(`expected one ${type} matching ${addressPart}, found ${found.length}`);
  return plannedPolicy(plan, found[0].address, attr);
}

/**
 * A policy string of a synthesized (in-process) stack with the key's ARN reference replaced by {@link KEY}: for
 * configurations the offline plan does not cover (toggles on, QuickSight explicitly on). `references` replaces
 * other references by the value AWS will give them (the S3 endpoint's id under private networking).
 */
export function synthesizedPolicy(policyJson: string, references: Record<string, string> = {}): Policy {
  let resolved = policyJson.replace(KEY_ARN_REF, KEY);
  for (const [ref, value] of Object.entries(references)) resolved = resolved.split(ref).join(value);
  if (resolved.includes("${")) throw new Error(`synthesized policy has unresolved references: ${policyJson}`);
  return JSON.parse(resolved);
}

/**
 * The service-request cases' view (service-world.ts) of the real plan of `cfg` (service-requests.test.ts): policies
 * as Terraform will send them ({@link one}), attributes only apply knows as `(known after apply)`.
 */
export function planWorld(app: LoadedPlan, boot: LoadedPlan, cfg: CciLiteConfig): ServiceWorld {
  return worldOf({
    name: `${cfg.environment} plan`,
    config: cfg,
    resources: (type) =>
      plannedResources(app, type).map((r) => ({
        ...r.after,
        ...Object.fromEntries(
          Object.keys(r.afterUnknown ?? {})
            .filter((k) => r.afterUnknown[k] === true)
            .map((k) => [k, "(known after apply)"]),
        ),
      })),
    policy: (stack, type, idPart, attr) => one(stack === "app" ? app : boot, type, idPart, attr),
  });
}
