/** The `github` section's repository-settings fields: defaults, and errors that name the field. */
import { parseConfig } from "../../modules/config/load";

const base = { environment: "dev", accountId: "123456789012", github: { repository: "acme/cci" } };
const withGithub = (github: Record<string, unknown>) => parseConfig({ ...base, github: { repository: "acme/cci", ...github } }, "dev.json");

describe("config: github repository settings", () => {
  it("defaults: no reviewers, no code owners, one approval, artifacts kept 7 days", () => {
    expect(parseConfig(base, "dev.json").github).toMatchObject({
      reviewers: { users: [], teams: [] },
      codeOwners: [],
      requiredApprovals: 1,
      artifactRetentionDays: 7,
    });
  });
  it("takes reviewers by numeric id, at most 6 users and teams together", () => {
    expect(withGithub({ reviewers: { users: [1, 2], teams: [3] } }).github.reviewers).toEqual({ users: [1, 2], teams: [3] });
    expect(() => withGithub({ reviewers: { users: [1, 2, 3, 4], teams: [5, 6, 7] } })).toThrow(/github\.reviewers: at most 6 reviewers/);
    expect(() => withGithub({ reviewers: { users: ["octocat"] } })).toThrow(/github\.reviewers\.users\[0\]/);
    expect(() => withGithub({ reviewers: { groups: [1] } })).toThrow(/github\.reviewers/);
  });
  it("takes code owners as @user or @org/team only", () => {
    expect(withGithub({ codeOwners: ["@octocat", "@acme/admins"] }).github.codeOwners).toEqual(["@octocat", "@acme/admins"]);
    expect(() => withGithub({ codeOwners: ["acme/admins"] })).toThrow(/github\.codeOwners\[0\]: must be @user or @org\/team/);
  });
  it("bounds the approvals and the artifact retention", () => {
    expect(() => withGithub({ requiredApprovals: 0 })).toThrow(/github\.requiredApprovals/);
    expect(() => withGithub({ artifactRetentionDays: 401 })).toThrow(/github\.artifactRetentionDays/);
  });
});
