/**
 * The QuickSight side of the insights (modules/insights): the synthesized dashboard definition re-read and checked
 * against the synthesized data sets, row-level security, refresh, and nothing QuickSight with QuickSight off.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { dashboardDefinition, VISUAL_SOURCES } from "../../modules/insights/definition";
import { INSIGHT_VIEWS } from "../../modules/insights/views";
import { definitionRevision } from "../../modules/insights/index";
import { BASE_CONFIG, synthApp, type Synthesized } from "../helpers/synth";
import { checkDefinition, dataSetColumns } from "./definition-check";

let prod: Synthesized;
beforeAll(() => {
  prod = synthApp();
});

const dashboard = (s: Synthesized) => s.resource("aws_quicksight_dashboard");
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

describe("dashboard definition", () => {
  it("every field reference names a column of its data set, and every id is unique", () => {
    const problems = checkDefinition(dashboard(prod).definition, dataSetColumns(prod.resources("aws_quicksight_data_set")));
    expect(problems).toEqual([]);
  });

  it("has the guide's visuals plus failures, sentiment per tenant, action items, talk time, and a tenant filter", () => {
    const def = dashboard(prod).definition;
    const ids = def.sheets[0].visuals.map((v: any) => (Object.values(v)[0] as any[])[0].visual_id);
    expect(ids.sort()).toEqual(Object.keys(VISUAL_SOURCES).sort());
    expect(def.sheets[0].visuals.find((v: any) => v.word_cloud_visual)).toBeDefined();
    const filter = def.filter_groups[0];
    expect(filter).toMatchObject({ cross_dataset: "ALL_DATASETS", filters: [{ category_filter: [{ column: [{ column_name: "tenant" }] }] }] });
    expect(def.sheets[0].filter_controls[0].dropdown[0].source_filter_id).toBe(filter.filters[0].category_filter[0].filter_id);
  });

  it("a planted bad field reference fails the check, naming the visual", () => {
    const def = clone(dashboard(prod).definition);
    const wordCloud = def.sheets[0].visuals.find((v: any) => v.word_cloud_visual).word_cloud_visual[0];
    wordCloud.chart_configuration[0].field_wells[0].word_cloud_aggregated_field_wells[0].group_by[0].categorical_dimension_field[0].column[0].column_name =
      "summary_word";
    expect(checkDefinition(def, dataSetColumns(prod.resources("aws_quicksight_data_set")))).toEqual([
      expect.stringMatching(/^visual "summary-terms" \(word_cloud_visual\): column "summary_word" is not in data set "terms"/),
    ]);
  });

  it("a planted bad calculated field, a duplicate visual id and a visual over two data sets fail too", () => {
    const def = clone(dashboard(prod).definition);
    const visuals = def.sheets[0].visuals;
    const line = visuals.find((v: any) => v.line_chart_visual).line_chart_visual[0];
    line.chart_configuration[0].field_wells[0].line_chart_aggregated_field_wells[0].values[0].calculated_measure_field[0].expression =
      "sum({score_total}) / sum({scored_calls})";
    visuals.find((v: any) => v.table_visual).table_visual[0].visual_id = "calls-by-day";
    const bar = visuals.find((v: any) => v.bar_chart_visual).bar_chart_visual[0];
    bar.chart_configuration[0].field_wells[0].bar_chart_aggregated_field_wells[0].colors[0].categorical_dimension_field[0].column[0].data_set_identifier =
      "failures";
    const problems = checkDefinition(def, dataSetColumns(prod.resources("aws_quicksight_data_set")));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          `visual "average-sentiment" (line_chart_visual): calculated field "sum({score_total}) / sum({scored_calls})" names "score_total"`,
        ),
        'visual id "calls-by-day" is also a visual id',
        expect.stringContaining('visual "calls-by-day" (bar_chart_visual): reads 2 data sets (calls, failures)'),
      ]),
    );
  });

  it("declares its data sets in identifier order (the provider's perpetual diff on their order, #36733)", () => {
    const ids = dashboard(prod).definition.data_set_identifiers_declarations.map((d: any) => d.identifier);
    expect(ids).toEqual([...ids].sort());
  });

  it("uses none of the shapes the provider fails to round-trip", () => {
    const text = JSON.stringify(dashboard(prod).definition);
    for (const avoided of [
      "axis_display_options",
      "sort_configuration",
      "calculated_fields",
      "parameter_declarations",
      "format_configuration",
      "missing_data_configurations",
    ])
      expect(text).not.toContain(avoided);
  });

  it("the owner manages the dashboard; operators and tenant groups may only view it", () => {
    const perms = dashboard(prod).permissions as Array<{ principal: string; actions: string[] }>;
    expect(perms.map((p) => p.principal).sort()).toEqual([
      "arn:aws:quicksight:eu-central-1:111122223333:group/default/cci-lite-operators",
      "arn:aws:quicksight:eu-central-1:111122223333:group/default/demo-tenant-viewers",
      "arn:aws:quicksight:eu-central-1:111122223333:user/default/cci-lite-admin",
    ]);
    for (const p of perms.filter((x) => x.principal.includes(":group/")))
      expect(p.actions.sort()).toEqual(["quicksight:DescribeDashboard", "quicksight:ListDashboardVersions", "quicksight:QueryDashboard"]);
  });
});

describe("data sets", () => {
  it("one per view, over the view, each filtered by the row-level security data set", () => {
    const sets = prod.resources("aws_quicksight_data_set");
    const rls = prod.resource("aws_quicksight_data_set", "rls-rules");
    const rlsId = Object.entries(sets).find(([, v]) => v === rls)![0];
    for (const view of INSIGHT_VIEWS) {
      const ds = prod.resource("aws_quicksight_data_set", `data-set-${view.id}_`);
      expect(ds.physical_table_map[0].relational_table).toMatchObject({ schema: "cci_lite_prod", name: view.name });
      expect(ds.row_level_permission_data_set).toEqual({
        arn: `\${aws_quicksight_data_set.${rlsId}.arn}`,
        permission_policy: "GRANT_ACCESS",
        format_version: "VERSION_2",
        status: "ENABLED",
      });
      expect(ds.import_mode).toBe("SPICE");
      expect(ds.depends_on).toEqual([expect.stringMatching(/^aws_glue_catalog_table\.insight-views_view-/)]);
    }
  });

  it("every data set with a tenant column (the insight views' and the guide's calls) is filtered by the rules", () => {
    const sets = Object.entries(prod.resources("aws_quicksight_data_set"));
    const [rlsId] = sets.find(([id]) => id.includes("rls-rules"))!;
    const columns = (ds: any): string[] => {
      const t = ds.physical_table_map[0];
      return (t.relational_table?.input_columns ?? t.custom_sql?.columns ?? []).map((c: any) => c.name);
    };
    const withTenant = sets.filter(([id, ds]) => id !== rlsId && columns(ds).includes("tenant"));
    expect(withTenant.map(([id]) => id)).toEqual(expect.arrayContaining([expect.stringContaining("dashboards_calls")]));
    expect(withTenant.length).toBeGreaterThan(INSIGHT_VIEWS.length);
    for (const [id, ds] of withTenant) expect([id, ds.row_level_permission_data_set?.arn]).toEqual([id, `\${aws_quicksight_data_set.${rlsId}.arn}`]);
  });

  it("the rules: the owner and the operators group see every tenant (null), each tenant's groups their tenant", () => {
    const sql = prod.resource("aws_quicksight_data_set", "rls-rules").physical_table_map[0].custom_sql.sql_query as string;
    const rows = [...sql.matchAll(/\((CAST\([^)]*\)(?:, CAST\([^)]*\)){2})\)/g)].map((m) =>
      [...m[1].matchAll(/CAST\((NULL|'[^']*') AS varchar\)/g)].map((x) => (x[1] === "NULL" ? null : x[1].slice(1, -1))),
    );
    expect(rows).toEqual([
      ["arn:aws:quicksight:eu-central-1:111122223333:user/default/cci-lite-admin", null, null],
      [null, "arn:aws:quicksight:eu-central-1:111122223333:group/default/cci-lite-operators", null],
      [null, "arn:aws:quicksight:eu-central-1:111122223333:group/default/demo-tenant-viewers", "demo-tenant"],
    ]);
    expect(sql).toContain('AS rules("UserARN", "GroupARN", "tenant")');
  });

  it("a daily SPICE refresh per data set at the configured time; none with direct query", () => {
    const schedules = Object.values(prod.resources("aws_quicksight_refresh_schedule"));
    expect(schedules).toHaveLength(INSIGHT_VIEWS.length);
    for (const s of schedules)
      expect(s.schedule).toEqual([
        { refresh_type: "FULL_REFRESH", schedule_frequency: [{ interval: "DAILY", time_of_the_day: "04:00", timezone: "Europe/Berlin" }] },
      ]);
    const direct = synthApp({ quicksight: { ...BASE_CONFIG.quicksight, refresh: { mode: "direct" } } });
    expect(direct.resources("aws_quicksight_refresh_schedule")).toEqual({});
    for (const ds of Object.values(direct.resources("aws_quicksight_data_set"))) expect(ds.import_mode).toBe("DIRECT_QUERY");
  });
});

describe("quicksight.enabled: false", () => {
  it("creates nothing QuickSight, and still the views", () => {
    const off = synthApp({ quicksight: { enabled: false } });
    const qs = Object.keys(off.json.resource).filter((t) => t.startsWith("aws_quicksight_"));
    expect(qs).toEqual([]);
    const views = Object.values(off.resources("aws_glue_catalog_table")).filter((t) => t.table_type === "VIRTUAL_VIEW");
    expect(views.map((v) => v.name).sort()).toEqual(INSIGHT_VIEWS.map((v) => v.name).sort());
  });
});

describe("docs/insights.md", () => {
  const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "insights.md"), "utf8");
  it.each(Object.entries(VISUAL_SOURCES))("describes visual %s and the view it reads", (visual, viewId) => {
    const view = INSIGHT_VIEWS.find((v) => v.id === viewId)!;
    expect(doc).toMatch(new RegExp(`\\| \`${visual}\` \\|[^\\n]*\`${view.name}\``));
  });
});

describe("the definition's round trip (issue 20, M3): ignored on read, replaced on change", () => {
  it("Terraform ignores the read-back definition, and the definition's revision replaces the dashboard", () => {
    const revisions = Object.entries(prod.resources("terraform_data"));
    expect(revisions).toHaveLength(1);
    const [[address, revision]] = revisions;
    expect(dashboard(prod).lifecycle).toEqual({ ignore_changes: ["definition"], replace_triggered_by: [`terraform_data.${address}`] });
    expect(revision.input).toEqual({ definition_sha256: definitionRevision(INSIGHT_VIEWS.map((v) => v.id)) });
  });

  it("the revision is the SHA-256 of the definition (each data set's ARN replaced by its key), so it changes with it", () => {
    const keys = INSIGHT_VIEWS.map((v) => v.id);
    const definition = dashboardDefinition(Object.fromEntries(keys.map((k) => [k, `data-set:${k}`])));
    expect(definitionRevision(keys)).toBe(createHash("sha256").update(JSON.stringify(definition)).digest("hex"));
    expect(definitionRevision([...keys].reverse())).toBe(definitionRevision(keys));
  });
});
