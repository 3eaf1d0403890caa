/**
 * The benchmark's fake AWS endpoint (bench/fake-aws.ts), shared, with what the `cci` command also calls: KMS
 * DescribeKey and Athena (a canned result set of two calls). Used by the subprocess and terminal tests; run
 * directly (`tsx __tests__/cli/fake-endpoint.ts`) it serves until killed and prints its URL.
 */
import { FAKE, startFakeAws, type FakeAws } from "../../bench/fake-aws";
import { type Clock, systemClock } from "../../lambda-src/core/clock";

/** The account of config/prod.json, which the CLI tests run against. */
export const TEST_ACCOUNT = "111122223333";
export const TEST_KEY_ARN = `arn:aws:kms:eu-central-1:${TEST_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

const cell = (v: string) => ({ VarCharValue: v });
export const ATHENA_ROWS = [
  ["call_date", "call_id", "status", "sentiment", "language", "duration_s", "error_code", "summary", "timestamp"],
  [
    "2026/11/29",
    "sample",
    "COMPLETED",
    "POSITIVE",
    "en-US",
    "61",
    "",
    "Customer called about an internet outage; agent opened a ticket.",
    "2026-11-29T10:01:00.000Z",
  ],
  ["2026/11/28", "call-7", "FAILED", "", "", "", "EMPTY_TRANSCRIPT", "", "2026-11-28T09:00:00.000Z"],
];

/** The fake on `clock`: the one the `cci` under test runs on (a child process: the system clock). */
export function startCliFake(clock: Clock): Promise<FakeAws> {
  return startFakeAws({
    clock,
    account: TEST_ACCOUNT,
    json: {
      "TrentService.DescribeKey": (b) => ({ KeyMetadata: { KeyId: "1234abcd-12ab-34cd-56ef-1234567890ab", Arn: TEST_KEY_ARN, Description: String(b.KeyId) } }),
      "AmazonAthena.StartQueryExecution": () => ({ QueryExecutionId: "q-1" }),
      "AmazonAthena.GetQueryExecution": () => ({ QueryExecution: { QueryExecutionId: "q-1", Status: { State: "SUCCEEDED" } } }),
      "AmazonAthena.GetQueryResults": () => ({ ResultSet: { Rows: ATHENA_ROWS.map((r) => ({ Data: r.map(cell) })) } }),
    },
  });
}

/** Environment for a `cci` child process: the fake's URL, test credentials (the fake checks the signature's key id). */
export function childEnv(fake: FakeAws, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CCI_ENDPOINT_URL: fake.url,
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    AWS_SESSION_TOKEN: "fake-session-token",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...extra,
  };
}

export { FAKE };

if (require.main === module) {
  startCliFake(systemClock).then((fake) => {
    process.stdout.write(`${fake.url}\n`);
    setInterval(() => undefined, 1 << 30);
  });
}
