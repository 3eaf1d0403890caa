/**
 * The shape of the insights dashboard's definition (QuickSight `definition` block of `aws_quicksight_dashboard`) as
 * ./definition.ts writes it. The provider's `definition` is untyped in the CDKTF bindings (`any`, passed to
 * Terraform as written), so these types are the subset of the provider 5.100.0 schema this dashboard uses, in its
 * snake_case, with every block a list as the provider wants it. Deliberately left out, because the provider has had
 * trouble round-tripping them (docs/insights.md, "Shapes avoided"): axis display options (`Invalid address to set`,
 * hashicorp/terraform-provider-aws#37036), sort and formatting options, `calculated_fields` and
 * `parameter_declarations` (sets), and analysis resources; data set declarations are kept sorted by identifier
 * (perpetual diff, #36733).
 */

export interface ColumnRef {
  readonly data_set_identifier: string;
  readonly column_name: string;
}
export interface DimensionField {
  readonly categorical_dimension_field?: ReadonlyArray<{ readonly field_id: string; readonly column: readonly [ColumnRef] }>;
  readonly date_dimension_field?: ReadonlyArray<{
    readonly field_id: string;
    readonly column: readonly [ColumnRef];
    readonly date_granularity?: "DAY" | "WEEK" | "MONTH";
  }>;
}
export interface MeasureField {
  readonly numerical_measure_field?: ReadonlyArray<{
    readonly field_id: string;
    readonly column: readonly [ColumnRef];
    readonly aggregation_function: ReadonlyArray<{ readonly simple_numerical_aggregation: "SUM" | "AVERAGE" | "MAX" | "MIN" | "COUNT" }>;
  }>;
  /** An aggregate expression over data set columns written `{column}` (checked by the definition test). */
  readonly calculated_measure_field?: ReadonlyArray<{ readonly field_id: string; readonly expression: string }>;
}
export interface Title {
  readonly visibility: "VISIBLE";
  readonly format_text: ReadonlyArray<{ readonly plain_text: string }>;
}
interface ChartCommon {
  readonly visual_id: string;
  readonly title: readonly [Title];
}
export interface BarChartVisual extends ChartCommon {
  readonly chart_configuration: ReadonlyArray<{
    readonly orientation: "VERTICAL" | "HORIZONTAL";
    readonly bars_arrangement: "CLUSTERED" | "STACKED";
    readonly field_wells: ReadonlyArray<{
      readonly bar_chart_aggregated_field_wells: ReadonlyArray<{
        readonly category: readonly DimensionField[];
        readonly values: readonly MeasureField[];
        readonly colors?: readonly DimensionField[];
      }>;
    }>;
  }>;
}
export interface LineChartVisual extends ChartCommon {
  readonly chart_configuration: ReadonlyArray<{
    readonly type: "LINE";
    readonly field_wells: ReadonlyArray<{
      readonly line_chart_aggregated_field_wells: ReadonlyArray<{
        readonly category: readonly DimensionField[];
        readonly values: readonly MeasureField[];
        readonly colors?: readonly DimensionField[];
      }>;
    }>;
  }>;
}
export interface WordCloudVisual extends ChartCommon {
  readonly chart_configuration: ReadonlyArray<{
    readonly field_wells: ReadonlyArray<{
      readonly word_cloud_aggregated_field_wells: ReadonlyArray<{ readonly group_by: readonly DimensionField[]; readonly size: readonly MeasureField[] }>;
    }>;
  }>;
}
export interface TableVisual extends ChartCommon {
  readonly chart_configuration: ReadonlyArray<{
    readonly field_wells: ReadonlyArray<{
      readonly table_aggregated_field_wells: ReadonlyArray<{ readonly group_by: readonly DimensionField[]; readonly values: readonly MeasureField[] }>;
    }>;
  }>;
}
export interface Visual {
  readonly bar_chart_visual?: readonly [BarChartVisual];
  readonly line_chart_visual?: readonly [LineChartVisual];
  readonly word_cloud_visual?: readonly [WordCloudVisual];
  readonly table_visual?: readonly [TableVisual];
}
export interface FilterGroup {
  readonly filter_group_id: string;
  readonly cross_dataset: "ALL_DATASETS" | "SINGLE_DATASET";
  readonly status: "ENABLED";
  readonly filters: ReadonlyArray<{
    readonly category_filter: ReadonlyArray<{
      readonly filter_id: string;
      readonly column: readonly [ColumnRef];
      readonly configuration: ReadonlyArray<{
        readonly filter_list_configuration: ReadonlyArray<{ readonly match_operator: "CONTAINS"; readonly select_all_options: "FILTER_ALL_VALUES" }>;
      }>;
    }>;
  }>;
  readonly scope_configuration: ReadonlyArray<{
    readonly selected_sheets: ReadonlyArray<{
      readonly sheet_visual_scoping_configurations: ReadonlyArray<{ readonly sheet_id: string; readonly scope: "ALL_VISUALS" }>;
    }>;
  }>;
}
export interface Sheet {
  readonly sheet_id: string;
  readonly name: string;
  readonly title: string;
  readonly visuals: readonly Visual[];
  readonly filter_controls: ReadonlyArray<{
    readonly dropdown: ReadonlyArray<{
      readonly filter_control_id: string;
      readonly source_filter_id: string;
      readonly title: string;
      readonly type: "MULTI_SELECT";
    }>;
  }>;
  readonly layouts: ReadonlyArray<{
    readonly configuration: ReadonlyArray<{
      readonly grid_layout: ReadonlyArray<{
        readonly elements: ReadonlyArray<{
          readonly element_id: string;
          readonly element_type: "VISUAL" | "FILTER_CONTROL";
          readonly column_span: number;
          readonly row_span: number;
        }>;
      }>;
    }>;
  }>;
}
export interface DashboardDefinition {
  readonly data_set_identifiers_declarations: ReadonlyArray<{ readonly identifier: string; readonly data_set_arn: string }>;
  readonly sheets: readonly Sheet[];
  readonly filter_groups: readonly FilterGroup[];
}
