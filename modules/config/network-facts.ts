/**
 * AWS facts the `network` configuration is checked against (guide §12, private networking; docs/network.md):
 * which services the functions call, in which regions each has a VPC endpoint, and the Availability Zone ids the
 * `create` mode places its subnets in by default. Checked offline: a region missing here fails validation with a
 * message naming the service, instead of failing at apply.
 *
 * Sources (read 2026-11-30):
 * - Service names and PrivateLink support: AWS PrivateLink Guide, "AWS services that integrate with AWS
 *   PrivateLink" (https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html), and the
 *   services' own pages: Comprehend (https://docs.aws.amazon.com/comprehend/latest/dg/vpc-interface-endpoints.html,
 *   `com.amazonaws.<region>.comprehend`, all API actions), Bedrock
 *   (https://docs.aws.amazon.com/bedrock/latest/userguide/vpc-interface-endpoints.html, `bedrock-runtime`),
 *   Transcribe (https://docs.aws.amazon.com/transcribe/latest/dg/vpc-interface-endpoints.html), Lambda
 *   (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-endpoints.html), Systems Manager and S3
 *   (gateway endpoint).
 * - Regions: an interface endpoint exists where the service's regional endpoint does; the regional lists are the
 *   AWS General Reference endpoint tables (https://docs.aws.amazon.com/general/latest/gr/comprehend.html,
 *   .../transcribe.html (batch), .../bedrock.html (runtime)); S3, SSM and Lambda are in every commercial region of
 *   {@link AWS_REGIONS} and have endpoints there. The Comprehend list was read completely; the Transcribe and
 *   Bedrock lists in part (the stored copies are truncated), completed from the same tables as last read by hand.
 *   Only the Comprehend list decides where private networking works (its regions are in both other lists), and a
 *   test keeps DEFAULT_AZ_IDS and the price table to exactly the regions where every service has an endpoint.
 * - Availability Zones: AZ ids (`euc1-az1`) name the same physical zone in every account, unlike AZ names
 *   (`eu-central-1a`), so they are safe defaults without an `aws_availability_zones` lookup, which an offline plan
 *   cannot make (no credentials). Not every service's endpoint is in every AZ of a region (Comprehend's page says
 *   so); the apply then fails naming the zone, and `network.availabilityZoneIds` picks others. `npm run doctor`
 *   (scripts/doctor, network-endpoint-zones) asks EC2 before the apply.
 * - Endpoint policy support (`endpointPolicy`, researched 2026-11-30; docs/network.md, "Endpoint policies"): each
 *   service's own endpoint page where it documents an endpoint policy; where it does not, the evidence is recorded
 *   as unconfirmed, the policy kept, and the doctor's network-endpoint-policy check reads
 *   `VpcEndpointPolicySupported` from the account.
 */
import { AWS_CALLS, type AwsClient } from "../../lambda-src/contracts/aws-calls";
import { HANDLER_NAMES } from "../../lambda-src/contracts/handlers";
import { AWS_REGIONS } from "./aws-facts";

type Region = (typeof AWS_REGIONS)[number];

export interface PipelineService {
  /**
   * Endpoint service suffix (`com.amazonaws.<region>.<suffix>`), the client of lambda-src/contracts/aws-calls.ts
   * that calls it (a test keeps both lists equal).
   */
  readonly suffix: AwsClient;
  readonly endpointType: "Gateway" | "Interface";
  /** Regions of {@link AWS_REGIONS} where the endpoint exists. */
  readonly regions: readonly Region[];
  /**
   * Whether the endpoint service accepts a VPC endpoint policy (EC2 DescribeVpcEndpointServices
   * `VpcEndpointPolicySupported`), with the evidence. `false`: modules/network attaches none (AWS then allows full
   * access through the endpoint; the identity policies and the bucket policies still decide). `true` with
   * `confirmed: false`: the evidence is indirect, the policy is kept and `npm run doctor` (network-endpoint-services)
   * asks the account before the first apply.
   */
  readonly endpointPolicy: { readonly supported: boolean; readonly confirmed: boolean; readonly source: string };
}

/** Every commercial region the configuration allows. */
const ALL: readonly Region[] = AWS_REGIONS;

/** Amazon Comprehend's regions (General Reference, Comprehend endpoints). */
const COMPREHEND: readonly Region[] = [
  "us-east-1",
  "us-east-2",
  "us-west-2",
  "ca-central-1",
  "eu-central-1",
  "eu-west-1",
  "eu-west-2",
  "ap-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-southeast-1",
  "ap-southeast-2",
];

/** Amazon Transcribe batch regions (General Reference, Transcribe batch endpoints). */
const TRANSCRIBE: readonly Region[] = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "sa-east-1",
  "eu-central-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-north-1",
  "ap-east-1",
  "ap-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "me-south-1",
  "af-south-1",
];

/** Amazon Bedrock runtime regions (General Reference, Bedrock runtime endpoints), those confirmed. */
const BEDROCK_RUNTIME: readonly Region[] = [
  "us-east-1",
  "us-east-2",
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
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
];

/**
 * Every AWS service the pipeline's functions call from their own network, i.e. every client of
 * lambda-src/contracts/aws-calls.ts. What they do not call themselves needs no endpoint: SQS is polled by Lambda's event
 * source mapping, KMS is called by S3 for SSE-KMS (`kms:ViaService`), logs and EMF metrics are shipped by Lambda
 * from stdout, and the functions' credentials come from Lambda, not STS (docs/network.md).
 */
export const PIPELINE_SERVICES: readonly PipelineService[] = [
  {
    suffix: "s3",
    endpointType: "Gateway",
    regions: ALL,
    endpointPolicy: {
      supported: true,
      confirmed: true,
      source: "every gateway endpoint supports a policy (https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html)",
    },
  },
  {
    suffix: "transcribe",
    endpointType: "Interface",
    regions: TRANSCRIBE,
    endpointPolicy: {
      supported: true,
      confirmed: false,
      source:
        'Transcribe documents endpoint policies only for com.amazonaws.<region>.transcribestreaming (docs.aws.amazon.com/transcribe/latest/dg/vpc-interface-endpoints.html, "Creating a VPC endpoint policy for Amazon Transcribe Streaming"); nothing found for the batch service this stack uses',
    },
  },
  {
    suffix: "comprehend",
    endpointType: "Interface",
    regions: COMPREHEND,
    endpointPolicy: {
      supported: true,
      confirmed: true,
      source:
        'docs.aws.amazon.com/comprehend/latest/dg/vpc-interface-endpoints.html, "Creating a VPC endpoint policy for Amazon Comprehend" (example allows comprehend:DetectEntities)',
    },
  },
  {
    suffix: "bedrock-runtime",
    endpointType: "Interface",
    regions: BEDROCK_RUNTIME,
    endpointPolicy: {
      supported: true,
      confirmed: true,
      source:
        'docs.aws.amazon.com/bedrock/latest/userguide/vpc-interface-endpoints.html, "Example: VPC endpoint policy for Amazon Bedrock actions" (bedrock:InvokeModel, a bedrock-runtime action)',
    },
  },
  {
    suffix: "ssm",
    endpointType: "Interface",
    regions: ALL,
    endpointPolicy: {
      supported: true,
      confirmed: false,
      source:
        "AWS's data perimeter examples ship an SSM endpoint policy (github.com/aws-samples/data-perimeter-policy-examples, vpc_endpoint_policies); the Systems Manager guide has no endpoint policy section",
    },
  },
  {
    suffix: "lambda",
    endpointType: "Interface",
    regions: ALL,
    endpointPolicy: {
      supported: true,
      confirmed: true,
      source: 'docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-endpoints.html, "Creating an interface endpoint policy for Lambda"',
    },
  },
];

/** The handlers that call a service and the commands they send (for messages and docs), from the calls table. */
export function calledBy(client: AwsClient): string {
  return HANDLER_NAMES.map((h) => [h, AWS_CALLS[h].filter((c) => c.client === client).map((c) => c.command)] as const)
    .filter(([, commands]) => commands.length > 0)
    .map(([h, commands]) => `${h} (${[...new Set(commands)].join(", ")})`)
    .join(", ");
}

/** The services whose endpoint is missing in `region` (empty: private networking works there). */
export function servicesWithoutEndpoint(region: string): PipelineService[] {
  return PIPELINE_SERVICES.filter((s) => !(s.regions as readonly string[]).includes(region));
}

/**
 * The AZ id prefix of each region where every endpoint above exists, with the zone ids `create` uses by default
 * (in order). Zones AWS closed to new accounts (use1-az3, apne1-az3, usw1-az2) are left out.
 */
export const DEFAULT_AZ_IDS: Partial<Record<Region, readonly string[]>> = {
  "us-east-1": ["use1-az1", "use1-az2", "use1-az4"],
  "us-east-2": ["use2-az1", "use2-az2", "use2-az3"],
  "us-west-2": ["usw2-az1", "usw2-az2", "usw2-az3"],
  "ca-central-1": ["cac1-az1", "cac1-az2", "cac1-az4"],
  "eu-central-1": ["euc1-az1", "euc1-az2", "euc1-az3"],
  "eu-west-1": ["euw1-az1", "euw1-az2", "euw1-az3"],
  "eu-west-2": ["euw2-az1", "euw2-az2", "euw2-az3"],
  "ap-south-1": ["aps1-az1", "aps1-az2", "aps1-az3"],
  "ap-northeast-1": ["apne1-az1", "apne1-az2", "apne1-az4"],
  "ap-northeast-2": ["apne2-az1", "apne2-az2", "apne2-az3"],
  "ap-southeast-1": ["apse1-az1", "apse1-az2", "apse1-az3"],
  "ap-southeast-2": ["apse2-az1", "apse2-az2", "apse2-az3"],
};

/** The AZ id prefix of a region (`euc1` for eu-central-1), from its default zones. */
export function azIdPrefix(region: string): string | undefined {
  return DEFAULT_AZ_IDS[region as Region]?.[0]?.split("-")[0];
}
