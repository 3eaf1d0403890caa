/**
 * `npm run doctor`: the SDK clients and how a failed call becomes a `FactError` (AccessDenied names the IAM action
 * that was denied) instead of an exception, so one missing permission costs one check, not the run.
 */
import { BedrockClient } from "@aws-sdk/client-bedrock";
import { ComprehendClient } from "@aws-sdk/client-comprehend";
import { EC2Client } from "@aws-sdk/client-ec2";
import { GuardDutyClient } from "@aws-sdk/client-guardduty";
import { IAMClient } from "@aws-sdk/client-iam";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { QuickSightClient } from "@aws-sdk/client-quicksight";
import { Route53Client } from "@aws-sdk/client-route-53";
import { S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { TranscribeClient } from "@aws-sdk/client-transcribe";
import { bedrockRegion } from "../../../modules/config/naming";
import type { CciLiteConfig } from "../../../modules/config/schema";
import { ACCESS_DENIED, BAD_CREDENTIALS, NO_ENDPOINT, type SdkErrorLike } from "../../aws-errors";
import { type Fact, type FactError, failed, fact } from "../facts";

/** The first line of an SDK error's message, at most 200 characters. */
export function firstLine(e: unknown): string {
  const err = e as SdkErrorLike | undefined;
  const text = err?.message || err?.name || String(e);
  const line = text.split("\n")[0].trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/** Classifies an SDK error of `action` (an IAM action name, e.g. `lambda:GetAccountSettings`) in `region`. */
export function classifyError(e: unknown, action: string, region: string): FactError {
  const err = e as SdkErrorLike | undefined;
  const name = err?.name ?? "";
  const code = err?.code ?? err?.Code ?? "";
  const message = firstLine(e);
  if (BAD_CREDENTIALS.has(name) || BAD_CREDENTIALS.has(code) || /could not load credentials/i.test(message)) {
    return { kind: "credentials", action, message };
  }
  if (ACCESS_DENIED.has(name) || ACCESS_DENIED.has(code) || /not authorized to perform|AccessDenied/i.test(`${name} ${message}`)) {
    return { kind: "access-denied", action, message };
  }
  if (NO_ENDPOINT.has(name) || NO_ENDPOINT.has(code) || /ENOTFOUND|EAI_AGAIN|getaddrinfo/.test(message)) {
    return { kind: "unavailable", action, region, message };
  }
  return { kind: "failed", action, message: name && !message.includes(name) ? `${name}: ${message}` : message };
}

/** `run`'s result as a fact; its error classified as a call of `action` in `region`. */
export async function attempt<T>(action: string, region: string, run: () => Promise<T>): Promise<Fact<T>> {
  try {
    return fact(await run());
  } catch (e) {
    return failed(classifyError(e, action, region));
  }
}

export interface DoctorClients {
  readonly sts: STSClient;
  readonly lambda: LambdaClient;
  readonly iam: IAMClient;
  quicksight(region: string): QuickSightClient;
  readonly bedrock: BedrockClient;
  readonly guardduty: GuardDutyClient;
  readonly transcribe: TranscribeClient;
  readonly comprehend: ComprehendClient;
  readonly s3: S3Client;
  readonly ec2: EC2Client;
  readonly route53: Route53Client;
}

/** Clients with the default credential chain, in the configuration's region (Bedrock: `bedrockRegion`). */
export function createClients(cfg: CciLiteConfig): DoctorClients {
  const base = { region: cfg.region, maxAttempts: 2 };
  return {
    sts: new STSClient(base),
    lambda: new LambdaClient(base),
    iam: new IAMClient(base),
    quicksight: (region: string) => new QuickSightClient({ ...base, region }),
    bedrock: new BedrockClient({ ...base, region: bedrockRegion(cfg) }),
    guardduty: new GuardDutyClient(base),
    transcribe: new TranscribeClient(base),
    comprehend: new ComprehendClient(base),
    // A bucket in another region answers 301; follow it to learn where it is.
    s3: new S3Client({ ...base, followRegionRedirects: true }),
    ec2: new EC2Client(base),
    // Route 53 is global; its API lives in us-east-1.
    route53: new Route53Client({ ...base, region: "us-east-1" }),
  };
}

/** STS GetCallerIdentity: needs no permission; its failure means no usable credentials (or no network). */
export async function callerIdentity(clients: DoctorClients, region: string): Promise<Fact<{ account: string; arn: string }>> {
  return attempt("sts:GetCallerIdentity", region, async () => {
    const r = await clients.sts.send(new GetCallerIdentityCommand({}));
    return { account: r.Account ?? "", arn: r.Arn ?? "" };
  });
}
