/**
 * `npm run doctor`: do the principals the configuration names exist? IAM roles and users of this account (GetRole,
 * GetUser: `NoSuchEntity` -> missing) and QuickSight users and groups (DescribeUser, DescribeGroup in the identity
 * region: `ResourceNotFoundException` -> missing). A people policy attaches only to an existing role (B2, issue 20),
 * and a missing QuickSight group or user fails the dashboard's permissions and row-level security on apply.
 */
import { GetRoleCommand, GetUserCommand } from "@aws-sdk/client-iam";
import { DescribeGroupCommand, DescribeUserCommand } from "@aws-sdk/client-quicksight";
import type { CciLiteConfig } from "../../../modules/config/schema";
import { errorName } from "../../aws-errors";
import { type Fact, failed, fact, type PrincipalFacts } from "../facts";
import { classifyError, type DoctorClients } from "./clients";

/** Every IAM principal ARN the configuration names, with the fields that name it (`access.<group>`, `tenants[<id>].<field>`). */
export function configuredIamPrincipals(cfg: CciLiteConfig): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (arn: string, field: string) => out.set(arn, [...(out.get(arn) ?? []), field]);
  for (const [group, arns] of Object.entries(cfg.access as Record<string, unknown>)) {
    if (Array.isArray(arns)) for (const a of arns) if (typeof a === "string") add(a, `access.${group}`);
  }
  for (const t of cfg.tenants) {
    for (const a of t.readerPrincipals ?? []) add(a, `tenants[${t.id}].readerPrincipals`);
    for (const a of t.uploaderPrincipals ?? []) add(a, `tenants[${t.id}].uploaderPrincipals`);
  }
  return out;
}

/** Every QuickSight principal the configuration names: `quicksight.principalArn`, the operators group, the tenants' groups. */
export function configuredQuickSightPrincipals(cfg: CciLiteConfig): Map<string, string[]> {
  const q = cfg.quicksight;
  const region = /^arn:aws:quicksight:([a-z0-9-]+):/.exec(q.principalArn ?? "")?.[1] ?? cfg.region;
  const groupArn = (name: string) => `arn:aws:quicksight:${region}:${cfg.accountId}:group/${q.namespace}/${name}`;
  const out = new Map<string, string[]>();
  const add = (arn: string, field: string) => out.set(arn, [...(out.get(arn) ?? []), field]);
  if (q.principalArn) add(q.principalArn, "quicksight.principalArn");
  if (q.operatorsGroup) add(groupArn(q.operatorsGroup), "quicksight.operatorsGroup");
  for (const t of cfg.tenants) for (const g of t.quicksightGroups ?? []) add(groupArn(g), `tenants[${t.id}].quicksightGroups`);
  return out;
}

const isMissing = (e: unknown) => ["NoSuchEntity", "NoSuchEntityException", "ResourceNotFoundException"].includes(errorName(e));

async function probe(arn: string, fields: string[], action: string, region: string, ask: () => Promise<unknown>): Promise<Fact<PrincipalFacts>> {
  try {
    await ask();
    return fact({ arn, fields, state: "exists" });
  } catch (e) {
    if (isMissing(e)) return fact({ arn, fields, state: "missing" });
    return failed(classifyError(e, action, region));
  }
}

const all = (facts: Fact<PrincipalFacts>[]): Fact<readonly PrincipalFacts[]> => {
  const bad = facts.find((f) => !f.ok);
  return bad && !bad.ok ? failed(bad.error) : fact(facts.flatMap((f) => (f.ok ? [f.value] : [])));
};

/** GetRole / GetUser of each configured IAM principal of this account; roots and other accounts' principals are not asked. */
export async function iamPrincipalFacts(clients: DoctorClients, cfg: CciLiteConfig): Promise<Fact<readonly PrincipalFacts[]>> {
  const out = await Promise.all(
    [...configuredIamPrincipals(cfg)].map(([arn, fields]) => {
      const m = /^arn:aws:iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/.exec(arn);
      if (!m || m[1] !== cfg.accountId) return Promise.resolve(fact<PrincipalFacts>({ arn, fields, state: "not-checked" }));
      const name = m[3];
      return m[2] === "role"
        ? probe(arn, fields, "iam:GetRole", "global", () => clients.iam.send(new GetRoleCommand({ RoleName: name })))
        : probe(arn, fields, "iam:GetUser", "global", () => clients.iam.send(new GetUserCommand({ UserName: name })));
    }),
  );
  return all(out);
}

/** DescribeUser / DescribeGroup of each configured QuickSight principal, in its ARN's region (the identity region). */
export async function quicksightPrincipalFacts(clients: DoctorClients, cfg: CciLiteConfig): Promise<Fact<readonly PrincipalFacts[]>> {
  const out = await Promise.all(
    [...configuredQuickSightPrincipals(cfg)].map(([arn, fields]) => {
      const m = /^arn:aws:quicksight:([a-z0-9-]+):(\d{12}):(user|group)\/([^/]+)\/(.+)$/.exec(arn);
      if (!m || m[2] !== cfg.accountId) return Promise.resolve(fact<PrincipalFacts>({ arn, fields, state: "not-checked" }));
      const [, region, account, kind, Namespace, name] = m;
      const qs = clients.quicksight(region);
      return kind === "user"
        ? probe(arn, fields, "quicksight:DescribeUser", region, () => qs.send(new DescribeUserCommand({ AwsAccountId: account, Namespace, UserName: name })))
        : probe(arn, fields, "quicksight:DescribeGroup", region, () =>
            qs.send(new DescribeGroupCommand({ AwsAccountId: account, Namespace, GroupName: name })),
          );
    }),
  );
  return all(out);
}
