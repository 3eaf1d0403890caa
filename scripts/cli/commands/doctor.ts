/**
 * `cci doctor`: the account preflight of scripts/doctor (`npm run doctor`, docs/doctor.md), with the same options.
 */
import { main as doctorMain } from "../../doctor/index";
import type { ExitCode } from "../exit-codes";
import type { Io } from "../output";

export async function doctorCommand(opts: { env: string; configDir: string; json: boolean }, io: Io): Promise<ExitCode> {
  const argv = ["--env", opts.env, "--config-dir", opts.configDir, ...(opts.json ? ["--json"] : [])];
  return (await doctorMain(argv, { io: { stdout: (l) => io.stdout(l), stderr: (l) => io.stderr(l) } })) as ExitCode;
}
