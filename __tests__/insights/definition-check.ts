/**
 * Checks a synthesized `aws_quicksight_dashboard` against the synthesized data sets it declares, the way QuickSight
 * would reject it at apply time: every field reference (`column` blocks, and `{column}` in calculated measures)
 * names a column of the data set it points at, a visual reads one data set, and visual, sheet, field, filter and
 * control ids are unique. Each problem names the visual (or filter) it is in.
 */

export interface DataSetColumns {
  /** Data set resource address (`aws_quicksight_data_set.<id>`) -> its input column names. */
  readonly [address: string]: readonly string[];
}

/** Input (or custom SQL) column names of every synthesized data set, by `${aws_quicksight_data_set.<id>.arn}`. */
export function dataSetColumns(resources: Record<string, any>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [id, ds] of Object.entries(resources)) {
    const tables = ds.physical_table_map as any[];
    out[`\${aws_quicksight_data_set.${id}.arn}`] = tables.flatMap((t) => [
      ...(t.relational_table?.input_columns ?? []).map((c: any) => c.name),
      ...(t.custom_sql?.columns ?? []).map((c: any) => c.name),
    ]);
  }
  return out;
}

interface Ref {
  readonly data_set_identifier: string;
  readonly column_name: string;
}

/** Every `column` block and calculated expression under a node. */
function collect(node: unknown, refs: Ref[], expressions: string[], fieldIds: string[]): void {
  if (Array.isArray(node)) {
    for (const n of node) collect(n, refs, expressions, fieldIds);
    return;
  }
  if (!node || typeof node !== "object") return;
  for (const [k, v] of Object.entries(node)) {
    if (k === "column") for (const c of v as Ref[]) refs.push(c);
    else if (k === "expression" && typeof v === "string") expressions.push(v);
    else if (k === "field_id" && typeof v === "string") fieldIds.push(v);
    else collect(v, refs, expressions, fieldIds);
  }
}

/** The problems of a dashboard definition; empty when it is consistent. */
export function checkDefinition(definition: any, columnsByArn: Record<string, readonly string[]>): string[] {
  const problems: string[] = [];
  const declared = new Map<string, readonly string[]>();
  for (const d of definition.data_set_identifiers_declarations as Array<{ identifier: string; data_set_arn: string }>) {
    if (declared.has(d.identifier)) problems.push(`data set identifier "${d.identifier}" is declared twice`);
    const cols = columnsByArn[d.data_set_arn];
    if (!cols) problems.push(`data set identifier "${d.identifier}" points at ${d.data_set_arn}, which is not a data set of the stack`);
    declared.set(d.identifier, cols ?? []);
  }
  const ids = new Map<string, string>();
  const unique = (kind: string, id: string) => {
    const prev = ids.get(id);
    if (prev) problems.push(`${kind} id "${id}" is also a ${prev} id`);
    else ids.set(id, kind);
  };
  const checkRefs = (where: string, refs: readonly Ref[]) => {
    for (const r of refs) {
      const cols = declared.get(r.data_set_identifier);
      if (!cols) problems.push(`${where}: data set identifier "${r.data_set_identifier}" is not declared`);
      else if (!cols.includes(r.column_name))
        problems.push(`${where}: column "${r.column_name}" is not in data set "${r.data_set_identifier}" (has: ${cols.join(", ")})`);
    }
  };
  for (const sheet of definition.sheets as any[]) {
    unique("sheet", sheet.sheet_id);
    for (const visual of sheet.visuals as any[]) {
      const kinds = Object.entries(visual).filter(([, v]) => v);
      if (kinds.length !== 1) {
        problems.push(`sheet ${sheet.sheet_id}: a visual has ${kinds.length} kinds`);
        continue;
      }
      const [kind, [body]] = kinds[0] as [string, any[]];
      const where = `visual "${body.visual_id}" (${kind})`;
      unique("visual", body.visual_id);
      const refs: Ref[] = [];
      const expressions: string[] = [];
      const fieldIds: string[] = [];
      collect(body.chart_configuration, refs, expressions, fieldIds);
      for (const f of fieldIds) unique("field", f);
      checkRefs(where, refs);
      const sets = [...new Set(refs.map((r) => r.data_set_identifier))];
      if (sets.length !== 1) problems.push(`${where}: reads ${sets.length} data sets (${sets.join(", ")}); a visual reads one`);
      const cols = declared.get(sets[0]) ?? [];
      for (const e of expressions)
        for (const m of e.matchAll(/\{([^}]+)\}/g))
          if (!cols.includes(m[1])) problems.push(`${where}: calculated field "${e}" names "${m[1]}", not a column of data set "${sets[0]}"`);
    }
    for (const control of (sheet.filter_controls ?? []) as any[])
      for (const [, [c]] of Object.entries(control) as Array<[string, any[]]>) unique("filter control", c.filter_control_id);
    const layoutIds = (sheet.layouts ?? []).flatMap((l: any) =>
      l.configuration.flatMap((c: any) => (c.grid_layout ?? []).flatMap((g: any) => g.elements.map((e: any) => e.element_id))),
    );
    for (const id of layoutIds) if (!ids.has(id)) problems.push(`sheet ${sheet.sheet_id}: layout element "${id}" is no visual or control`);
    for (const [id, kind] of ids)
      if ((kind === "visual" || kind === "filter control") && !layoutIds.includes(id))
        problems.push(`sheet ${sheet.sheet_id}: ${kind} "${id}" is not in the layout`);
  }
  for (const group of (definition.filter_groups ?? []) as any[]) {
    unique("filter group", group.filter_group_id);
    for (const f of group.filters as any[])
      for (const [kind, [body]] of Object.entries(f) as Array<[string, any[]]>) {
        unique("filter", body.filter_id);
        checkRefs(`filter "${body.filter_id}" (${kind})`, body.column);
      }
  }
  return problems;
}
