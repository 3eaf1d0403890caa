/**
 * M2 (issue 20, docs/network.md "Private DNS"), over every mode of the matrix (modules/config/modes.ts): the
 * interface endpoints have private DNS exactly when `network.privateDns` resolves to true (default: `create` yes,
 * `existing` no); without it each function's environment points the clients its handler uses
 * (lambda-src/contracts/aws-calls.ts) at those endpoints' own DNS names, and nothing else; with it, or without a
 * network, no function has an endpoint variable.
 */
import { AWS_CALLS, type AwsClient, endpointUrlVariable } from "../../lambda-src/contracts/aws-calls";
import { HANDLER_NAMES, type HandlerName } from "../../lambda-src/contracts/handlers";
import { EXISTING_NETWORK, MODE_NAMES, type ModeName } from "../../modules/config/modes";
import { privateDnsOf } from "../../modules/config/network";
import { MODE_ROWS, synthMode } from "../helpers/modes";
import { synthApp } from "../helpers/synth";

type Resources = Record<string, Record<string, any>>;

/** Interface endpoint resource ids by client (the service name's suffix). */
function interfaceEndpoints(app: { resource: Resources }): Record<string, { id: string; privateDns: unknown }> {
  const out: Record<string, { id: string; privateDns: unknown }> = {};
  for (const [id, e] of Object.entries(app.resource.aws_vpc_endpoint ?? {})) {
    if (e.vpc_endpoint_type !== "Interface") continue;
    out[String(e.service_name).replace(/^com\.amazonaws\.[a-z0-9-]+\./, "")] = { id, privateDns: e.private_dns_enabled };
  }
  return out;
}

/** Each function's `AWS_ENDPOINT_URL*` variables, by handler. */
function endpointVariables(app: { resource: Resources }, stem: string): Record<HandlerName, Record<string, string>> {
  const fns = Object.values(app.resource.aws_lambda_function ?? {});
  return Object.fromEntries(
    HANDLER_NAMES.map((h) => {
      const fn = fns.find((f) => f.function_name === `${stem}-${h}`);
      if (!fn) throw new Error(`no function ${stem}-${h}`);
      return [h, Object.fromEntries(Object.entries(fn.environment.variables as Record<string, string>).filter(([k]) => k.startsWith("AWS_ENDPOINT_URL")))];
    }),
  ) as Record<HandlerName, Record<string, string>>;
}

/** What a handler's environment must hold when the endpoints have no private DNS. */
function expectedVariables(h: HandlerName, endpoints: Record<string, { id: string }>): Record<string, string> {
  const clients = [...new Set(AWS_CALLS[h].map((c) => c.client))].filter((c): c is AwsClient => endpoints[c] !== undefined);
  return Object.fromEntries(clients.map((c) => [endpointUrlVariable(c), `https://\${aws_vpc_endpoint.${endpoints[c].id}.dns_entry[0].dns_name}`]));
}

describe.each(MODE_ROWS)("mode %s (%s)", (mode: ModeName) => {
  const m = synthMode(mode);
  const n = m.config.network;
  const endpoints = interfaceEndpoints(m.app);
  const stem = `${m.config.namePrefix}-${m.config.environment}`;

  if (n.mode === "off") {
    it("has no endpoints and no endpoint variables", () => {
      expect(endpoints).toEqual({});
      expect(Object.values(endpointVariables(m.app, stem)).flatMap(Object.keys)).toEqual([]);
    });
    return;
  }
  const on = privateDnsOf(n);
  it(`has the five interface endpoints, private DNS ${on ? "on" : "off"}`, () => {
    expect(Object.keys(endpoints).sort()).toEqual(["bedrock-runtime", "comprehend", "lambda", "ssm", "transcribe"]);
    for (const e of Object.values(endpoints)) expect(e.privateDns).toBe(on);
  });
  it(on ? "gives no function an endpoint variable" : "gives each function the variables of exactly the services it calls", () => {
    const expected = Object.fromEntries(HANDLER_NAMES.map((h) => [h, on ? {} : expectedVariables(h, endpoints)]));
    expect(endpointVariables(m.app, stem)).toEqual(expected);
  });
});

describe("the matrix exercises both sides", () => {
  it("a mode with private DNS on and one with it off", () => {
    const dns = MODE_NAMES.map((name) => synthMode(name).config.network)
      .filter((n) => n.mode !== "off")
      .map(privateDnsOf);
    expect(new Set(dns)).toEqual(new Set([true, false]));
  });
});

describe("an existing VPC with private DNS chosen on", () => {
  const app = synthApp({ network: { ...EXISTING_NETWORK, privateDns: true } } as never);
  it("turns it on and sets no endpoint variable", () => {
    expect(Object.values(interfaceEndpoints(app.json)).map((e) => e.privateDns)).toEqual([true, true, true, true, true]);
    expect(Object.values(endpointVariables(app.json, "cci-lite-prod")).flatMap(Object.keys)).toEqual([]);
  });
});
