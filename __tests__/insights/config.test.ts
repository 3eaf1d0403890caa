/** The configuration of the insights: QuickSight groups, the operators group, the refresh schedule. */
import { ConfigError } from "../../modules/config/errors";
import { parseConfig } from "../../modules/config/load";
import { quicksightGroupArn } from "../../modules/config/naming";
import { BASE_CONFIG, config } from "../helpers/synth";

function problems(raw: unknown): string[] {
  try {
    parseConfig(raw, "config/prod.json");
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return [...(e as ConfigError).problems];
  }
  throw new Error("expected the configuration to be rejected");
}

describe("quicksight configuration", () => {
  it("defaults: SPICE refreshed daily at 04:00 UTC, namespace default, no groups", () => {
    const c = parseConfig({ environment: "dev", accountId: "123456789012", github: { repository: "acme/cci" } }, "dev.json");
    expect(c.quicksight).toEqual({
      enabled: false,
      serviceRoleName: "service-role/aws-quicksight-service-role-v0",
      namespace: "default",
      refresh: { mode: "spice", dailyAt: "04:00", timezone: "UTC" },
    });
    expect(c.tenants[0].quicksightGroups).toEqual([]);
  });

  it("rejects a bad time, time zone, mode and group names, naming the field", () => {
    const p = problems({
      ...BASE_CONFIG,
      tenants: [{ id: "a", quicksightGroups: ["bad group"] }],
      quicksight: { ...BASE_CONFIG.quicksight, operatorsGroup: "ops/x", refresh: { mode: "hourly", dailyAt: "4:00", timezone: "Mars/Olympus" } },
    });
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^tenants\[0\]\.quicksightGroups\[0\]: is not a QuickSight group name/),
        expect.stringMatching(/^quicksight\.operatorsGroup: is not a QuickSight group name/),
        expect.stringMatching(/^quicksight\.refresh\.mode: /),
        expect.stringMatching(/^quicksight\.refresh\.dailyAt: must be HH:MM \(24 h\)/),
        expect.stringMatching(/^quicksight\.refresh\.timezone: is not an IANA time zone name/),
      ]),
    );
  });

  it("a tenant may not list the operators group (it would see every tenant)", () => {
    const p = problems({ ...BASE_CONFIG, tenants: [{ id: "a", quicksightGroups: ["viewers", "cci-lite-operators"] }] });
    expect(p).toEqual([expect.stringMatching(/^tenants\[0\]\.quicksightGroups\[1\]: "cci-lite-operators" is quicksight\.operatorsGroup/)]);
  });

  it("group ARNs are in the QuickSight identity region (the owner's), not necessarily the deployment region", () => {
    const c = config({ quicksight: { ...BASE_CONFIG.quicksight, principalArn: "arn:aws:quicksight:us-east-1:111122223333:user/default/admin" } });
    expect(quicksightGroupArn(c, "g")).toBe("arn:aws:quicksight:us-east-1:111122223333:group/default/g");
  });
});
