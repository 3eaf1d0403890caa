/**
 * QuickSight permission sets (the `actions` of a data source's, data set's or dashboard's `permission` block), one
 * home for the guide's data set (modules/dashboards) and the insights (modules/insights). The lists are the console's
 * "Owner" sets (QuickSight's CreateDataSet and CreateDashboard API references).
 */

/** The owner of a data source: use, change, share and delete it. */
export const DATA_SOURCE_OWNER_ACTIONS: readonly string[] = [
  "quicksight:DescribeDataSource",
  "quicksight:DescribeDataSourcePermissions",
  "quicksight:PassDataSource",
  "quicksight:UpdateDataSource",
  "quicksight:DeleteDataSource",
  "quicksight:UpdateDataSourcePermissions",
];

/** The owner of a data set: use, refresh (ingestions), change, share and delete it. */
export const DATA_SET_OWNER_ACTIONS: readonly string[] = [
  "quicksight:DescribeDataSet",
  "quicksight:DescribeDataSetPermissions",
  "quicksight:PassDataSet",
  "quicksight:DescribeIngestion",
  "quicksight:ListIngestions",
  "quicksight:UpdateDataSet",
  "quicksight:DeleteDataSet",
  "quicksight:CreateIngestion",
  "quicksight:CancelIngestion",
  "quicksight:UpdateDataSetPermissions",
];
