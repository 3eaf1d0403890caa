/**
 * The committed provider lock files (tf/locks/) let `terraform init -lockfile=readonly` install the AWS provider on
 * every platform the provider is published for, not only on the linux_amd64 CI runners and this project's mirror.
 *
 * Terraform accepts a package that matches ANY hash recorded for its version:
 * - `zh:` = SHA-256 of a platform's zip, as listed in the provider's signed `SHA256SUMS` (registry installs);
 * - `h1:` = hash of the unpacked package (mirrors, caches; one per platform).
 * The hashes were taken from public lock files made by `terraform init`/`providers lock` against the registry, and two
 * independent repositories give the identical 14 `h1:` + 15 `zh:` set (see docs/delivery.md, "Provider lock files").
 *
 * Limitation: a lock file does not say which `zh:` belongs to which platform, and the registry (with
 * `terraform-provider-aws_5.100.0_SHA256SUMS`) is not reachable from these machines, so this test cannot name the
 * linux_arm64, darwin_amd64, darwin_arm64 and windows_amd64 hashes one by one. It checks the complete set instead:
 * 5.100.0 is published as 14 platform zips (.release/terraform-provider-aws-artifacts.hcl of the provider:
 * darwin_amd64/arm64, freebsd_386/amd64/arm, linux_386/amd64/arm/arm64, openbsd_386/amd64/arm, windows_386/amd64),
 * so SHA256SUMS has 15 lines (the 14 zips and the registry manifest) and there are 14 `h1:` hashes. The real proof
 * for linux_amd64 is __tests__/infra/terraform.test.ts (offline `init -lockfile=readonly` from the mirror).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const LOCKS = join(__dirname, "..", "..", "tf", "locks");
const PROVIDER_VERSION = JSON.parse(readFileSync(join(__dirname, "..", "..", "node_modules", "@cdktf", "provider-aws", "package.json"), "utf8")).cdktf.provider
  .version as string;

/** h1 of the unpacked linux_amd64 package in /opt/tf-plugins (what the offline mirror installs). */
const LINUX_AMD64_H1 = "h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0=";
/** The registry manifest's line of SHA256SUMS: the same in every release of the provider, not a platform. */
const MANIFEST_ZH = "zh:9b12af85486a96aedd8d7984b0ff811a4b42e3d88dad1a3fb4c0b580d04fa425";
const PLATFORM_ZIPS = 14;

interface LockBlock {
  readonly source: string;
  readonly version: string;
  readonly constraints?: string;
  readonly hashes: string[];
}

function parseLock(text: string): LockBlock[] {
  const blocks: LockBlock[] = [];
  for (const m of text.matchAll(/provider "([^"]+)" \{([\s\S]*?)\n\}/g)) {
    const body = m[2];
    const hashesBody = /hashes = \[([\s\S]*?)\]/.exec(body)?.[1] ?? "";
    blocks.push({
      source: m[1],
      version: /version\s+= "([^"]+)"/.exec(body)?.[1] ?? "",
      constraints: /constraints\s+= "([^"]+)"/.exec(body)?.[1],
      hashes: [...hashesBody.matchAll(/"([^"]+)"/g)].map((h) => h[1]),
    });
  }
  return blocks;
}

const files = readdirSync(LOCKS)
  .filter((f) => f.endsWith(".terraform.lock.hcl"))
  .sort();

describe("provider lock files", () => {
  it("exist for the bootstrap stack and at least one application stack", () => {
    expect(files).toContain("bootstrap.terraform.lock.hcl");
    expect(files.some((f) => f.startsWith("cci-lite-"))).toBe(true);
  });

  describe.each(files)("%s", (file) => {
    const text = readFileSync(join(LOCKS, file), "utf8");
    const blocks = parseLock(text);
    const aws = blocks[0];

    it("locks exactly hashicorp/aws at the version @cdktf/provider-aws pins", () => {
      expect(blocks.map((b) => b.source)).toEqual(["registry.terraform.io/hashicorp/aws"]);
      expect(aws.version).toBe(PROVIDER_VERSION);
      expect(aws.constraints).toBe(PROVIDER_VERSION);
    });

    it("is in Terraform's canonical form (hashes unique and sorted, one per line)", () => {
      expect(aws.hashes).toEqual([...new Set(aws.hashes)].sort());
      expect(text).toMatch(/^# This file is maintained automatically by "terraform init"\./);
      for (const h of aws.hashes) expect(text).toContain(`\n    "${h}",\n`);
    });

    it("keeps the mirror's linux_amd64 h1 (offline init, CI runners)", () => {
      expect(aws.hashes).toContain(LINUX_AMD64_H1);
    });

    it("lists every zh: of the registry's SHA256SUMS: 14 platform zips (incl. linux_amd64/arm64, darwin_amd64/arm64, windows_amd64) and the manifest", () => {
      const zh = aws.hashes.filter((h) => h.startsWith("zh:"));
      expect(zh.every((h) => /^zh:[0-9a-f]{64}$/.test(h))).toBe(true);
      expect(zh).toContain(MANIFEST_ZH);
      expect(zh).toHaveLength(PLATFORM_ZIPS + 1);
    });

    it("lists one h1: per platform zip", () => {
      const h1 = aws.hashes.filter((h) => h.startsWith("h1:"));
      expect(h1.every((h) => /^h1:[A-Za-z0-9+/]{43}=$/.test(h))).toBe(true);
      expect(h1).toHaveLength(PLATFORM_ZIPS);
    });
  });

  it("all stacks lock the same hashes", () => {
    const sets = files.map((f) => parseLock(readFileSync(join(LOCKS, f), "utf8"))[0].hashes.join("\n"));
    expect(new Set(sets).size).toBe(1);
  });
});
