/**
 * `npm run doctor`: whether the bucket names the stacks use are free (S3 HeadBucket, GetBucketTagging).
 */
import { GetBucketTaggingCommand, HeadBucketCommand } from "@aws-sdk/client-s3";
import { stateNames } from "../../../modules/bootstrap";
import { naming } from "../../../modules/config/naming";
import type { CciLiteConfig } from "../../../modules/config/schema";
import { errorName, httpStatus } from "../../aws-errors";
import { type BucketFacts, type BucketKind, type BucketProbe, type Fact, failed, fact } from "../facts";
import { classifyError, type DoctorClients } from "./clients";

/**
 * HeadBucket with this account as the expected owner: 404 free, 200 ours, 403 someone else's. For an existing
 * bucket of ours, its tags (GetBucketTagging) tell whether this environment's stack created it.
 */
export async function bucketProbe(clients: DoctorClients, cfg: CciLiteConfig, name: string, readTags = true): Promise<Fact<BucketProbe>> {
  let region: string | undefined;
  try {
    const r = await clients.s3.send(new HeadBucketCommand({ Bucket: name, ExpectedBucketOwner: cfg.accountId }));
    region = r.BucketRegion;
  } catch (e) {
    const status = httpStatus(e);
    if (status === 404 || errorName(e) === "NotFound" || errorName(e) === "NoSuchBucket") return fact({ state: "free" });
    if (status === 403) return fact({ state: "forbidden" });
    return failed(classifyError(e, "s3:ListBucket", cfg.region));
  }
  if (!readTags) return fact({ state: "ours", region });
  try {
    const t = await clients.s3.send(new GetBucketTaggingCommand({ Bucket: name, ExpectedBucketOwner: cfg.accountId }));
    return fact({ state: "ours", region, tags: Object.fromEntries((t.TagSet ?? []).map((x) => [x.Key ?? "", x.Value ?? ""])) });
  } catch (e) {
    if (errorName(e) === "NoSuchTagSet") return fact({ state: "ours", region, tags: {} });
    return failed(classifyError(e, "s3:GetBucketTagging", cfg.region));
  }
}

export async function bucketFacts(clients: DoctorClients, cfg: CciLiteConfig): Promise<BucketFacts[]> {
  const n = naming(cfg);
  const wanted: [BucketKind, string][] = [
    ["input", n.inputBucket],
    ["results", n.resultsBucket],
    ["state", stateNames(cfg.namePrefix, cfg.accountId, cfg.region).bucket],
  ];
  return Promise.all(wanted.map(async ([kind, name]) => ({ kind, name, probe: await bucketProbe(clients, cfg, name, kind !== "state") })));
}
