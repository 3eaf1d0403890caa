/** `npm run synth` (tsx main.ts) as a user runs it: a bad configuration fails before any output. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BASE_CONFIG } from "../helpers/synth";

const REPO = path.resolve(__dirname, "..", "..");

function synth(configDir: string, cwd: string) {
  return spawnSync(process.execPath, [path.join(REPO, "node_modules", "tsx", "dist", "cli.mjs"), path.join(REPO, "main.ts")], {
    cwd,
    env: { ...process.env, CCI_LITE_CONFIG_DIR: configDir, CCI_LITE_ENVS: "", CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
  });
}

describe("synth entry point (main.ts)", () => {
  it("fails before writing anything, naming the file and every bad field", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cci-cli-"));
    const configDir = path.join(dir, "config");
    fs.mkdirSync(configDir);
    const bad = { ...BASE_CONFIG, tenants: [{ id: "demo-tenant" }, { id: "Demo Tenant" }, { id: "demo-tenant" }], retention: { inputDays: 0 } };
    fs.writeFileSync(path.join(configDir, "prod.json"), JSON.stringify(bad));
    const r = synth(configDir, dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`Invalid configuration ${path.join(configDir, "prod.json")}:`);
    expect(r.stderr).toContain("tenants[1].id: must be 1-32 characters");
    expect(r.stderr).toContain('tenants[2].id: duplicates tenants[0].id "demo-tenant"');
    expect(r.stderr).toContain("retention.inputDays: Too small");
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(fs.existsSync(path.join(dir, "cdktf.out"))).toBe(false);
  }, 60_000);
});
