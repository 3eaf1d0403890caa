// Ends this run's plan fixture process if it is still planning (a run that stopped early), and keeps `.plan-cache/`
// small: the runs folder keeps this run, any run whose planner is alive and the 3 newest others (another jest run in
// the same checkout may still read its synthesized stacks); the plan cache keeps this run's plans and the 40 newest
// others.
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..", ".plan-cache");
const KEEP_OTHER_PLANS = 40;
const KEEP_OTHER_RUNS = 3;

function alive(runDir) {
  try {
    process.kill(Number(fs.readFileSync(path.join(runDir, "pid"), "utf8")), 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

module.exports = async () => {
  const id = process.env.CCI_LITE_TEST_RUN;
  const runs = path.join(ROOT, "runs");
  if (!id || !fs.existsSync(runs)) return;
  const runDir = path.join(runs, id);
  try {
    const pid = Number(fs.readFileSync(path.join(runDir, "pid"), "utf8"));
    if (pid && !fs.existsSync(path.join(runDir, "done"))) process.kill(-pid, "SIGTERM");
  } catch {
    /* not started, or already gone */
  }
  const used = new Set();
  for (const target of fs.existsSync(runDir) ? fs.readdirSync(runDir, { withFileTypes: true }) : []) {
    if (!target.isDirectory()) continue;
    for (const f of fs.readdirSync(path.join(runDir, target.name))) {
      if (!f.endsWith(".json")) continue;
      try {
        used.add(path.basename(JSON.parse(fs.readFileSync(path.join(runDir, target.name, f), "utf8")).workDir));
      } catch {
        /* not a plan record */
      }
    }
  }
  const otherRuns = fs
    .readdirSync(runs)
    .filter((r) => r !== id && !alive(path.join(runs, r)))
    .map((r) => ({ r, t: fs.statSync(path.join(runs, r)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { r } of otherRuns.slice(KEEP_OTHER_RUNS)) fs.rmSync(path.join(runs, r), { recursive: true, force: true });
  const plans = path.join(ROOT, "plans");
  if (!fs.existsSync(plans)) return;
  const others = fs
    .readdirSync(plans)
    .filter((p) => !used.has(p))
    .map((p) => ({ p, t: fs.statSync(path.join(plans, p)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { p } of others.slice(KEEP_OTHER_PLANS)) fs.rmSync(path.join(plans, p), { recursive: true, force: true });
};
