/**
 * `github-oidc-provider`: the bootstrap stack can create, or reuse, the GitHub OIDC provider (docs/doctor.md, "The checks").
 */
import type { CciLiteConfig } from "../../../modules/config/schema";
import { type Fact, GITHUB_OIDC_HOST, type OidcFacts, PROJECT_TAG } from "../facts";
import { type CheckContext, type CheckResult, taggedByProject, unavailableResult } from "./shared";

export function useExistingOidcProvider(cfg: CciLiteConfig): boolean {
  return cfg.github.useExistingOidcProvider === true;
}

export function checkGithubOidcProvider(f: Fact<OidcFacts>, ctx: CheckContext): CheckResult {
  const id = "github-oidc-provider";
  if (!f.ok) return unavailableResult(id, f.error);
  const useExisting = useExistingOidcProvider(ctx.cfg);
  const { providerArn, tags } = f.value;
  if (providerArn && !useExisting) {
    if (taggedByProject(tags)) {
      return {
        id,
        status: "ok",
        message: `${providerArn} exists and is tagged ${PROJECT_TAG.key}=${PROJECT_TAG.value}: created by this project's bootstrap stack`,
      };
    }
    return {
      id,
      status: "problem",
      message: `the account already has ${providerArn}; the bootstrap stack would create another and fail with EntityAlreadyExists`,
      fix: `set github.useExistingOidcProvider: true in ${ctx.configFile}`,
    };
  }
  if (!providerArn && useExisting) {
    return {
      id,
      status: "problem",
      message: `github.useExistingOidcProvider is true but the account has no OIDC provider for ${GITHUB_OIDC_HOST}`,
      fix: `set github.useExistingOidcProvider: false in ${ctx.configFile} (the bootstrap stack then creates it)`,
    };
  }
  return providerArn
    ? { id, status: "ok", message: `uses the existing ${providerArn} (github.useExistingOidcProvider: true)` }
    : { id, status: "ok", message: `no OIDC provider for ${GITHUB_OIDC_HOST} yet; the bootstrap stack creates it` };
}
