/**
 * `npm run doctor`: the SDK wiring. Every call is a read (Get/List/Describe/Head); each gatherer turns its errors
 * into a `FactError` (./clients.ts) instead of throwing, so one missing permission costs one check, not the run.
 * The gatherers: ./account.ts (the services), ./buckets.ts, ./network.ts. docs/doctor.md lists the calls and the
 * policy they need.
 */
import type { CciLiteConfig } from "../../../modules/config/schema";
import type { AccountFacts } from "../facts";
import { bedrockFacts, guardDutyFacts, lambdaFacts, oidcFacts, quicksightFacts, quicksightRoleFacts, serviceFacts } from "./account";
import { bucketFacts } from "./buckets";
import type { DoctorClients } from "./clients";
import { networkFacts } from "./network";
import { iamPrincipalFacts, quicksightPrincipalFacts } from "./principals";

/** Everything the checks need except the caller (see `callerIdentity`), gathered in parallel. */
export async function gatherFacts(clients: DoctorClients, cfg: CciLiteConfig, caller: AccountFacts["caller"]): Promise<AccountFacts> {
  const [lambda, oidc, quicksight, quicksightRoles, quicksightPrincipals, principals, bedrock, guardduty, services, buckets, network] = await Promise.all([
    lambdaFacts(clients, cfg),
    oidcFacts(clients),
    cfg.quicksight.enabled ? quicksightFacts(clients, cfg) : Promise.resolve(undefined),
    cfg.quicksight.enabled ? quicksightRoleFacts(clients, cfg) : Promise.resolve(undefined),
    cfg.quicksight.enabled ? quicksightPrincipalFacts(clients, cfg) : Promise.resolve(undefined),
    iamPrincipalFacts(clients, cfg),
    bedrockFacts(clients, cfg),
    cfg.guardduty.enabled ? guardDutyFacts(clients, cfg) : Promise.resolve(undefined),
    serviceFacts(clients, cfg),
    bucketFacts(clients, cfg),
    networkFacts(clients, cfg),
  ]);
  return {
    caller,
    lambda,
    oidc,
    quicksight,
    quicksightRoles,
    quicksightPrincipals,
    principals,
    bedrock,
    guardduty,
    services,
    buckets,
    ...(network ? { network } : {}),
  };
}
