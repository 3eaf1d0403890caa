/**
 * `guardduty-detector`: the stack can create, or forward the findings of, the region's GuardDuty detector (docs/doctor.md, "The checks").
 */
import type { CciLiteConfig } from "../../../modules/config/schema";
import type { Fact, GuardDutyFacts } from "../facts";
import { type CheckContext, type CheckResult, taggedByProject, unavailableResult } from "./shared";

export function createsDetector(cfg: CciLiteConfig): boolean {
  return cfg.guardduty.createDetector !== false;
}

export function checkGuardDuty(f: Fact<GuardDutyFacts> | undefined, ctx: CheckContext): CheckResult {
  const id = "guardduty-detector";
  if (!ctx.cfg.guardduty.enabled) return { id, status: "skipped", message: "guardduty.enabled is false" };
  if (!f) return { id, status: "skipped", message: "not gathered" };
  if (!f.ok) return unavailableResult(id, f.error);
  const create = createsDetector(ctx.cfg);
  const [detector] = f.value.detectorIds;
  const region = ctx.cfg.region;
  if (detector && create) {
    if (taggedByProject(f.value.tags, ctx.cfg.environment)) {
      return { id, status: "ok", message: `detector ${detector} in ${region} is tagged by this environment's stack (already applied)` };
    }
    return {
      id,
      status: "problem",
      message: `${region} already has GuardDuty detector ${detector}; the stack would create a second one and fail`,
      fix: `set guardduty.createDetector: false in ${ctx.configFile} (one detector per region; the stack then only forwards findings)`,
    };
  }
  if (!detector && !create) {
    return {
      id,
      status: "problem",
      message: `guardduty.createDetector is false but ${region} has no GuardDuty detector, so there are no findings to forward`,
      fix: `set guardduty.createDetector: true in ${ctx.configFile}, or enable GuardDuty in ${region}`,
    };
  }
  return detector
    ? { id, status: "ok", message: `uses the existing detector ${detector} in ${region} (guardduty.createDetector: false)` }
    : { id, status: "ok", message: `no detector in ${region} yet; the stack creates one` };
}
