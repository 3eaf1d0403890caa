/**
 * The insights dashboard's definition (QuickSight `definition` block of `aws_quicksight_dashboard`), in one typed
 * module: a visual change is a change here, and the plan of a pull request shows it. Its shape (the subset of the
 * provider's schema used, and what is deliberately left out): ./definition-types.ts.
 */
import { INSIGHT_VIEWS, type InsightView } from "./views";
import type { BarChartVisual, ColumnRef, DashboardDefinition, DimensionField, LineChartVisual, MeasureField, Title, Visual } from "./definition-types";

/** A view's column as a field reference; throws when the view has no such column (a typo fails at synth). */
function ref(view: InsightView, column: string): readonly [ColumnRef] {
  if (!view.columns.some((c) => c.name === column)) throw new Error(`view ${view.name} has no column "${column}"`);
  return [{ data_set_identifier: view.id, column_name: column }];
}
const viewOf = (id: string): InsightView => {
  const v = INSIGHT_VIEWS.find((x) => x.id === id);
  if (!v) throw new Error(`no insight view "${id}"`);
  return v;
};
const title = (text: string): readonly [Title] => [{ visibility: "VISIBLE", format_text: [{ plain_text: text }] }];
const category = (fieldId: string, view: InsightView, column: string): DimensionField => ({
  categorical_dimension_field: [{ field_id: fieldId, column: ref(view, column) }],
});
const byDay = (fieldId: string, view: InsightView): DimensionField => ({
  date_dimension_field: [{ field_id: fieldId, column: ref(view, "day"), date_granularity: "DAY" }],
});
const sum = (fieldId: string, view: InsightView, column: string): MeasureField => ({
  numerical_measure_field: [{ field_id: fieldId, column: ref(view, column), aggregation_function: [{ simple_numerical_aggregation: "SUM" }] }],
});
/** The weighted mean score over whatever rows a visual groups: sum of scores over the number of scored calls. */
const meanScore = (fieldId: string): MeasureField => ({
  calculated_measure_field: [{ field_id: fieldId, expression: "sum({score_sum}) / sum({scored_calls})" }],
});

const bar = (
  id: string,
  text: string,
  wells: BarChartVisual["chart_configuration"][number]["field_wells"][number]["bar_chart_aggregated_field_wells"][number],
  stacked = true,
): Visual => ({
  bar_chart_visual: [
    {
      visual_id: id,
      title: title(text),
      chart_configuration: [
        { orientation: "VERTICAL", bars_arrangement: stacked ? "STACKED" : "CLUSTERED", field_wells: [{ bar_chart_aggregated_field_wells: [wells] }] },
      ],
    },
  ],
});
const line = (
  id: string,
  text: string,
  wells: LineChartVisual["chart_configuration"][number]["field_wells"][number]["line_chart_aggregated_field_wells"][number],
): Visual => ({
  line_chart_visual: [
    { visual_id: id, title: title(text), chart_configuration: [{ type: "LINE", field_wells: [{ line_chart_aggregated_field_wells: [wells] }] }] },
  ],
});

/** Visual id -> the view it reads (docs/insights.md lists them; a test checks the list against the definition). */
export const VISUAL_SOURCES: Readonly<Record<string, string>> = {
  "calls-by-day": "calls",
  "average-sentiment": "sentiment",
  "summary-terms": "terms",
  "failures-by-code": "failures",
  "sentiment-by-tenant": "sentiment",
  "speaker-sentiment": "speakers",
  "action-items-risks": "items",
  "talk-time": "talktime",
  "calls-by-category": "categories",
};

export const SHEET_ID = "overview";
export const TENANT_FILTER_ID = "tenant-filter";

/** The dashboard's definition; `dataSetArns` maps each view id to its data set's ARN (a token at synth). */
export function dashboardDefinition(dataSetArns: Readonly<Record<string, string>>): DashboardDefinition {
  const calls = viewOf("calls");
  const sentiment = viewOf("sentiment");
  const speakers = viewOf("speakers");
  const terms = viewOf("terms");
  const items = viewOf("items");
  const failures = viewOf("failures");
  const talk = viewOf("talktime");
  const categories = viewOf("categories");
  const visuals: Visual[] = [
    bar("calls-by-day", "Calls by day", {
      category: [byDay("calls-day", calls)],
      values: [sum("calls-count", calls, "calls")],
      colors: [category("calls-status", calls, "status")],
    }),
    line("average-sentiment", "Average sentiment score (Positive - Negative)", {
      category: [byDay("sentiment-day", sentiment)],
      values: [meanScore("sentiment-mean")],
    }),
    {
      word_cloud_visual: [
        {
          visual_id: "summary-terms",
          title: title("Summary terms"),
          chart_configuration: [
            {
              field_wells: [
                {
                  word_cloud_aggregated_field_wells: [
                    { group_by: [category("terms-term", terms, "term")], size: [sum("terms-occurrences", terms, "occurrences")] },
                  ],
                },
              ],
            },
          ],
        },
      ],
    },
    bar("failures-by-code", "Failures by code", {
      category: [category("failures-code", failures, "error_code")],
      values: [sum("failures-calls", failures, "calls")],
      colors: [category("failures-status", failures, "status")],
    }),
    line("sentiment-by-tenant", "Sentiment trend per tenant", {
      category: [byDay("tenant-sentiment-day", sentiment)],
      values: [meanScore("tenant-sentiment-mean")],
      colors: [category("tenant-sentiment-tenant", sentiment, "tenant")],
    }),
    bar(
      "speaker-sentiment",
      "Sentiment per speaker or channel",
      { category: [category("speaker-label", speakers, "speaker")], values: [meanScore("speaker-mean")], colors: [category("speaker-role", speakers, "role")] },
      false,
    ),
    {
      table_visual: [
        {
          visual_id: "action-items-risks",
          title: title("Most frequent action items and risks"),
          chart_configuration: [
            {
              field_wells: [
                {
                  table_aggregated_field_wells: [
                    {
                      group_by: [category("items-kind", items, "kind"), category("items-item", items, "item")],
                      values: [sum("items-occurrences", items, "occurrences")],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    },
    bar("talk-time", "Talk time: agent and customer (channel-identified calls)", {
      category: [category("talk-tenant", talk, "tenant")],
      values: [sum("talk-seconds", talk, "talk_time_seconds")],
      colors: [category("talk-role", talk, "role")],
    }),
    bar(
      "calls-by-category",
      "Calls by category",
      {
        category: [category("category-name", categories, "category")],
        values: [sum("category-calls", categories, "calls")],
        colors: [category("category-tenant", categories, "tenant")],
      },
      false,
    ),
  ];
  const used = [...new Set(Object.values(VISUAL_SOURCES))].sort();
  for (const id of used) if (!dataSetArns[id]) throw new Error(`no data set ARN for view "${id}"`);
  return {
    data_set_identifiers_declarations: used.map((identifier) => ({ identifier, data_set_arn: dataSetArns[identifier] })),
    sheets: [
      {
        sheet_id: SHEET_ID,
        name: "Overview",
        title: "CCI Lite insights",
        visuals,
        filter_controls: [{ dropdown: [{ filter_control_id: "tenant-control", source_filter_id: TENANT_FILTER_ID, title: "Tenant", type: "MULTI_SELECT" }] }],
        layouts: [
          {
            configuration: [
              {
                grid_layout: [
                  {
                    elements: [
                      { element_id: "tenant-control", element_type: "FILTER_CONTROL", column_span: 8, row_span: 2 },
                      ...visuals.map((v) => ({ element_id: visualId(v), element_type: "VISUAL" as const, column_span: 18, row_span: 10 })),
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
    filter_groups: [
      {
        filter_group_id: "tenant",
        cross_dataset: "ALL_DATASETS",
        status: "ENABLED",
        filters: [
          {
            category_filter: [
              {
                filter_id: TENANT_FILTER_ID,
                column: ref(calls, "tenant"),
                configuration: [{ filter_list_configuration: [{ match_operator: "CONTAINS", select_all_options: "FILTER_ALL_VALUES" }] }],
              },
            ],
          },
        ],
        scope_configuration: [{ selected_sheets: [{ sheet_visual_scoping_configurations: [{ sheet_id: SHEET_ID, scope: "ALL_VISUALS" }] }] }],
      },
    ],
  };
}

/** The id of a visual, whichever kind it is. */
export function visualId(v: Visual): string {
  const kinds = Object.values(v).filter(Boolean) as ReadonlyArray<readonly [{ visual_id: string }]>;
  if (kinds.length !== 1) throw new Error(`a visual must have exactly one kind, found ${kinds.length}`);
  return kinds[0][0].visual_id;
}
