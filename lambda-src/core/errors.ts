/**
 * Error codes written to result records, and classification of AWS SDK errors by name / HTTP status (so the
 * pure core and tests do not depend on SDK exception classes).
 */
/*
 * The codes are string enums (each value is its name), not objects: esbuild inlines each code where it is used and
 * drops the rest, so a bundle carries only the codes its handler writes.
 */

/** start's codes (REJECTED records). */
export enum REJECT_CODES {
  INVALID_KEY = "INVALID_KEY",
  UNKNOWN_TENANT = "UNKNOWN_TENANT",
  INVALID_TENANT_SETTINGS = "INVALID_TENANT_SETTINGS",
  KEY_OUTSIDE_CALLS = "KEY_OUTSIDE_CALLS",
  UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT",
  EMPTY_OBJECT = "EMPTY_OBJECT",
  TOO_LARGE = "TOO_LARGE",
  OBJECT_NOT_FOUND = "OBJECT_NOT_FOUND",
  UNEXPECTED_BUCKET = "UNEXPECTED_BUCKET",
  TRANSCRIBE_BAD_REQUEST = "TRANSCRIBE_BAD_REQUEST",
}

export enum ERROR_CODES {
  // start (REJECTED) and analyze (FAILED)
  S3_ACCESS_DENIED = "S3_ACCESS_DENIED",
  // analyze / reconcile (FAILED)
  TRANSCRIBE_FAILED = "TRANSCRIBE_FAILED",
  TRANSCRIPT_NOT_FOUND = "TRANSCRIPT_NOT_FOUND",
  TRANSCRIPT_INVALID = "TRANSCRIPT_INVALID",
  EMPTY_TRANSCRIPT = "EMPTY_TRANSCRIPT",
  SUMMARY_INVALID = "SUMMARY_INVALID",
  MODEL_NOT_FOUND = "MODEL_NOT_FOUND",
  MODEL_ACCESS_DENIED = "MODEL_ACCESS_DENIED",
  MODEL_REQUEST_INVALID = "MODEL_REQUEST_INVALID",
  JOB_STUCK = "JOB_STUCK",
  // summary_error of a COMPLETED record, like SUMMARY_INVALID and MODEL_* above
  SUMMARY_INCOMPLETE = "SUMMARY_INCOMPLETE",
  SUMMARY_TRUNCATED = "SUMMARY_TRUNCATED",
  MODEL_UNAVAILABLE = "MODEL_UNAVAILABLE",
}
export type ErrorCode = ERROR_CODES | REJECT_CODES;
/**
 * reconcile (FAILED): analyze did not settle the job after the bounded number of hand-outs (reconcile's own code).
 */
export const PROCESSING_ERROR = "PROCESSING_ERROR";

interface AwsLikeError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
  $retryable?: unknown;
}

export function errorName(err: unknown): string {
  const e = (err ?? {}) as AwsLikeError;
  return e.name ?? e.Code ?? e.code ?? "Error";
}

export function errorMessage(err: unknown): string {
  const e = (err ?? {}) as AwsLikeError;
  return (e.message || errorName(err)).slice(0, 1000);
}

export function httpStatus(err: unknown): number | undefined {
  return ((err ?? {}) as AwsLikeError).$metadata?.httpStatusCode;
}

/** Error names that pass with time: throttling and quotas, then server errors and timeouts. */
const RETRYABLE_NAMES = new Set([
  // throttling and quotas
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "SlowDown",
  "RequestLimitExceeded",
  "ThrottledException",
  "ProvisionedThroughputExceededException",
  "LimitExceededException",
  // server errors and timeouts
  "InternalServerException",
  "InternalFailure",
  "InternalError",
  "InternalServerError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "ServiceUnavailableError",
  "ModelNotReadyException",
  "ModelTimeoutException",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
]);

/**
 * A failure that should be retried later (the invocation throws; Lambda's asynchronous retries and reconcile
 * run), with the error code it is recorded under once retrying stops. `isRetryable` is true for it.
 */
export class RetryableError extends Error {
  readonly retryable = true;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
    this.name = "RetryableError";
  }
}

/** Throttling, quota (Transcribe `LimitExceededException`), 5xx and timeouts: retry later. */
export function isRetryable(err: unknown): boolean {
  const n = errorName(err);
  const s = httpStatus(err);
  return (
    (err as { retryable?: unknown } | null)?.retryable === true ||
    RETRYABLE_NAMES.has(n) ||
    (s !== undefined && (s >= 500 || s === 429)) ||
    ((err ?? {}) as AwsLikeError).$fault === "server"
  );
}

export function isNotFound(err: unknown): boolean {
  const n = errorName(err);
  return n === "NoSuchKey" || n === "NotFound" || n === "NoSuchVersion" || httpStatus(err) === 404;
}

export function isAccessDenied(err: unknown): boolean {
  const n = errorName(err);
  return n === "AccessDenied" || n === "AccessDeniedException" || n === "Forbidden" || httpStatus(err) === 403;
}
