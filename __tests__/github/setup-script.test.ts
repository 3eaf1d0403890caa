/**
 * scripts/setup-github.sh with a recording stand-in for `gh` on PATH and the real OpenSSL: the private key goes to the
 * environment secret through standard input (never an argument), the public key to the variable the workflows read,
 * the pair matches and seals/opens with seal.sh; the backup is private; refusals; shellcheck clean.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { planKeyVariable } from "../../scripts/delivery/matrix";

const REPO_ROOT = path.join(__dirname, "..", "..");
const SCRIPT = path.join(REPO_ROOT, "scripts", "setup-github.sh");
const SEAL = path.join(REPO_ROOT, "scripts", "delivery", "seal.sh");

/** A fake `gh`: logs its argv (one line) and its stdin (to a numbered file); `gh api` fails when FAKE_GH_NO_ENV is set. */
const FAKE_GH = `#!/usr/bin/env bash
n=$(ls "$FAKE_GH_DIR" | grep -c '^stdin-' || true)
printf '%s\\n' "$*" >> "$FAKE_GH_DIR/argv.log"
if [[ "$1" == "api" ]]; then [[ -z "\${FAKE_GH_NO_ENV:-}" ]]; exit; fi
cat > "$FAKE_GH_DIR/stdin-$n"
`;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
// Each run generates an RSA 3072 key (about 3 s on these machines).
jest.setTimeout(90_000);

function setup(args: string[], extraEnv: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "setup-github-"));
  dirs.push(dir);
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, "gh"), FAKE_GH, { mode: 0o755 });
  const r = spawnSync("bash", [SCRIPT, ...args.map((a) => a.replace("$DIR", dir))], {
    encoding: "utf8",
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_GH_DIR: dir, ...extraEnv },
  });
  const read = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), "utf8") : "");
  return { ...r, dir, argv: read("argv.log").trim().split("\n").filter(Boolean), read };
}

describe("scripts/setup-github.sh", () => {
  it("sets the private key as the environment secret and the public key as the variable, from stdin; keeps a private backup", () => {
    const r = setup(["conversant/cci-lite", "prod", "$DIR/backup.pem"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.argv).toEqual([
      "api repos/conversant/cci-lite/environments/prod --silent",
      "secret set PLAN_PRIVATE_KEY --repo conversant/cci-lite --env prod",
      `variable set ${planKeyVariable("prod")} --repo conversant/cci-lite`,
    ]);
    const privateKey = r.read("stdin-0");
    const publicKey = r.read("stdin-1");
    expect(privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(r.argv.join("\n")).not.toContain("BEGIN");
    const backup = path.join(r.dir, "backup.pem");
    expect(fs.readFileSync(backup, "utf8")).toBe(privateKey);
    expect(fs.statSync(backup).mode & 0o777).toBe(0o600);
    // The pair works with seal.sh: sealed with the variable's key, opened with the secret's.
    fs.writeFileSync(path.join(r.dir, "pub.pem"), publicKey);
    fs.writeFileSync(path.join(r.dir, "plan.txt"), "plan");
    const sealed = spawnSync("bash", [SEAL, "seal", path.join(r.dir, "pub.pem"), path.join(r.dir, "plan.txt"), path.join(r.dir, "p.sealed")], {
      encoding: "utf8",
    });
    expect(sealed.status).toBe(0);
    // seal prints the sealed file's SHA-256; open requires it (the digest the plan job hands the apply job).
    const digest = /[0-9a-f]{64}/.exec(sealed.stdout)?.[0] ?? "";
    expect(spawnSync("bash", [SEAL, "open", backup, path.join(r.dir, "p.sealed"), path.join(r.dir, "out.txt"), digest]).status).toBe(0);
    expect(fs.readFileSync(path.join(r.dir, "out.txt"), "utf8")).toBe("plan");
  });

  it("names the variable as the workflows' matrix does", () => {
    for (const env of ["pre-prod", "qa.eu"]) {
      const r = setup(["o/r", env, "$DIR/b.pem"]);
      expect(r.argv[2]).toBe(`variable set ${planKeyVariable(env)} --repo o/r`);
    }
  });

  it("refuses a missing environment (apply the github stack first), an existing backup file and bad arguments", () => {
    const noEnv = setup(["o/r", "prod", "$DIR/b.pem"], { FAKE_GH_NO_ENV: "1" });
    expect(noEnv.status).toBe(1);
    expect(noEnv.stderr).toMatch(/environment prod does not exist .* apply the github stack first/);
    expect(noEnv.argv).toHaveLength(1);
    const exists = setup(["o/r", "prod", "$DIR/bin/gh"]);
    expect(exists.stderr).toMatch(/exists already/);
    expect(setup(["not a repo", "prod", "$DIR/b.pem"]).stderr).toMatch(/is not owner\/name/);
    expect(setup(["o/r"]).stderr).toMatch(/usage:/);
  });

  it("passes shellcheck", () => {
    const r = spawnSync("shellcheck", [SCRIPT], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
