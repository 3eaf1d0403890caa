/**
 * A sealed plan is opened only when it is byte for byte the file the plan job sealed (issue 21, M10). Anyone with the
 * public key (a repository variable) can seal a file that decrypts and passes the MAC; `seal.sh open` therefore checks
 * the SHA-256 the plan job printed (its job output, apply.yml) before it reads the key or the file.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./workflows";

const SEAL = join(REPO_ROOT, "scripts", "delivery", "seal.sh");
const KEYS = join(REPO_ROOT, "__tests__", "fixtures", "keys");
const PUB = join(KEYS, "test-only-prod.pub.pem");
const PRIV = join(KEYS, "test-only-prod.pem");
let work: string;
const seal = (...args: string[]) => spawnSync("bash", [SEAL, ...args], { encoding: "utf8", cwd: work });
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const at = (name: string) => join(work, name);

let digest: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "seal-digest-"));
  writeFileSync(at("reviewed.tgz"), "the reviewed plan");
  const r = seal("seal", PUB, at("reviewed.tgz"), at("plan.sealed"));
  expect(r.status).toBe(0);
  digest = r.stdout.trim();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("seal.sh open refuses any file but the one sealed, by digest", () => {
  it("opens the sealed plan with the digest seal printed", () => {
    expect(digest).toBe(sha256(at("plan.sealed")));
    const r = seal("open", PRIV, at("plan.sealed"), at("opened"), digest);
    expect(r.stderr).toBe("");
    expect(readFileSync(at("opened"), "utf8")).toBe("the reviewed plan");
  });

  it("refuses a substituted plan: sealed by anyone with the public key, it would decrypt and pass the MAC", () => {
    writeFileSync(at("evil.tgz"), "a plan nobody reviewed");
    expect(seal("seal", PUB, at("evil.tgz"), at("evil.sealed")).status).toBe(0);
    // Without the digest check it is a perfectly valid sealed file:
    expect(seal("open", PRIV, at("evil.sealed"), at("evil.opened"), sha256(at("evil.sealed"))).status).toBe(0);
    const r = seal("open", PRIV, at("evil.sealed"), at("evil.refused"), digest);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/is not the sealed plan's .* \(substituted or altered\); nothing was opened/);
    expect(existsSync(at("evil.refused"))).toBe(false);
  });

  it("refuses a tampered plan (one flipped byte) before its MAC is even computed", () => {
    const bytes = readFileSync(at("plan.sealed"));
    bytes[bytes.length - 100] ^= 0x01;
    writeFileSync(at("tampered.sealed"), bytes);
    const r = seal("open", PRIV, at("tampered.sealed"), at("tampered.out"), digest);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/substituted or altered/);
    expect(r.stderr).not.toMatch(/integrity check/);
    expect(existsSync(at("tampered.out"))).toBe(false);
  });

  it("refuses to open without a digest, or with one that is not 64 hex digits, before reading the key", () => {
    expect(seal("open", PRIV, at("plan.sealed"), at("x")).stderr).toMatch(/open needs the sealed file's SHA-256/);
    expect(seal("open", PRIV, at("plan.sealed"), at("x"), "").stderr).toMatch(/is not 64 lowercase hex digits/);
    expect(seal("open", PRIV, at("plan.sealed"), at("x"), digest.toUpperCase()).stderr).toMatch(/is not 64 lowercase hex digits/);
    // The digest is checked first: a missing key file is not even looked at for the wrong file.
    expect(seal("open", at("no-key.pem"), at("tampered.sealed"), at("x"), digest).stderr).toMatch(/substituted or altered/);
  });
});
