/** AWS facts the configuration is checked against (regions, Logs retention values, inference profile routes). */

/** The partition of a region's ARNs: `aws-cn` for China, `aws-us-gov` for GovCloud, `aws` otherwise (every region below). */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** Commercial AWS regions where the stack may be deployed. */
export const AWS_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "sa-east-1",
  "eu-central-1",
  "eu-central-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-east-1",
  "me-central-1",
  "me-south-1",
  "il-central-1",
  "af-south-1",
] as const;

/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/**
 * The destination regions of Bedrock's geographic cross-region inference profiles, by profile prefix.
 * IAM must allow the foundation model in every one of them.
 */
export const INFERENCE_PROFILE_DESTINATIONS: Record<string, readonly string[]> = {
  eu: ["eu-central-1", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-3"],
  us: ["us-east-1", "us-east-2", "us-west-2"],
  apac: ["ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-4"],
};
