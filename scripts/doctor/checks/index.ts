/**
 * `npm run doctor`: the checks. Pure functions from plain facts about the account (../facts.ts, gathered by ../aws/)
 * and the configuration to one result each; no SDK, no I/O. One check per file in this folder (shared helpers in
 * ./shared.ts), composed here into the list the doctor runs, in the order they print. docs/doctor.md describes
 * every check, its calls and its fixes.
 */
import type { AccountFacts, Fact, FactError, NetworkFacts } from "../facts";
import { checkAccount } from "./account";
import { checkBedrock } from "./bedrock-model-access";
import { checkBucket } from "./bucket-names";
import { checkGithubOidcProvider } from "./github-oidc-provider";
import { checkGuardDuty } from "./guardduty-detector";
import { checkLambdaConcurrency } from "./lambda-concurrency";
import { checkEndpointPolicies } from "./network-endpoint-policy";
import { checkEndpointServices } from "./network-endpoint-services";
import { checkEndpointZones } from "./network-endpoint-zones";
import { checkPrivateZones } from "./network-private-zones";
import { checkPrivateDnsConflicts } from "./network-private-dns";
import { checkRouteTables } from "./network-route-tables";
import { checkSubnets } from "./network-subnets";
import { checkVpcDns } from "./network-vpc-dns";
import { checkPrincipalsExist } from "./principals-exist";
import { checkQuickSightEdition } from "./quicksight-edition";
import { checkQuickSightPrincipals } from "./quicksight-principals";
import { checkQuickSightServiceRole } from "./quicksight-service-role";
import { checkQuickSight } from "./quicksight-subscription";
import { checkServiceAvailability } from "./service-availability";
import type { GithubFacts } from "../github/facts";
import { checkGithubActionsPermissions } from "./github-actions-permissions";
import { checkGithubCodeowners } from "./github-codeowners";
import { checkGithubEnvironments } from "./github-environments";
import { checkGithubLabels } from "./github-labels";
import { checkGithubOidcSubject } from "./github-oidc-subject";
import { checkGithubRuleset } from "./github-ruleset";
import { checkGithubSecrets } from "./github-secrets";
import { checkGithubVariables } from "./github-variables";
import type { CheckContext, CheckResult, GithubCheckContext } from "./shared";

export type { CheckContext, CheckResult, GithubCheckContext, Status } from "./shared";

/** The network checks: none when `network.mode` is off; the existing-VPC checks only with `existing`. */
export function networkChecks(n: NetworkFacts | undefined, ctx: CheckContext): CheckResult[] {
  if (ctx.cfg.network.mode === "off") return [];
  if (!n) return [{ id: "network-endpoint-services", status: "skipped", message: "not gathered" }];
  const all = [checkEndpointServices(n, ctx), checkEndpointPolicies(n, ctx), checkEndpointZones(n, ctx)];
  if (ctx.cfg.network.mode !== "existing") return all;
  return [...all, checkVpcDns(n, ctx), checkSubnets(n, ctx), checkRouteTables(n, ctx), checkPrivateDnsConflicts(n, ctx), checkPrivateZones(n, ctx)];
}

/** Every check, in the order they print. A wrong account skips the rest: they would describe another account. */
export function runChecks(facts: AccountFacts, ctx: CheckContext): CheckResult[] {
  const account = checkAccount(facts.caller, ctx);
  const rest: CheckResult[] = [
    checkLambdaConcurrency(facts.lambda, ctx),
    checkGithubOidcProvider(facts.oidc, ctx),
    checkQuickSight(facts.quicksight, ctx),
    checkQuickSightEdition(facts.quicksight, ctx),
    checkQuickSightServiceRole(facts.quicksightRoles, ctx),
    checkQuickSightPrincipals(facts.quicksightPrincipals, ctx),
    checkPrincipalsExist(facts.principals, ctx),
    checkBedrock(facts.bedrock, ctx),
    checkGuardDuty(facts.guardduty, ctx),
    checkServiceAvailability(facts.services, ctx),
    ...facts.buckets.map((b) => checkBucket(b, ctx)),
    ...networkChecks(facts.network, ctx),
  ];
  if (account.status === "problem") {
    return [account, ...rest.map((r) => ({ id: r.id, status: "skipped" as const, message: "credentials are for another account" }))];
  }
  return [account, ...rest];
}

/** Every fact in the gathered facts, found by shape (`ok` true or false), so a new fact needs no list entry here. */
function factsIn(x: unknown): Fact<unknown>[] {
  if (x === null || typeof x !== "object") return [];
  if (typeof (x as { ok?: unknown }).ok === "boolean") return [x as Fact<unknown>];
  return Object.values(x).flatMap(factsIn);
}

/** Fact errors that mean the credentials themselves are unusable: the run stops with exit 2. */
export function credentialErrors(facts: AccountFacts): FactError[] {
  return factsIn(facts).flatMap((f) => (!f.ok && f.error.kind === "credentials" ? [f.error] : []));
}

/** `--github`: the repository's settings against what the github stack declares, in the order they print. */
export function runGithubChecks(f: GithubFacts, ctx: GithubCheckContext): CheckResult[] {
  return [
    checkGithubEnvironments(f.environments, ctx),
    checkGithubRuleset(f.ruleset, ctx),
    checkGithubActionsPermissions(f.actions, ctx),
    checkGithubOidcSubject(f.oidc, ctx),
    checkGithubVariables(f.variables, ctx),
    checkGithubLabels(f.labels, ctx),
    checkGithubSecrets(f.secrets, ctx),
    checkGithubCodeowners(f.codeowners, f.mainExists),
  ];
}

/** GitHub fact errors that mean the token itself is unusable (HTTP 401): the run stops with exit 2. */
export function githubCredentialErrors(f: GithubFacts): FactError[] {
  const all: Fact<unknown>[] = [
    ...Object.values(f.environments),
    f.ruleset,
    f.actions,
    f.oidc,
    ...Object.values(f.variables),
    ...Object.values(f.labels),
    ...Object.values(f.secrets.environments),
    f.secrets.repository,
    f.mainExists,
    f.codeowners,
  ];
  return all.flatMap((x) => (!x.ok && x.error.kind === "credentials" ? [x.error] : []));
}
