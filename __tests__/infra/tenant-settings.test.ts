/**
 * One declaration per tenant setting (lambda-src/contracts/tenant-settings.ts): the configuration's tenant fields,
 * the SSM document the construct writes and `cci upload` checks against, and the start function's parse all come
 * from TENANT_SETTINGS. The properties below are generated from the declaration, so a new setting is covered by
 * declaring it. The construct's synthesized document is checked in key-storage.test.ts ("config parameters").
 */
import * as fc from "fast-check";
import {
  categoryDocument,
  parseTenantSettings,
  type SettingDeclaration,
  SSM_SETTING_LIST,
  TENANT_SETTING_LIST,
  tenantDocument,
  tenantSettingsProblems,
} from "../../lambda-src/contracts/tenant-settings";
import { TRANSCRIBE_LANGUAGES } from "../../lambda-src/core/languages";
import { parseConfig } from "../../modules/config/load";
import { tenantSchema } from "../../modules/config/tenant-schema";
import { configuredTenantSettings } from "../../scripts/cli/commands/upload";
import { BASE_CONFIG, config } from "../helpers/synth";

/** Any value of a setting within its declared range (rules across settings may still refuse the combination). */
function anyValue(d: SettingDeclaration): fc.Arbitrary<unknown> {
  if (d.kind === "boolean") return fc.boolean();
  if (d.kind === "integer") return fc.integer({ min: d.min, max: d.max });
  if (d.kind === "categories") return fc.constantFrom([], [{ name: "churn", conditions: [{ transcript: ["cancel*"], speaker: "customer" }] }]);
  return fc.uniqueArray(fc.constantFrom(...TRANSCRIBE_LANGUAGES), { minLength: d.min, maxLength: d.max });
}
/** A configuration tenant that sets any subset of the settings. */
const configuredTenant = fc.record(Object.fromEntries(TENANT_SETTING_LIST.map(([field, d]) => [field, anyValue(d)])), { requiredKeys: [] });

describe("tenant settings: one declaration", () => {
  it("every declared setting is a tenant field of the configuration and a field of the SSM document (categories: of the analyze package's)", () => {
    const fields = Object.keys(tenantSchema.shape);
    const document = tenantDocument({ id: "acme" }, { retention: { resultsDays: 30 } });
    for (const [field] of TENANT_SETTING_LIST) expect(fields).toContain(field);
    for (const [, d] of SSM_SETTING_LIST) expect(document).toHaveProperty(d.document);
    expect(TENANT_SETTING_LIST.filter(([f]) => !SSM_SETTING_LIST.some(([g]) => g === f)).map(([f]) => f)).toEqual(["categories"]);
    expect(Object.keys(document).sort()).toEqual(["tenant_id", ...SSM_SETTING_LIST.map(([, d]) => d.document)].sort());
  });

  it("a tenant the configuration accepts has a document the start function reads back unchanged; one it refuses, the start function refuses too", () => {
    fc.assert(
      fc.property(configuredTenant, fc.integer({ min: 1, max: 3650 }), (settings, resultsDays) => {
        // Transcripts kept one day, so no results retention in range is shorter (a rule of the retention section).
        const raw = { ...BASE_CONFIG, retention: { resultsDays, transcriptsDays: 1 }, tenants: [{ id: "acme", ...settings }] };
        let cfg: ReturnType<typeof parseConfig> | undefined;
        try {
          cfg = parseConfig(raw, "prod.json");
        } catch {
          // Refused only for a rule across settings (each value is within its range), which the runtime applies too.
          const values = Object.fromEntries(TENANT_SETTING_LIST.map(([f, d]) => [f, (settings as Record<string, unknown>)[f] ?? d.default]));
          expect(tenantSettingsProblems(values as never)).not.toEqual([]);
          expect(() => parseTenantSettings("acme", JSON.stringify(tenantDocument({ id: "acme", ...values }, { retention: { resultsDays } })))).toThrow();
          return;
        }
        const doc = tenantDocument(cfg.tenants[0], cfg);
        expect(parseTenantSettings("acme", JSON.stringify(doc))).toEqual(doc);
        for (const [field, d] of SSM_SETTING_LIST) {
          const own = (settings as Record<string, unknown>)[field];
          const expected = own ?? d.inherit?.(cfg) ?? d.default;
          expect((doc as Record<string, unknown>)[d.document]).toEqual(expected);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("a tenant without its own results retention takes retention.resultsDays, in the construct's document and in `cci upload`'s check (not 30)", () => {
    const cfg = config({ retention: { resultsDays: 90 }, tenants: [{ id: "acme" }, { id: "beta", resultsRetentionDays: 365 }] });
    expect(tenantDocument(cfg.tenants[0], cfg).results_retention_days).toBe(90);
    expect(tenantDocument(cfg.tenants[1], cfg).results_retention_days).toBe(365);
    // Regression: the CLI built its own copy of the document and dropped the fallback, so the start function's parser
    // filled in its own default (30) instead of the environment's 90.
    expect(configuredTenantSettings({ cfg }, "acme")).toEqual(tenantDocument(cfg.tenants[0], cfg));
    expect(configuredTenantSettings({ cfg }, "acme")?.results_retention_days).toBe(90);
    expect(configuredTenantSettings({ cfg }, "beta")?.results_retention_days).toBe(365);
    expect(configuredTenantSettings({ cfg }, "gamma")).toBeUndefined();
  });
});

describe("tenant settings: the start function's parse of the SSM document", () => {
  it("fills a field the document lacks with the declared default (a document written before the setting existed)", () => {
    const defaults = Object.fromEntries(SSM_SETTING_LIST.map(([, d]) => [d.document, d.default]));
    expect(parseTenantSettings("t", '{"languages":["de-DE"]}')).toEqual({ ...defaults, tenant_id: "t", languages: ["de-DE"] });
    expect(parseTenantSettings("t", '{"languages":["de-DE"]}')).toMatchObject({ redact_pii: false, max_speakers: 2, results_retention_days: 30 });
  });
  it("never defaults the languages: a document without them is unusable", () => {
    expect(() => parseTenantSettings("t", '{"redact_pii":false}')).toThrow(
      'Tenant t: languages must be an array of Transcribe language codes ("languages" in the document)',
    );
  });
  it("refuses a value of the wrong type instead of replacing it by the default, naming every field", () => {
    expect(() => parseTenantSettings("t", '{"languages":["en-US"],"redact_pii":"yes","max_speakers":"5"}')).toThrow(
      'Tenant t: redactPii must be true or false ("redact_pii" in the document); maxSpeakers must be a number ("max_speakers" in the document)',
    );
    expect(() => parseTenantSettings("t", "[]")).toThrow("Tenant t: the document is not a JSON object");
  });
  it("applies each setting's range, results retention included", () => {
    expect(() => parseTenantSettings("t", '{"languages":["en-US"],"results_retention_days":0}')).toThrow(
      "Tenant t: resultsRetentionDays must be a whole number 1-3650, got 0",
    );
    expect(() => parseTenantSettings("t", '{"languages":["en-US","en-US"],"max_speakers":2.5}')).toThrow(
      "Tenant t: languages lists a language twice; maxSpeakers must be a whole number 2-30, got 2.5",
    );
  });
});

describe("tenant settings: call categories", () => {
  it("are checked at synth, the error naming the tenant and the rule; the SSM document never carries them", () => {
    const rules = [{ name: "churn", conditions: [{ transcript: ["cancel*"], speaker: "boss" }] }];
    expect(() => parseConfig({ ...BASE_CONFIG, tenants: [{ id: "acme", categories: rules }] }, "prod.json")).toThrow(
      'tenants[0].categories[0]: tenant "acme": categories[0] (rule "churn") conditions[0]: speaker must be one of agent, customer',
    );
    const cfg = config({ tenants: [{ id: "acme", categories: [{ name: "churn", conditions: [{ present: "risks" }] }] }, { id: "beta" }] });
    expect(tenantDocument(cfg.tenants[0], cfg)).not.toHaveProperty("categories");
    expect(categoryDocument(cfg.tenants)).toEqual({ acme: [{ name: "churn", conditions: [{ present: "risks" }] }] });
  });
});
