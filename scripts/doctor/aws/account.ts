/**
 * `npm run doctor`: the account's services as facts: Lambda concurrency, the GitHub OIDC provider, QuickSight,
 * Bedrock model access, GuardDuty, Transcribe and Comprehend. Every call is a read (Get/List/Describe);
 * docs/doctor.md lists the calls and the policy they need.
 */
import { GetFoundationModelAvailabilityCommand, GetInferenceProfileCommand } from "@aws-sdk/client-bedrock";
import { ListSentimentDetectionJobsCommand } from "@aws-sdk/client-comprehend";
import { GetDetectorCommand, ListDetectorsCommand } from "@aws-sdk/client-guardduty";
import { GetOpenIDConnectProviderCommand, GetRoleCommand, ListOpenIDConnectProvidersCommand } from "@aws-sdk/client-iam";
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import { DescribeAccountSubscriptionCommand } from "@aws-sdk/client-quicksight";
import { ListTranscriptionJobsCommand } from "@aws-sdk/client-transcribe";
import { bedrockRegion, bedrockResourceArns, naming } from "../../../modules/config/naming";
import type { CciLiteConfig } from "../../../modules/config/schema";
import { errorName } from "../../aws-errors";
import {
  type AccountFacts,
  type BedrockFacts,
  bedrockModel,
  type Fact,
  failed,
  fact,
  GITHUB_OIDC_HOST,
  type GuardDutyFacts,
  type InferenceProfileFacts,
  type LambdaFacts,
  type ModelAvailabilityFacts,
  type OidcFacts,
  type QuickSightFacts,
  type QuickSightRoleFacts,
} from "../facts";
import { attempt, classifyError, type DoctorClients, firstLine } from "./clients";

/** The handlers whose reserved concurrency the configuration sets (modules/processor). */
const HANDLERS = ["start", "analyze", "reconcile"] as const;

export async function lambdaFacts(clients: DoctorClients, cfg: CciLiteConfig): Promise<Fact<LambdaFacts>> {
  const settings = await attempt("lambda:GetAccountSettings", cfg.region, () => clients.lambda.send(new GetAccountSettingsCommand({})));
  if (!settings.ok) return settings;
  const names = naming(cfg);
  const own: Record<string, number> = {};
  for (const h of HANDLERS) {
    try {
      const r = await clients.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: names.functionName(h) }));
      if (r.ReservedConcurrentExecutions) own[h] = r.ReservedConcurrentExecutions;
    } catch (e) {
      if (errorName(e) === "ResourceNotFoundException") continue; // not deployed yet: the usual case
      return failed(classifyError(e, "lambda:GetFunctionConcurrency", cfg.region));
    }
  }
  const limit = settings.value.AccountLimit ?? {};
  return fact({
    concurrentExecutions: limit.ConcurrentExecutions ?? 0,
    unreservedConcurrentExecutions: limit.UnreservedConcurrentExecutions ?? 0,
    ownReservations: own,
  });
}

export async function oidcFacts(clients: DoctorClients): Promise<Fact<OidcFacts>> {
  const list = await attempt("iam:ListOpenIDConnectProviders", "global", () => clients.iam.send(new ListOpenIDConnectProvidersCommand({})));
  if (!list.ok) return list;
  const providerArn = (list.value.OpenIDConnectProviderList ?? []).map((p) => p.Arn ?? "").find((arn) => arn.endsWith(`:oidc-provider/${GITHUB_OIDC_HOST}`));
  if (!providerArn) return fact({});
  const detail = await attempt("iam:GetOpenIDConnectProvider", "global", () =>
    clients.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn })),
  );
  if (!detail.ok) return detail;
  return fact({ providerArn, tags: Object.fromEntries((detail.value.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])) });
}

/**
 * QuickSight DescribeAccountSubscription. A call outside the account's identity region is answered with
 * AccessDeniedException "... your identity region is X. Please use the X endpoint."; it is asked again there.
 */
export async function quicksightFacts(clients: DoctorClients, cfg: CciLiteConfig): Promise<Fact<QuickSightFacts>> {
  const action = "quicksight:DescribeAccountSubscription";
  const ask = async (region: string) => clients.quicksight(region).send(new DescribeAccountSubscriptionCommand({ AwsAccountId: cfg.accountId }));
  let region: string = cfg.region;
  let identityRegion: string | undefined;
  for (let tries = 0; tries < 2; tries++) {
    try {
      const r = await ask(region);
      const info = r.AccountInfo ?? {};
      return fact({ subscribed: true, status: info.AccountSubscriptionStatus, edition: info.Edition, identityRegion });
    } catch (e) {
      if (errorName(e) === "ResourceNotFoundException") return fact({ subscribed: false, identityRegion });
      const redirect = /identity region is ([a-z]{2}(?:-[a-z]+)+-\d)/.exec(firstLine(e))?.[1];
      if (redirect && redirect !== region && tries === 0) {
        region = identityRegion = redirect;
        continue;
      }
      return failed(classifyError(e, action, region));
    }
  }
  return failed({ kind: "failed", action, message: "identity region redirect loop" });
}

export async function bedrockFacts(clients: DoctorClients, cfg: CciLiteConfig): Promise<BedrockFacts> {
  const region = bedrockRegion(cfg);
  const modelId = cfg.bedrock.modelId;
  const { isProfile, foundationModelId } = bedrockModel(modelId, bedrockResourceArns(cfg));
  let profile: Fact<InferenceProfileFacts> | undefined;
  if (isProfile) {
    try {
      const r = await clients.bedrock.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: modelId }));
      profile = fact({ exists: true, status: r.status });
    } catch (e) {
      profile = errorName(e) === "ResourceNotFoundException" ? fact({ exists: false }) : failed(classifyError(e, "bedrock:GetInferenceProfile", region));
    }
  }
  let availability: Fact<ModelAvailabilityFacts>;
  try {
    const r = await clients.bedrock.send(new GetFoundationModelAvailabilityCommand({ modelId: foundationModelId }));
    availability = fact({
      exists: true,
      authorizationStatus: r.authorizationStatus,
      entitlementAvailability: r.entitlementAvailability,
      agreementStatus: r.agreementAvailability?.status,
      agreementError: r.agreementAvailability?.errorMessage,
      regionAvailability: r.regionAvailability,
    });
  } catch (e) {
    availability =
      errorName(e) === "ResourceNotFoundException" ? fact({ exists: false }) : failed(classifyError(e, "bedrock:GetFoundationModelAvailability", region));
  }
  return { region, modelId, foundationModelId, isProfile, profile, availability };
}

export async function guardDutyFacts(clients: DoctorClients, cfg: CciLiteConfig): Promise<Fact<GuardDutyFacts>> {
  const list = await attempt("guardduty:ListDetectors", cfg.region, () => clients.guardduty.send(new ListDetectorsCommand({})));
  if (!list.ok) return list;
  const detectorIds = list.value.DetectorIds ?? [];
  if (detectorIds.length === 0) return fact({ detectorIds });
  const detail = await attempt("guardduty:GetDetector", cfg.region, () => clients.guardduty.send(new GetDetectorCommand({ DetectorId: detectorIds[0] })));
  if (!detail.ok) return detail;
  return fact({ detectorIds, tags: detail.value.Tags ?? {} });
}

/** One cheap read-only list call per service: proves the endpoint exists in the region and the caller may use it. */
export async function serviceFacts(clients: DoctorClients, cfg: CciLiteConfig): Promise<AccountFacts["services"]> {
  const [transcribe, comprehend] = await Promise.all([
    attempt("transcribe:ListTranscriptionJobs", cfg.region, async () => {
      await clients.transcribe.send(new ListTranscriptionJobsCommand({ MaxResults: 1 }));
      return true as const;
    }),
    attempt("comprehend:ListSentimentDetectionJobs", cfg.region, async () => {
      await clients.comprehend.send(new ListSentimentDetectionJobsCommand({ MaxResults: 1 }));
      return true as const;
    }),
  ]);
  return { transcribe, comprehend };
}

/** QuickSight's S3 and Athena role in accounts set up after 2023 (the IAM console lists it under service-role/). */
export const QUICKSIGHT_S3_CONSUMERS_ROLE = "service-role/aws-quicksight-s3-consumers-role-v0";

/** Whether a role (`path/name` or `name`) exists: IAM GetRole, NoSuchEntity -> false. */
async function roleExists(clients: DoctorClients, roleName: string): Promise<Fact<boolean>> {
  const name = roleName.slice(roleName.lastIndexOf("/") + 1);
  try {
    await clients.iam.send(new GetRoleCommand({ RoleName: name }));
    return fact(true);
  } catch (e) {
    if (errorName(e) === "NoSuchEntityException" || errorName(e) === "NoSuchEntity") return fact(false);
    return failed(classifyError(e, "iam:GetRole", "global"));
  }
}

/** IAM GetRole of the configured QuickSight service role and of the S3-consumers role. */
export async function quicksightRoleFacts(clients: DoctorClients, cfg: CciLiteConfig): Promise<Fact<QuickSightRoleFacts>> {
  const [configured, s3Consumers] = await Promise.all([roleExists(clients, cfg.quicksight.serviceRoleName), roleExists(clients, QUICKSIGHT_S3_CONSUMERS_ROLE)]);
  if (!configured.ok) return configured;
  if (!s3Consumers.ok) return s3Consumers;
  return fact({ configured: configured.value, s3Consumers: s3Consumers.value });
}
