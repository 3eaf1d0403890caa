/**
 * M2 (issue 20, docs/network.md "Private DNS"): with `network.privateDns` off the functions find the interface
 * endpoints through `AWS_ENDPOINT_URL_<SERVICE>`. Proven on the locked SDK packages (package-lock): a real client
 * of each package, built under the variable, sends its table call (lambda-src/contracts/aws-calls.ts) to that host.
 * The request is stopped before signing and sending: no network. The built bundle itself (with its size measures) is
 * checked once in __tests__/bundle/bundle.test.ts: analyze sends Transcribe to its variable's local server.
 */
import { AWS_CALLS, AWS_CLIENTS, type AwsClient, endpointUrlEnvironment, endpointUrlVariable, SDK_SERVICE_IDS } from "../../lambda-src/contracts/aws-calls";
import { HANDLER_NAMES } from "../../lambda-src/contracts/handlers";

const REGION = "eu-central-1";
const STOP = "stopped before sending";
/** Enough input for every table command to serialize (unknown members are ignored). */
const INPUT = { Bucket: "b", Key: "k", Name: "/p", TranscriptionJobName: "j", FunctionName: "f", modelId: "m", Text: "t", TextList: ["t"], LanguageCode: "en" };

/** The host and path the client of `client` would send its first table call to, with `env` set. */
async function requestOf(client: AwsClient, env: Record<string, string>): Promise<{ hostname: string; serviceId: string }> {
  const saved = { ...process.env };
  Object.assign(process.env, env, { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret" });
  try {
    const pkg = require(`@aws-sdk/client-${client}`);
    const Client = Object.values(pkg).find((v: any) => typeof v === "function" && v.name.endsWith("Client") && v.name !== "Client" && v.prototype?.send) as any;
    const command = AWS_CALLS.start.concat(AWS_CALLS.analyze, AWS_CALLS.reconcile).find((c) => c.client === client)?.command;
    const sdk = new Client({ region: REGION });
    let hostname = "";
    sdk.middlewareStack.add(
      () => async (args: any) => {
        hostname = args.request.hostname;
        throw new Error(STOP);
      },
      { step: "build" },
    );
    await expect(sdk.send(new pkg[`${command}Command`](INPUT))).rejects.toThrow(STOP);
    return { hostname, serviceId: sdk.config.serviceId };
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

describe("the SDK's service ids and the variable names", () => {
  it("are the five interface services' names as AWS documents them", () => {
    expect(AWS_CLIENTS.filter((c) => c !== "s3").map(endpointUrlVariable)).toEqual([
      "AWS_ENDPOINT_URL_SSM",
      "AWS_ENDPOINT_URL_TRANSCRIBE",
      "AWS_ENDPOINT_URL_COMPREHEND",
      "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
      "AWS_ENDPOINT_URL_LAMBDA",
    ]);
  });
  it.each(AWS_CLIENTS)("%s: the table's service id is the client's own", async (client) => {
    expect((await requestOf(client, {})).serviceId).toBe(SDK_SERVICE_IDS[client]);
  });
});

describe.each(AWS_CLIENTS.filter((c) => c !== "s3"))("%s client", (client) => {
  const vpce = `vpce-0a1b2c3d4e5f67890-abcdefgh.${client}.${REGION}.vpce.amazonaws.com`;
  it("sends to the endpoint's own DNS name under its variable", async () => {
    expect((await requestOf(client, { [endpointUrlVariable(client)]: `https://${vpce}` })).hostname).toBe(vpce);
  });
  it("sends to the public name without it (what private DNS then resolves)", async () => {
    expect((await requestOf(client, {})).hostname).toBe(`${client}.${REGION}.amazonaws.com`);
  });
  it("ignores another service's variable", async () => {
    const other = AWS_CLIENTS.find((c) => c !== client && c !== "s3") as AwsClient;
    expect((await requestOf(client, { [endpointUrlVariable(other)]: `https://${vpce}` })).hostname).toBe(`${client}.${REGION}.amazonaws.com`);
  });
});

describe("endpointUrlEnvironment", () => {
  const urls = Object.fromEntries(AWS_CLIENTS.map((c) => [c, `https://${c}.example`]));
  it("gives each handler exactly the variables of the clients it calls", () => {
    expect(Object.fromEntries(HANDLER_NAMES.map((h) => [h, Object.keys(endpointUrlEnvironment(h, urls)).sort()]))).toEqual({
      start: ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL_TRANSCRIBE"],
      analyze: ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ENDPOINT_URL_COMPREHEND", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_TRANSCRIBE"],
      reconcile: ["AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_TRANSCRIBE"],
    });
  });
  it("leaves out clients without a URL (S3: its gateway endpoint needs none)", () => {
    const { s3: _s3, ...interfaces } = urls;
    expect(Object.keys(endpointUrlEnvironment("start", interfaces)).sort()).toEqual(["AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL_TRANSCRIBE"]);
  });
});
