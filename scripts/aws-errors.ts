/**
 * AWS SDK error names by what they mean to a person at a terminal, shared by `npm run doctor` and `cci`
 * (each turns them into one line: fix your credentials, the IAM action that was denied, try again later).
 */

/** No usable credentials: none found, expired, or not valid for this partition. */
export const BAD_CREDENTIALS: ReadonlySet<string> = new Set([
  "CredentialsProviderError",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "InvalidAccessKeyId",
  "TokenRefreshRequired",
]);

/** The request was understood and refused by IAM (or a resource policy). */
export const ACCESS_DENIED: ReadonlySet<string> = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "UnauthorizedException",
  "AuthorizationError",
  "AuthorizationErrorException",
  "Forbidden",
]);

/** Too many requests: back off and retry. */
export const THROTTLED: ReadonlySet<string> = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "SlowDown",
  "RequestLimitExceeded",
  "RequestThrottled",
]);

/** The service failed on its side. */
export const UNAVAILABLE: ReadonlySet<string> = new Set([
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "InternalFailure",
  "InternalError",
  "InternalServerException",
]);

/** The endpoint could not be reached (DNS, unknown region or service endpoint). */
export const NO_ENDPOINT: ReadonlySet<string> = new Set(["ENOTFOUND", "EAI_AGAIN", "UnknownEndpoint", "EndpointError"]);

/** The fields of an SDK (or Node network) error the checks read. */
export interface SdkErrorLike {
  readonly name?: string;
  readonly code?: string;
  readonly Code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** The error's name: the SDK's `name`, else an XML `Code` or a Node `code`. */
export const errorName = (e: unknown): string => {
  const err = e as SdkErrorLike | undefined;
  return err?.name ?? err?.Code ?? err?.code ?? "";
};

/** The HTTP status AWS answered with, when there was an answer. */
export const httpStatus = (e: unknown): number | undefined => (e as SdkErrorLike | undefined)?.$metadata?.httpStatusCode;
