/**
 * `bucket-names/<kind>`: the input, results and state bucket names are free, or already this stack's (docs/doctor.md, "The checks").
 */
import type { BucketFacts } from "../facts";
import { type CheckContext, type CheckResult, taggedByProject, unavailableResult } from "./shared";

export function checkBucket(b: BucketFacts, ctx: CheckContext): CheckResult {
  const id = `bucket-names/${b.kind}`;
  if (!b.probe.ok) return unavailableResult(id, b.probe.error);
  const p = b.probe.value;
  const where = p.region ? ` in ${p.region}` : "";
  const rename =
    b.kind === "state"
      ? `set namePrefix in ${ctx.configFile} (the state bucket is <namePrefix>-tfstate-<account>-<region>)`
      : `set buckets.${b.kind} in ${ctx.configFile} to a free name`;
  switch (p.state) {
    case "free":
      return { id, status: "ok", message: `${b.name} is free` };
    case "forbidden":
      return {
        id,
        status: "problem",
        message: `${b.name} is taken by another account (HeadBucket with this account as expected owner: 403; if the bucket is yours, the caller lacks s3:ListBucket on it)`,
        fix: rename,
      };
    case "ours":
      if (b.kind === "state") return { id, status: "ok", message: `${b.name} exists in this account${where}: the bootstrap stack has been applied` };
      if (taggedByProject(p.tags, ctx.cfg.environment)) {
        return { id, status: "ok", message: `${b.name} exists${where}, tagged by this environment's stack (already applied)` };
      }
      return {
        id,
        status: "problem",
        message: `${b.name} already exists in this account${where} and was not created by this stack`,
        fix: `import it into the stack's state (terraform import) or ${rename.replace("to a free name", "to another name")}`,
      };
  }
}
