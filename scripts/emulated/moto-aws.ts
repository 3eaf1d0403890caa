/**
 * What the emulated tier does in moto itself through the AWS SDK: the existing network of `network.mode: "existing"`
 * (created before synth, as a customer's VPC would exist before CCI Lite), and emptying the state bucket before the
 * bootstrap stack is destroyed (an administrator's step too: the bucket keeps every version of every state file).
 */
import { CreateRouteTableCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client, AssociateRouteTableCommand } from "@aws-sdk/client-ec2";
import { DeleteObjectsCommand, ListObjectVersionsCommand, S3Client } from "@aws-sdk/client-s3";
import type { ExistingNetworkIds } from "./configurations";
import { EMULATOR_KEYS } from "./overrides";

/** SDK client settings for moto: its endpoint, fake keys, path-style S3, few retries. */
export function motoClientConfig(endpoint: string, region: string) {
  return {
    endpoint,
    region,
    credentials: { accessKeyId: EMULATOR_KEYS.accessKey, secretAccessKey: EMULATOR_KEYS.secretKey },
    forcePathStyle: true,
    maxAttempts: 2,
  };
}

/** A VPC with two subnets in two zones and one route table associated with both, as existing mode expects. */
export async function createExistingNetwork(endpoint: string, region: string): Promise<ExistingNetworkIds> {
  const ec2 = new EC2Client(motoClientConfig(endpoint, region));
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.42.0.0/16" }));
  const vpcId = vpc.Vpc?.VpcId as string;
  const subnetIds: string[] = [];
  for (const [i, zone] of ["a", "b"].entries()) {
    const s = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.42.${i}.0/24`, AvailabilityZone: `${region}${zone}` }));
    subnetIds.push(s.Subnet?.SubnetId as string);
  }
  const rt = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
  const routeTableId = rt.RouteTable?.RouteTableId as string;
  for (const SubnetId of subnetIds) await ec2.send(new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId }));
  ec2.destroy();
  return { vpcId, subnetIds, routeTableIds: [routeTableId] };
}

/** Deletes every object version and delete marker of a bucket. Returns how many were deleted. */
export async function emptyBucket(endpoint: string, region: string, bucket: string): Promise<number> {
  const s3 = new S3Client(motoClientConfig(endpoint, region));
  let deleted = 0;
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key as string, VersionId: v.VersionId }));
    if (objects.length === 0) break;
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
    deleted += objects.length;
  }
  s3.destroy();
  return deleted;
}
