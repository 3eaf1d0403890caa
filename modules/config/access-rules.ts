/**
 * Rules across `access.transcriptReaders` and the rest of the configuration (docs/security.md, people):
 * a group names at least one role and only configured tenants, and none of its roles is an operator or an analyst,
 * whose policies deny every transcript (`NeverReadTranscripts`, modules/access/index.ts): an explicit deny wins over
 * the reader's allow, so such a role would read nothing, and the groups that must not read transcripts stay apart.
 */

export interface AccessIssue {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

interface AccessInput {
  readonly access: {
    readonly operators: readonly string[];
    readonly analysts: readonly string[];
    readonly transcriptReaders: ReadonlyArray<{ readonly principals: readonly string[]; readonly tenants: readonly string[] }>;
  };
  readonly tenants: ReadonlyArray<{ readonly id: string }>;
}

export function transcriptReaderIssues(c: AccessInput): AccessIssue[] {
  const issues: AccessIssue[] = [];
  const tenants = c.tenants.map((t) => t.id);
  c.access.transcriptReaders.forEach((group, i) => {
    const at = (path: ReadonlyArray<string | number>, message: string) => issues.push({ path: ["access", "transcriptReaders", i, ...path], message });
    if (group.principals.length === 0) at(["principals"], "needs at least one role");
    group.tenants.forEach((t, j) => {
      if (!tenants.includes(t)) at(["tenants", j], `"${t}" is not a configured tenant (have: ${tenants.join(", ")})`);
    });
    group.principals.forEach((p, k) => {
      for (const other of ["operators", "analysts"] as const) {
        if (c.access[other].includes(p))
          at(
            ["principals", k],
            `is also in access.${other}, whose policy denies every transcript (NeverReadTranscripts; the deny wins): read transcripts with a role of its own`,
          );
      }
    });
  });
  return issues;
}

/** Principals per tenant of `access.transcriptReaders` (a role in several groups, or named twice, counts once). */
export function transcriptReadersByTenant(groups: AccessInput["access"]["transcriptReaders"]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const g of groups) for (const t of g.tenants) out.set(t, [...new Set([...(out.get(t) ?? []), ...g.principals])]);
  return out;
}
