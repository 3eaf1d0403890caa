/**
 * The one home of the people policies' names and of the roles each is attached to (issue 20, B2): the app stack
 * creates and attaches them (modules/access/index.ts), and the environment's apply role may attach each to exactly its configured
 * roles (modules/bootstrap/apply-access.ts, `iam:AttachRolePolicy` conditioned on `iam:PolicyARN`).
 */
import type { CciLiteConfig } from "../config/schema";
import { transcriptReadersByTenant } from "./access-rules";

export type PeopleGroup = "uploader" | "operator" | "analyst" | "transcript-reader";

/** `<stem>-uploader`, `<stem>-<tenant>-uploader`, `<stem>-operator`, `<stem>-analyst`, `<stem>-<tenant>-transcript-reader`. */
export const peoplePolicyName = (stem: string, group: PeopleGroup, tenant?: string): string => (tenant ? `${stem}-${tenant}-${group}` : `${stem}-${group}`);

export interface PeopleAttachment {
  /** The managed policy's name (in the account, path `/`). */
  readonly policyName: string;
  /** The configured role ARNs it is attached to (never empty). */
  readonly roleArns: readonly string[];
}

/** Every people policy the environment's stack creates, with its roles; groups without roles create nothing. */
export function peopleAttachments(cfg: Pick<CciLiteConfig, "access" | "tenants">, stem: string): PeopleAttachment[] {
  const all: PeopleAttachment[] = [
    { policyName: peoplePolicyName(stem, "uploader"), roleArns: cfg.access.uploaders },
    ...cfg.tenants.map((t) => ({ policyName: peoplePolicyName(stem, "uploader", t.id), roleArns: t.uploaderPrincipals })),
    { policyName: peoplePolicyName(stem, "operator"), roleArns: cfg.access.operators },
    { policyName: peoplePolicyName(stem, "analyst"), roleArns: cfg.access.analysts },
    ...[...transcriptReadersByTenant(cfg.access.transcriptReaders)].map(([tenant, roleArns]) => ({
      policyName: peoplePolicyName(stem, "transcript-reader", tenant),
      roleArns,
    })),
  ];
  return all.filter((a) => a.roleArns.length > 0);
}
