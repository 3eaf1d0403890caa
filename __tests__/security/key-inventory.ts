/**
 * Who may use a customer key (docs/security.md, "Who may use the customer key"): every principal a key policy names,
 * and how, against the documented list derived from the configuration. Used on the prod plan
 * (service-requests.test.ts) and in every mode of the matrix (mode-service-requests.test.ts).
 */
import { HANDLER_NAMES } from "../../lambda-src/contracts/handlers";
import { partitionOf } from "../../modules/config/aws-facts";
import { naming } from "../../modules/config/naming";
import type { CciLiteConfig } from "../../modules/config/schema";
import { tenantNames } from "../../modules/tenants";
import type { Policy } from "./iam";

export interface Inventory {
  /** `AWS` principals of every statement. */
  aws: string[];
  /** `aws:PrincipalArn` values the use statements accept. */
  principalArns: string[];
  /** Service principals, each with the actions and context it is limited to. */
  services: string[];
}
const CRYPTO = /^kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey|Sign|Verify|GenerateMac|VerifyMac|DeriveSharedSecret)/;

/**
 * Every principal the key policy of `account` names, and how. Fails (jest `expect`) on a statement that is not an
 * Allow, names `*` as the principal, lets the account root use the key without an `aws:PrincipalArn` list, or names
 * `*` (QuickSight's service role) without that list and this account.
 */
export function inventory(doc: Policy, account: string): Inventory {
  const out: Inventory = { aws: [], principalArns: [], services: [] };
  for (const st of doc.Statement) {
    expect(st.Effect).toBe("Allow");
    expect(st.Principal).not.toBe("*");
    const aws = [st.Principal?.AWS ?? []].flat() as string[];
    const services = [st.Principal?.Service ?? []].flat() as string[];
    out.aws.push(...aws);
    for (const s of services) out.services.push(`${s} ${[st.Action].flat().join(",")} ${JSON.stringify(st.Condition ?? {})}`);
    const arns = Object.values<Record<string, unknown>>(st.Condition ?? {}).flatMap((block) => [block["aws:PrincipalArn"] ?? []].flat() as string[]);
    out.principalArns.push(...arns);
    // The account root is named twice: administration (no cryptographic action at all) and use (only for the
    // principals its aws:PrincipalArn condition lists). A root statement that could encrypt or decrypt without that
    // list would let any IAM principal with an identity policy use the key. "*" (QuickSight's service role) is
    // allowed only with an aws:PrincipalArn list and this account.
    const crypto = [st.Action].flat().filter((a: string) => CRYPTO.test(a) || a === "kms:*" || a === "*");
    if (aws.some((a) => a.endsWith(":root")) && crypto.length) expect([st.Sid, arns.length > 0]).toEqual([st.Sid, true]);
    if (aws.includes("*")) expect([st.Sid, arns.length > 0, st.Condition?.StringEquals?.["aws:PrincipalAccount"]]).toEqual([st.Sid, true, account]);
  }
  return { aws: [...new Set(out.aws)].sort(), principalArns: [...new Set(out.principalArns)].sort(), services: out.services.sort() };
}

/** The documented list of the application key (docs/security.md, "Who may use the customer key"), from the configuration. */
export function expectedInventory(cfg: CciLiteConfig): Inventory {
  const n = naming(cfg);
  const stem = n.stem;
  const { region, accountId } = cfg;
  const p = partitionOf(region);
  const role = (name: string) => `arn:${p}:iam::${accountId}:role/${name}`;
  const ec = (key: string, values: string[]) => JSON.stringify({ StringEquals: { [`kms:EncryptionContext:${key}`]: values.sort() } });
  const principalArns = [
    ...HANDLER_NAMES.map((h) => role(`${stem}-${h}-fn`)),
    role(n.transcribeRoleName),
    ...cfg.tenants.map((t) => tenantNames(cfg, n, t.id).roleArn),
    ...(cfg.glueCrawler.enabled ? [role(n.roleName("glue-crawler"))] : []),
    ...cfg.access.uploaders,
    ...cfg.access.operators,
    ...cfg.access.analysts,
    ...cfg.access.transcriptReaders.flatMap((r) => r.principals),
    ...cfg.tenants.flatMap((t) => t.uploaderPrincipals),
  ];
  const topic = `arn:${p}:sns:${region}:${accountId}:${n.alarmTopic}`;
  const trail = `arn:${p}:cloudtrail:${region}:${accountId}:trail/${stem}-trail`;
  const services = [
    `logs.${region}.amazonaws.com kms:Encrypt*,kms:Decrypt*,kms:ReEncrypt*,kms:GenerateDataKey*,kms:Describe* ${JSON.stringify({ ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${p}:logs:${region}:${accountId}:log-group:/aws/lambda/${stem}-*` } })}`,
    `s3.amazonaws.com kms:GenerateDataKey*,kms:Decrypt ${ec("aws:sqs:arn", [`arn:${p}:sqs:${region}:${accountId}:${stem}-intake`])}`,
    `cloudwatch.amazonaws.com kms:GenerateDataKey*,kms:Decrypt ${ec("aws:sns:topicArn", [topic])}`,
    `budgets.amazonaws.com kms:GenerateDataKey*,kms:Decrypt ${ec("aws:sns:topicArn", [topic])}`,
    `events.amazonaws.com kms:GenerateDataKey*,kms:Decrypt ${ec("aws:sqs:arn", [`arn:${p}:sqs:${region}:${accountId}:${stem}-events-dlq`])}`,
    ...(cfg.guardduty.enabled ? [`events.amazonaws.com kms:GenerateDataKey*,kms:Decrypt ${ec("aws:sns:topicArn", [topic])}`] : []),
    ...(cfg.cloudtrail.enabled
      ? [
          `cloudtrail.amazonaws.com kms:DescribeKey ${JSON.stringify({ StringEquals: { "aws:SourceArn": trail } })}`,
          `cloudtrail.amazonaws.com kms:GenerateDataKey* ${JSON.stringify({ StringEquals: { "aws:SourceArn": trail }, StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${p}:cloudtrail:*:${accountId}:trail/*` } })}`,
        ]
      : []),
  ];
  // QuickSight's service role: any principal ("*") whose ARN is exactly the role's, in this account.
  const quicksight = cfg.quicksight.enabled ? [role(cfg.quicksight.serviceRoleName)] : [];
  const aws = [`arn:${p}:iam::${accountId}:root`, ...(quicksight.length ? ["*"] : [])];
  return { aws: aws.sort(), principalArns: [...new Set([...principalArns, ...quicksight])].sort(), services: services.sort() };
}
