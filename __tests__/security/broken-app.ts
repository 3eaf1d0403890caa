/**
 * A deliberately broken app: every rule of the pack is violated once. `npx tsx __tests__/security/broken-app.ts`
 * (or `cdktf synth --app "npx tsx __tests__/security/broken-app.ts"`) must fail naming the rule ids.
 */
import { App } from "cdktf";
import { brokenStack } from "./fixtures";

// Without stack traces each violation is one line: the whole report stays small enough for cdktf's pipe
// (with traces it ran to ~130 lines per rule and was cut under load).
const app = new App({ outdir: process.env.CCI_BROKEN_OUTDIR, context: { "@cdktf/disable_stack_trace_in_metadata": true } });
brokenStack(app);
app.synth();
