/**
 * The emulated tier's second-plan check (scripts/emulated/gaps.ts: only the typed, commented emulator gaps may differ)
 * and its loopback-only proxy (scripts/emulated/loopback-proxy.ts: the account-prefixed S3 Control host reaches
 * 127.0.0.1 with its Host header kept; any other name is refused without a lookup).
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { changedAttributes, checkSecondPlan, EMULATOR_GAPS, type SecondPlan } from "../../scripts/emulated/gaps";
import { isLoopbackName, parseProxyTarget, startLoopbackProxy } from "../../scripts/emulated/loopback-proxy";

const update = (address: string, type: string, before: Record<string, unknown>, after: Record<string, unknown>) => ({
  address,
  type,
  mode: "managed",
  change: { actions: ["update"], before, after, after_unknown: {} },
});

describe("the second plan", () => {
  it("accepts the known gaps only, each with the moto limitation it names", () => {
    const plan: SecondPlan = {
      resource_changes: [
        update("aws_kms_key.k", "aws_kms_key", { rotation_period_in_days: 0, description: "d" }, { rotation_period_in_days: 365, description: "d" }),
        update("aws_sqs_queue.q", "aws_sqs_queue", { redrive_policy: '{"a": 1}' }, { redrive_policy: '{"a":1}' }),
        { address: "aws_s3_bucket.b", type: "aws_s3_bucket", mode: "managed", change: { actions: ["no-op"], before: {}, after: {} } },
      ],
    };
    const { gaps, findings } = checkSecondPlan(plan);
    expect(findings).toEqual([]);
    expect(Object.keys(gaps).sort()).toEqual(["aws_kms_key.k.rotation_period_in_days", "aws_sqs_queue.q.redrive_policy"]);
    for (const g of EMULATOR_GAPS) expect(g.limitation).toMatch(/moto/);
  });
  it("reports any other attribute, a gap whose values fail its check, a replacement and an output", () => {
    const plan: SecondPlan = {
      resource_changes: [
        update("aws_kms_key.k", "aws_kms_key", { rotation_period_in_days: 0, policy: "a" }, { rotation_period_in_days: 365, policy: "b" }),
        update("aws_sqs_queue.q", "aws_sqs_queue", { redrive_policy: '{"a":1}' }, { redrive_policy: '{"a":2}' }),
        { address: "aws_sns_topic.t", type: "aws_sns_topic", mode: "managed", change: { actions: ["delete", "create"], before: {}, after: {} } },
      ],
      output_changes: { x: { actions: ["update"] } },
    };
    expect(checkSecondPlan(plan).findings).toEqual([
      { address: "aws_kms_key.k", actions: ["update"], attributes: ["policy"] },
      { address: "aws_sqs_queue.q", actions: ["update"], attributes: ["redrive_policy"] },
      { address: "aws_sns_topic.t", actions: ["delete", "create"], attributes: [] },
      { address: "output.x", actions: ["update"], attributes: [] },
    ]);
  });
  it("counts an attribute that becomes unknown as changed", () => {
    expect(changedAttributes({ a: 1, b: 2 }, { a: 1, b: null }, { b: true })).toEqual(["b"]);
    expect(changedAttributes({ a: [1] }, { a: [1] }, { a: [false] })).toEqual([]);
  });
});

describe("the loopback proxy", () => {
  it("knows loopback by the name alone", () => {
    for (const h of ["127.0.0.1", "111122223333.127.0.0.1", "localhost", "x.localhost"]) expect([h, isLoopbackName(h)]).toEqual([h, true]);
    for (const h of ["s3-control.eu-central-1.amazonaws.com", "127.0.0.1.example.com", "10.0.0.1"]) expect([h, isLoopbackName(h)]).toEqual([h, false]);
  });

  it("reads the account-prefixed host that WHATWG URL rejects", () => {
    expect(() => new URL("http://111122223333.127.0.0.1:4566/")).toThrow();
    expect(parseProxyTarget("http://111122223333.127.0.0.1:4566/v20180820/accesspoint/a?b=1")).toEqual({
      scheme: "http",
      hostname: "111122223333.127.0.0.1",
      port: "4566",
      path: "/v20180820/accesspoint/a?b=1",
    });
    expect(parseProxyTarget("/relative")).toBeUndefined();
  });

  it("sends the account-prefixed host to 127.0.0.1 on its port, and refuses anything else without a lookup", async () => {
    const seen: string[] = [];
    const upstream = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.headers.host} ${req.url}`);
      res.end("ok");
    });
    await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", () => r()));
    const port = (upstream.address() as AddressInfo).port;
    const proxy = await startLoopbackProxy();
    const via = (url: string, method = "GET") =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const p = new URL(proxy.url);
        const req = http.request({ host: p.hostname, port: p.port, method, path: url, headers: { host: url.split("/")[2] } }, (res) => {
          let body = "";
          res.on("data", (b) => (body += b));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        req.end();
      });
    try {
      const ok = await via(`http://111122223333.127.0.0.1:${port}/v20180820/accesspoint/ap?x=1`, "PUT");
      expect(ok).toEqual({ status: 200, body: "ok" });
      expect(seen).toEqual([`PUT 111122223333.127.0.0.1:${port} /v20180820/accesspoint/ap?x=1`]);
      const refused = await via("http://s3-control.eu-central-1.amazonaws.com/v20180820/accesspoint");
      expect(refused.status).toBe(403);
      expect(refused.body).toMatch(/not a loopback name; refused without a lookup/);
      expect(proxy.refused).toEqual(["s3-control.eu-central-1.amazonaws.com"]);
      expect(seen).toHaveLength(1);
    } finally {
      await proxy.close();
      await new Promise((r) => upstream.close(r));
    }
  });
});
