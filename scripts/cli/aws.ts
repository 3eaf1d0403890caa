/**
 * AWS clients of the `cci` command and the one-line explanation of an AWS failure. Every call goes through
 * {@link call} with the IAM action it needs, so an access-denied error names that action even when the service
 * answers with a bare 403 (S3 HEAD, for one).
 */
import { AthenaClient } from "@aws-sdk/client-athena";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { KMSClient } from "@aws-sdk/client-kms";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { STSClient } from "@aws-sdk/client-sts";
import { TranscribeClient } from "@aws-sdk/client-transcribe";
import { CliError, EXIT } from "./exit-codes";
import { CLI_PERMISSIONS } from "../../modules/access/cli-permissions";
import { NOT_CCI_COMMANDS } from "../../modules/access/cli-requests";
import { ACCESS_DENIED, BAD_CREDENTIALS, errorName, httpStatus, type SdkErrorLike, THROTTLED, UNAVAILABLE } from "../aws-errors";

export { errorName } from "../aws-errors";

/**
 * Environment variable (or `--endpoint-url`) sending every request to one endpoint instead of AWS, with path-style
 * S3 addressing. For tests against a local fake (bench/fake-aws.ts); never needed against AWS.
 */
export const ENDPOINT_ENV = "CCI_ENDPOINT_URL";

export interface Clients {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly sts: STSClient;
  readonly kms: KMSClient;
  readonly athena: AthenaClient;
  readonly logs: CloudWatchLogsClient;
  readonly transcribe: TranscribeClient;
  readonly lambda: LambdaClient;
}

/** Clients in `region` with the default credential chain (AWS_PROFILE, SSO, environment, instance role). */
export function createClients(region: string, endpoint?: string): Clients {
  const base = { region, maxAttempts: 5, ...(endpoint ? { endpoint } : {}) };
  return {
    // Uploads retry each failed part up to maxAttempts times (lib-storage sends one UploadPart per part).
    s3: new S3Client({ ...base, ...(endpoint ? { forcePathStyle: true } : {}) }),
    sqs: new SQSClient(base),
    sts: new STSClient(base),
    kms: new KMSClient(base),
    athena: new AthenaClient(base),
    logs: new CloudWatchLogsClient(base),
    transcribe: new TranscribeClient(base),
    lambda: new LambdaClient(base),
  };
}

const status = httpStatus;
const firstLine = (e: unknown): string => {
  const text = (e as SdkErrorLike | undefined)?.message || errorName(e) || String(e);
  const line = text.split("\n")[0].trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
};

/**
 * The action and resource an AccessDenied message names, e.g. "User: arn:aws:sts::1:assumed-role/x/y is not
 * authorized to perform: s3:PutObject on resource: "arn:aws:s3:::b/k" because no identity-based policy allows ...".
 * KMS and S3 phrase it the same way; older messages omit the resource.
 */
export function parseAccessDenied(message: string): { action?: string; resource?: string; principal?: string; because?: string } {
  const action = /not authorized to perform:? ([a-z0-9-]+:[A-Za-z0-9*]+)/.exec(message)?.[1];
  const resource = /on resource:? "?([^"\s]+)"?/.exec(message)?.[1];
  const principal = /User: (\S+) is not authorized/.exec(message)?.[1];
  const because = /because (.+?)\.?$/.exec(message)?.[1];
  return { action, resource, principal, because };
}

export function isAccessDenied(e: unknown): boolean {
  const name = errorName(e);
  return (
    ACCESS_DENIED.has(name) || /not authorized to perform|AccessDenied/i.test(`${name} ${(e as SdkErrorLike | undefined)?.message ?? ""}`) || status(e) === 403
  );
}

export function isNotFound(e: unknown): boolean {
  const n = errorName(e);
  return n === "NotFound" || n === "NoSuchKey" || n === "NotFoundException" || n === "ResourceNotFoundException" || status(e) === 404;
}

/**
 * Which people policy grants `action` to a command's caller, from the one table of modules/access/cli-permissions.ts
 * (requests the caller makes itself first; `s3:UploadPart` is authorised as `s3:PutObject`).
 */
export function neededBy(action: string): string {
  const iam = action === "s3:UploadPart" ? "s3:PutObject" : action;
  const rows = CLI_PERMISSIONS.filter((r) => r.action === iam && r.commands.some((c) => !NOT_CCI_COMMANDS.includes(c)));
  const direct = rows.filter((r) => r.via === "caller");
  const groups = [...new Set((direct.length ? direct : rows).flatMap((r) => r.groups))];
  return groups.length ? `the ${groups.join(" or ")} policy needs ${action}` : `no people policy grants ${action}`;
}

/**
 * Turns an SDK failure of `action` (the IAM action of the call, e.g. `s3:PutObject`) into a one-line CliError:
 * credentials, access denied (naming the denied action), throttling/unavailable, or the service's own message.
 */
export function explain(e: unknown, action: string, region: string): CliError {
  if (e instanceof CliError) return e;
  const name = errorName(e);
  const message = firstLine(e);
  if (BAD_CREDENTIALS.has(name) || /could not load credentials|credential/i.test(name) || /could not load credentials/i.test(message)) {
    return new CliError(
      `no usable AWS credentials for ${action} (${message}); sign in (AWS_PROFILE, aws sso login, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and run it again`,
      EXIT.AWS_ACCESS,
    );
  }
  if (isAccessDenied(e)) {
    const p = parseAccessDenied(message);
    const denied = p.action ?? action;
    const where = p.resource ? ` on ${p.resource}` : "";
    const who = p.principal ? ` for ${p.principal}` : "";
    const why = p.because ? ` (${p.because})` : "";
    return new CliError(`access denied: ${denied}${where}${who}${why}; ${neededBy(denied)} (docs/cli.md#permissions)`, EXIT.AWS_ACCESS);
  }
  if (THROTTLED.has(name) || status(e) === 429) {
    return new CliError(`AWS throttled ${action} in ${region} after retries (${name || "429"}); run it again in a minute`, EXIT.AWS_UNAVAILABLE);
  }
  if (UNAVAILABLE.has(name) || (status(e) ?? 0) >= 500 || /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|getaddrinfo/.test(message)) {
    return new CliError(`${action} failed in ${region}: ${message}; AWS (or the network) is unavailable, run it again later`, EXIT.AWS_UNAVAILABLE);
  }
  return new CliError(`${action} failed: ${name && !message.includes(name) ? `${name}: ` : ""}${message}`, EXIT.FAILED);
}

/** Runs one AWS call; a failure becomes the one-line {@link explain} error. */
export async function call<T>(action: string, region: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw explain(e, action, region);
  }
}
