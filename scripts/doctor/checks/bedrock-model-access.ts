/**
 * `bedrock-model-access`: the account may invoke the configured Bedrock model in its region (docs/doctor.md, "The checks").
 */
import type { BedrockFacts } from "../facts";
import { type CheckContext, type CheckResult, unavailableResult } from "./shared";

export function checkBedrock(b: BedrockFacts, ctx: CheckContext): CheckResult {
  const id = "bedrock-model-access";
  const accessFix = `request model access in the Bedrock console in ${b.region}: open ${b.foundationModelId} in the Model catalog (Anthropic models: submit the one-time use case details; older consoles: Model access page); the account needs a valid payment method and aws-marketplace:Subscribe for the automatic subscription`;
  const missing: string[] = [];
  if (b.isProfile && b.profile) {
    if (!b.profile.ok) return unavailableResult(id, b.profile.error);
    if (!b.profile.value.exists) {
      return {
        id,
        status: "problem",
        message: `inference profile ${b.modelId} does not exist in ${b.region}`,
        fix: `set bedrock.modelId (or bedrock.region) in ${ctx.configFile} to a profile offered in that region`,
      };
    }
    if (b.profile.value.status && b.profile.value.status !== "ACTIVE") missing.push(`inference profile status ${b.profile.value.status} (not ACTIVE)`);
  }
  if (!b.availability.ok) return unavailableResult(id, b.availability.error);
  const a = b.availability.value;
  if (!a.exists) {
    return {
      id,
      status: "problem",
      message: `foundation model ${b.foundationModelId} is unknown to Bedrock in ${b.region}`,
      fix: `set bedrock.modelId (or bedrock.region) in ${ctx.configFile} to a model offered in that region`,
    };
  }
  if (a.regionAvailability !== "AVAILABLE") missing.push(`regionAvailability ${a.regionAvailability ?? "unknown"} (the model is not offered in ${b.region})`);
  if (a.authorizationStatus !== "AUTHORIZED") missing.push(`authorizationStatus ${a.authorizationStatus ?? "unknown"}`);
  if (a.entitlementAvailability !== "AVAILABLE") missing.push(`entitlementAvailability ${a.entitlementAvailability ?? "unknown"}`);
  if (a.agreementStatus !== "AVAILABLE")
    missing.push(`agreementAvailability.status ${a.agreementStatus ?? "unknown"}${a.agreementError ? ` (${a.agreementError})` : ""}`);
  const what = b.isProfile ? `${b.modelId} → ${b.foundationModelId}` : b.foundationModelId;
  if (missing.length > 0) {
    const regionOnly = missing.length === 1 && a.regionAvailability !== "AVAILABLE";
    return {
      id,
      status: "problem",
      message: `${what} in ${b.region}: ${missing.join("; ")}`,
      fix: regionOnly ? `set bedrock.region (or bedrock.modelId) in ${ctx.configFile} to a region that offers the model` : accessFix,
    };
  }
  return { id, status: "ok", message: `${what} in ${b.region}: authorized, entitled, agreement and region available${b.isProfile ? ", profile ACTIVE" : ""}` };
}
