import { githubSubjects } from "../../modules/bootstrap";
import { doc, statement, synthApp, synthBootstrap } from "../helpers/synth";

const ACCOUNT = "111122223333";

describe("bootstrap stack", () => {
  const b = synthBootstrap();
  it("keeps its own state local (applied once per account by an administrator)", () => {
    expect(b.json.terraform.backend).toEqual({ local: { path: "terraform.bootstrap.tfstate" } });
  });
  it("creates a versioned, KMS-encrypted, private, TLS-only state bucket", () => {
    expect(b.resource("aws_s3_bucket").bucket).toBe("cci-lite-tfstate-111122223333-eu-central-1");
    expect(b.resource("aws_s3_bucket_versioning").versioning_configuration.status).toBe("Enabled");
    expect(b.resource("aws_s3_bucket_server_side_encryption_configuration").rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe("aws:kms");
    const pab = b.resource("aws_s3_bucket_public_access_block");
    expect([pab.block_public_acls, pab.block_public_policy, pab.ignore_public_acls, pab.restrict_public_buckets]).toEqual([true, true, true, true]);
    expect(statement(b.resource("aws_s3_bucket_policy").policy, "DenyInsecureTransport").Effect).toBe("Deny");
    expect(b.resource("aws_kms_key").enable_key_rotation).toBe(true);
    expect(b.resource("aws_s3_bucket_lifecycle_configuration").rule.map((r: any) => r.id)).toEqual([
      "noncurrent-versions",
      "abort-incomplete-multipart-uploads",
    ]);
  });
  it("creates the GitHub OIDC provider for sts.amazonaws.com", () => {
    expect(b.resource("aws_iam_openid_connect_provider")).toMatchObject({
      url: "https://token.actions.githubusercontent.com",
      client_id_list: ["sts.amazonaws.com"],
    });
  });
  const wf = (file: string, ref: string) => `job_workflow_ref:conversant/cci-lite/.github/workflows/${file}@${ref}`;
  it("trusts the plan role for plan.yml on pull requests and apply.yml and drift.yml on main, in both repo formats, with the audience pinned", () => {
    const t = statement(b.resource("aws_iam_role", "plan").assume_role_policy, "AllowGithubActionsOidc");
    expect(t.Action).toBe("sts:AssumeRoleWithWebIdentity");
    expect(t.Condition.StringEquals).toEqual({ "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" });
    expect(t.Condition.StringLike["token.actions.githubusercontent.com:sub"]).toEqual([
      `repo:conversant/cci-lite:pull_request:${wf("plan.yml", "refs/pull/*/merge")}`,
      `repo:conversant@*/cci-lite@*:pull_request:${wf("plan.yml", "refs/pull/*/merge")}`,
      `repo:conversant/cci-lite:ref:refs/heads/main:${wf("apply.yml", "refs/heads/main")}`,
      `repo:conversant@*/cci-lite@*:ref:refs/heads/main:${wf("apply.yml", "refs/heads/main")}`,
      `repo:conversant/cci-lite:ref:refs/heads/main:${wf("drift.yml", "refs/heads/main")}`,
      `repo:conversant@*/cci-lite@*:ref:refs/heads/main:${wf("drift.yml", "refs/heads/main")}`,
    ]);
    expect(JSON.stringify(t)).not.toContain("ForAllValues");
  });
  it("trusts the apply role only for apply.yml on main in the prod environment (the github stack's subject template)", () => {
    const t = statement(b.resource("aws_iam_role", "apply").assume_role_policy, "AllowGithubActionsOidc");
    expect(t.Condition.StringLike["token.actions.githubusercontent.com:sub"]).toEqual([
      `repo:conversant/cci-lite:environment:prod:${wf("apply.yml", "refs/heads/main")}`,
      `repo:conversant@*/cci-lite@*:environment:prod:${wf("apply.yml", "refs/heads/main")}`,
    ]);
  });
  it("matches the id-bearing repo claim exactly when the ids are configured", () => {
    expect(githubSubjects({ repository: "acme/cci", ownerId: 7, repositoryId: 42 }, "environment:prod", { file: "apply.yml", ref: "refs/heads/main" })).toEqual(
      [
        "repo:acme/cci:environment:prod:job_workflow_ref:acme/cci/.github/workflows/apply.yml@refs/heads/main",
        "repo:acme@7/cci@42:environment:prod:job_workflow_ref:acme/cci/.github/workflows/apply.yml@refs/heads/main",
      ],
    );
  });
  it("gives the plan role read-only access, no state or lock writes, and never call data", () => {
    const attachments = Object.values(b.resources("aws_iam_role_policy_attachment")) as any[];
    expect(attachments.map((a) => a.policy_arn).sort()).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    const p = b.resource("aws_iam_role_policy", "plan").policy;
    expect(JSON.parse(p).Statement.map((s: any) => s.Sid)).not.toContain("WriteLockObjectsOnly");
    expect(statement(p, "DenyAllStateWrites")).toMatchObject({
      Effect: "Deny",
      Action: ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
      Resource: "arn:aws:s3:::cci-lite-tfstate-111122223333-eu-central-1/*",
    });
    expect(statement(p, "DenyReadingCallData").Resource).toEqual([
      "arn:aws:s3:::cci-lite-prod-input-111122223333-eu-central-1/*",
      "arn:aws:s3:::cci-lite-prod-results-111122223333-eu-central-1/*",
    ]);
  });
});

describe("processor", () => {
  const s = synthApp();
  const fns = s.resources("aws_lambda_function");
  const role = (h: string) => s.resource("aws_iam_role_policy", `functions_${h}_role_policy`).policy;

  it("runs one Node.js 22 arm64 function per handler, with no reserved concurrency by default and no customer key on the environment", () => {
    const list = Object.values(fns) as any[];
    expect(list.map((f) => f.function_name).sort()).toEqual(["cci-lite-prod-analyze", "cci-lite-prod-reconcile", "cci-lite-prod-start"]);
    for (const f of list) {
      expect(f).toMatchObject({ runtime: "nodejs22.x", architectures: ["arm64"], handler: "index.handler" });
      // Optional (#12 item 5): a reservation fails the first apply in accounts with a low concurrency limit.
      expect(f.reserved_concurrent_executions).toBeUndefined();
      // The variables hold names, not secrets: a customer key would need kms:CreateGrant for every deployer (#12).
      expect(f.kms_key_arn).toBeUndefined();
      expect(f.source_code_hash).toMatch(/^[0-9A-F]{32,}$/i);
      expect(f.logging_config.log_group).toMatch(/^\$\{aws_cloudwatch_log_group\.functions_[a-z]+_logs_[A-F0-9]+\.name\}$/);
    }
  });
  it("passes the runtime contract's settings to the handlers", () => {
    const analyze = (Object.values(fns) as any[]).find((f) => f.function_name.endsWith("analyze")).environment.variables;
    expect(analyze).toMatchObject({
      JOB_NAME_PREFIX: "cci-lite-prod-",
      BEDROCK_MODEL_ID: "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
      BEDROCK_REGION: "eu-central-1",
      RESULTS_BUCKET: "cci-lite-prod-results-111122223333-eu-central-1",
      POWERTOOLS_SERVICE_NAME: "cci-lite-prod",
      DELETE_INPUT_ON_SUCCESS: "false",
    });
    const start = (Object.values(fns) as any[]).find((f) => f.function_name.endsWith("start")).environment.variables;
    expect(start.TRANSCRIBE_ROLE_ARN).toBe(`arn:aws:iam::${ACCOUNT}:role/cci-lite-prod-transcribe-access`);
    // reconcile hands unsettled jobs to analyze: the function name through the environment contract.
    const reconcile = (Object.values(fns) as any[]).find((f) => f.function_name.endsWith("reconcile")).environment.variables;
    expect(reconcile.ANALYZE_FUNCTION_NAME).toBe("cci-lite-prod-analyze");
    // Paced by the configured quotas (contracts/pacing.ts): 250 model requests per minute every 15 minutes.
    expect(reconcile.RECONCILE_MAX_HANDOUTS).toBe("937");
    const slow = synthApp({ processing: { quotas: { modelRequestsPerMinute: 10 } } } as never).resources("aws_lambda_function");
    expect((Object.values(slow) as any[]).find((f) => f.function_name.endsWith("reconcile")).environment.variables.RECONCILE_MAX_HANDOUTS).toBe("37");
    expect(start.ANALYZE_FUNCTION_NAME).toBeUndefined();
    expect(analyze.ANALYZE_FUNCTION_NAME).toBeUndefined();
  });
  it("keeps logs 30 days, encrypted with the key", () => {
    for (const g of Object.values(s.resources("aws_cloudwatch_log_group")) as any[]) {
      expect(g.retention_in_days).toBe(30);
      expect(g.kms_key_id).toMatch(/aws_kms_key/);
    }
  });
  it("sends every upload event to an encrypted intake queue with a dead-letter queue", () => {
    const n = s.resource("aws_s3_bucket_notification");
    expect(n.queue[0].events).toEqual(["s3:ObjectCreated:*"]);
    const intake = s.resource("aws_sqs_queue", "intake_queue_");
    expect(JSON.parse(intake.redrive_policy)).toEqual({
      deadLetterTargetArn: `arn:aws:sqs:eu-central-1:${ACCOUNT}:cci-lite-prod-intake-dlq`,
      maxReceiveCount: 5,
    });
    expect(intake.message_retention_seconds).toBe(1209600);
    for (const q of Object.values(s.resources("aws_sqs_queue")) as any[]) expect(q.kms_master_key_id).toMatch(/aws_kms_key/);
    const qp = statement(s.resource("aws_sqs_queue_policy", "intake_queue_policy").policy, "AllowInputBucketEvents");
    expect(qp.Condition.ArnEquals["aws:SourceArn"]).toBe("arn:aws:s3:::cci-lite-prod-input-111122223333-eu-central-1");
  });
  it("reserves concurrency only where the configuration asks, and caps the queue consumer either way", () => {
    const t = synthApp({ processing: { reservedConcurrency: { start: 6, analyze: 10 }, intakeMaxConcurrency: 6 } });
    const byName = Object.fromEntries(
      (Object.values(t.resources("aws_lambda_function")) as any[]).map((f) => [f.function_name, f.reserved_concurrent_executions]),
    );
    expect(byName).toEqual({ "cci-lite-prod-start": 6, "cci-lite-prod-analyze": 10, "cci-lite-prod-reconcile": undefined });
    expect(t.resource("aws_lambda_event_source_mapping").scaling_config).toEqual({ maximum_concurrency: 6 });
  });
  it("consumes the queue in batches with partial batch failures", () => {
    const m = s.resource("aws_lambda_event_source_mapping");
    expect(m).toMatchObject({
      batch_size: 10,
      function_response_types: ["ReportBatchItemFailures"],
      enabled: true,
      scaling_config: { maximum_concurrency: 5 },
    });
  });
  it("pauses by disabling the queue consumer and silencing the backlog-age alarm (uploads wait, nothing is lost)", () => {
    const t = synthApp({ processing: { paused: true }, retention: { inputDays: 7 } });
    expect(t.resource("aws_lambda_event_source_mapping").enabled).toBe(false);
    expect(t.resource("aws_cloudwatch_metric_alarm", "intake-oldest-message-age").actions_enabled).toBe(false);
    // The audio-expiry alarm is never silenced: 12 h before the oldest waiting upload's audio expires.
    const expiring = t.resource("aws_cloudwatch_metric_alarm", "intake-audio-expiring");
    expect(expiring.actions_enabled).toBe(true);
    expect(expiring.threshold).toBe(7 * 86_400 - 12 * 3600);
    expect(t.resource("aws_s3_bucket_notification").queue).toHaveLength(1);
  });
  it("invokes analyze on this environment's Transcribe job state changes only", () => {
    const rule = s.resource("aws_cloudwatch_event_rule", "job-state");
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ["aws.transcribe"],
      "detail-type": ["Transcribe Job State Change"],
      detail: { TranscriptionJobName: [{ prefix: "cci-lite-prod-" }], TranscriptionJobStatus: ["COMPLETED", "FAILED"] },
    });
    const target = s.resource("aws_cloudwatch_event_target", "analyze-target");
    expect(target.dead_letter_config.arn).toMatch(/job-events_dlq_queue/);
  });
  it("reconciles on a schedule", () => {
    expect(s.resource("aws_cloudwatch_event_rule", "reconcile").schedule_expression).toBe("rate(15 minutes)");
  });
  it("alarms when reconcile's window starts more than three quarters of the lookback back (36 of 48 h)", () => {
    expect(s.resource("aws_cloudwatch_metric_alarm", "reconcile-watermark-age")).toMatchObject({
      alarm_name: "cci-lite-prod-reconcile-watermark-age",
      namespace: "CCI-Lite",
      metric_name: "ReconcileWatermarkAge",
      statistic: "Maximum",
      threshold: 36 * 3600,
      comparison_operator: "GreaterThanThreshold",
    });
  });
  it("gives analyze two asynchronous retries and reconcile none (the next scheduled run does the work; its lease keeps runs single)", () => {
    expect(s.resource("aws_lambda_function_event_invoke_config", "analyze-async")).toMatchObject({ maximum_retry_attempts: 2 });
    expect(s.resource("aws_lambda_function_event_invoke_config", "reconcile-async")).toMatchObject({ maximum_retry_attempts: 0 });
  });
  it("lets start pass only the data-access role, only to Transcribe, and start jobs only into the results bucket", () => {
    const p = role("start");
    expect(statement(p, "PassTranscribeDataAccessRole")).toMatchObject({
      Action: "iam:PassRole",
      Resource: `arn:aws:iam::${ACCOUNT}:role/cci-lite-prod-transcribe-access`,
      Condition: { StringEquals: { "iam:PassedToService": "transcribe.amazonaws.com" } },
    });
    // StartTranscriptionJob has no resource-level permissions; the output bucket condition scopes it.
    expect(statement(p, "StartJobsIntoResultsBucket")).toMatchObject({
      Resource: "*",
      Condition: { StringEquals: { "transcribe:OutputBucketName": "cci-lite-prod-results-111122223333-eu-central-1" } },
    });
    expect(doc(p).Statement.flatMap((x: any) => [x.Action].flat())).not.toContain("bedrock:InvokeModel");
  });
  it("lets analyze call only the configured model and profile, and never write transcripts or query results", () => {
    const p = role("analyze");
    const profile = `arn:aws:bedrock:eu-central-1:${ACCOUNT}:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0`;
    expect(statement(p, "InvokeSummaryModel")).toMatchObject({ Effect: "Allow", Action: "bedrock:InvokeModel", Resource: [profile] });
    // The foundation model in any region the profile routes to (AWS adds regions), only through this profile.
    expect(statement(p, "InvokeFoundationModelThroughProfile")).toMatchObject({
      Effect: "Allow",
      Action: "bedrock:InvokeModel",
      Resource: ["arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0"],
      Condition: { ArnEquals: { "bedrock:InferenceProfileArn": profile } },
    });
    // A plain foundation model id: one statement, that model in the Bedrock region, no condition.
    const plain = synthApp({ bedrock: { modelId: "anthropic.claude-haiku-4-5-20251001-v1:0" } }).resource(
      "aws_iam_role_policy",
      "functions_analyze_role_policy",
    ).policy;
    expect(statement(plain, "InvokeSummaryModel")).toEqual({
      Sid: "InvokeSummaryModel",
      Effect: "Allow",
      Action: "bedrock:InvokeModel",
      Resource: ["arn:aws:bedrock:eu-central-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0"],
    });
    expect(() => statement(plain, "InvokeFoundationModelThroughProfile")).toThrow();
    expect(statement(p, "NeverWriteTranscriptsOrQueryResults")).toMatchObject({ Effect: "Deny", Action: "s3:PutObject" });
    expect(doc(p).Statement.flatMap((x: any) => [x.Action].flat())).not.toContain("iam:PassRole");
    // One byte of the audio, IfMatch the job's ETag (the exact upload), and never a delete unless configured.
    expect(statement(p, "UploadedAudio")).toMatchObject({
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::cci-lite-prod-input-111122223333-eu-central-1/*/calls/*",
    });
    const deleting = synthApp({ processing: { deleteInputOnSuccess: true } }).resource("aws_iam_role_policy", "functions_analyze_role_policy").policy;
    // A conditional delete (If-Match the processed ETag) needs s3:GetObject too.
    expect(statement(deleting, "UploadedAudio")).toMatchObject({
      Action: ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:GetObject"],
      Resource: "arn:aws:s3:::cci-lite-prod-input-111122223333-eu-central-1/*/calls/*",
    });
    expect(() =>
      statement(
        synthApp({ processing: { deleteInputOnSuccess: true } }).resource("aws_iam_role_policy", "functions_reconcile_role_policy").policy,
        "UploadedAudio",
      ),
    ).toThrow();
  });
  it("lets only reconcile list jobs", () => {
    expect(statement(role("reconcile"), "NoResourceLevelCalls").Action).toBe("transcribe:ListTranscriptionJobs");
    expect(statement(role("analyze"), "NoResourceLevelCalls").Action).toEqual(["comprehend:BatchDetectSentiment", "comprehend:DetectSentiment"]);
  });
  it("alarms on errors, throttles, duration, dead letters, queue age, failed and rejected calls and stuck jobs", () => {
    const names = (Object.values(s.resources("aws_cloudwatch_metric_alarm")) as any[]).map((a) => a.alarm_name).sort();
    for (const h of ["start", "analyze", "reconcile"]) {
      expect(names).toEqual(
        expect.arrayContaining([
          `cci-lite-prod-${h}-errors`,
          `cci-lite-prod-${h}-throttles`,
          `cci-lite-prod-${h}-duration-near-timeout`,
          `cci-lite-prod-${h}-error-lines`,
        ]),
      );
    }
    expect(names).toEqual(
      expect.arrayContaining([
        "cci-lite-prod-intake-dlq-not-empty",
        "cci-lite-prod-events-dlq-not-empty",
        "cci-lite-prod-intake-oldest-message-age",
        "cci-lite-prod-intake-audio-expiring",
        "cci-lite-prod-calls-failed",
        "cci-lite-prod-calls-rejected",
        "cci-lite-prod-jobs-stuck",
        "cci-lite-prod-summaries-failed",
      ]),
    );
    const failed = s.resource("aws_cloudwatch_metric_alarm", "calls-failed");
    expect(failed).toMatchObject({ namespace: "CCI-Lite", metric_name: "CallsFailed", dimensions: { service: "cci-lite-prod" } });
    expect(s.resource("aws_cloudwatch_metric_alarm", "summaries-failed")).toMatchObject({ metric_name: "SummariesFailed", threshold: 0 });
    expect(s.resource("aws_cloudwatch_metric_alarm", "analyze-duration").threshold).toBe(240000);
  });
});
