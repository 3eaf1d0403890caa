/**
 * Guide §10: the one definition of a results table (columns from the result schema, the JSON SerDe, partition
 * projection over tenant and call date). The shared table and every tenant's table are built by it, and differ
 * only in their name, location and the tenants the projection enumerates.
 */
import type { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { GlueCatalogTable } from "@cdktf/provider-aws/lib/glue-catalog-table";
import { RESULT_COLUMNS, RESULT_PARTITION_KEYS } from "../../lambda-src/contracts/result-schema";

export interface ResultsTableProps {
  readonly name: string;
  readonly description: string;
  readonly databaseName: string;
  readonly catalogId: string;
  /** `s3://<results bucket>/`. */
  readonly bucketLocation: string;
  /** The tenant prefix the table covers (`<tenant>/`), or none for the whole bucket. */
  readonly prefix?: string;
  /** The values the tenant partition projects: a query without a tenant filter reads exactly these prefixes. */
  readonly tenants: readonly string[];
  /** Days back from today the date projection covers (`NOW-<n>DAYS,NOW`; naming.ts `resultsWindowDays`). */
  readonly projectionDays: number;
  /** Its location is the bucket (by name, so the plan shows it): created after the bucket. */
  readonly bucket: ITerraformDependable;
}

export function resultsTable(scope: Construct, id: string, props: ResultsTableProps): GlueCatalogTable {
  return new GlueCatalogTable(scope, id, {
    name: props.name,
    dependsOn: [props.bucket],
    databaseName: props.databaseName,
    catalogId: props.catalogId,
    tableType: "EXTERNAL_TABLE",
    description: props.description,
    parameters: {
      classification: "json",
      // SSE-KMS objects need no table property (S3 decrypts them); has_encrypted_data marks CSE-KMS data
      // (Athena User Guide, "Create tables based on encrypted datasets in Amazon S3").
      "projection.enabled": "true",
      "projection.tenant.type": "enum",
      "projection.tenant.values": props.tenants.join(","),
      "projection.call_date.type": "date",
      "projection.call_date.format": "yyyy/MM/dd",
      "projection.call_date.range": `NOW-${props.projectionDays}DAYS,NOW`,
      "projection.call_date.interval": "1",
      "projection.call_date.interval.unit": "DAYS",
      // Athena requires a placeholder for every partition column; `$${...}` is a literal `${...}` for Athena,
      // escaped from Terraform interpolation.
      "storage.location.template": `${props.bucketLocation}$\${tenant}/$\${call_date}/`,
    },
    partitionKeys: RESULT_PARTITION_KEYS.map((c) => ({ name: c.name, type: c.type, comment: c.comment })),
    storageDescriptor: {
      location: `${props.bucketLocation}${props.prefix ?? ""}`,
      inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
      outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
      serDeInfo: {
        name: "json",
        serializationLibrary: "org.openx.data.jsonserde.JsonSerDe",
        parameters: { "case.insensitive": "true" },
      },
      columns: RESULT_COLUMNS.map((c) => ({ name: c.name, type: c.type, comment: c.comment })),
    },
  });
}
