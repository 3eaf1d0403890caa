/** docs/cli.md's Permissions table, rendered from the one table of ./cli-permissions.ts. */
import type { CciLiteConfig } from "../config/schema";
import { naming } from "../config/naming";
import { CLI_PERMISSIONS } from "./cli-permissions";
import type { PermissionPlace, Via } from "./cli-requests";

/** Placeholders for the documentation: the same functions, with `<name>` for every configured value. */
export function placeholderPlace(): PermissionPlace {
  // naming() reads only these fields of the configuration.
  const cfg = { namePrefix: "<prefix>", environment: "<env>", accountId: "<account>", region: "<region>", buckets: {} } as unknown as CciLiteConfig;
  return {
    names: naming(cfg),
    region: "<region>",
    accountId: "<account>",
    keyId: "<key id>",
    tenant: "<tenant>",
    file: "<file>",
    callId: "<call id>",
    day: new Date(Date.UTC(2000, 0, 1)),
    jobSuffix: "<tenant>-<call id>-<hash>",
    listStart: "<call id start>",
  };
}

const VIA_TEXT: Record<Via, string> = {
  caller: "",
  s3: " (by S3 for the caller)",
  sqs: " (by SQS for the caller)",
  athena: " (by Athena for the caller)",
  "athena+s3": " (by S3 for Athena for the caller)",
};

/**
 * docs/cli.md's Permissions table: one line per row, resources rendered with `place` (placeholders). Result keys
 * are shown as `<tenant>/YYYY/MM/DD/<call id>.json`.
 */
export function permissionsMarkdown(place: PermissionPlace): string {
  const day = /\/2000\/01\/01\//g;
  const lines = [
    "| command | group | IAM action | resource | optional | needed for |",
    "|---|---|---|---|---|---|",
    ...CLI_PERMISSIONS.map((r) => {
      const resource = r.resource(place).replace(day, "/YYYY/MM/DD/");
      return `| ${r.commands.join(", ")} | ${r.groups.join(", ")} | \`${r.action}\`${VIA_TEXT[r.via]} | \`${resource}\` | ${r.optional ? "yes" : "no"} | ${r.why} |`;
    }),
  ];
  return lines.join("\n");
}
