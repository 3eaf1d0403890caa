/**
 * A deliberately broken app: every rule of the pack is violated once. `npx tsx __tests__/security/broken-app.ts`
 * (or `cdktf synth --app "npx tsx __tests__/security/broken-app.ts"`) must fail naming the rule ids.
 */
import { App } from "cdktf";
import { brokenStack } from "./fixtures";

const app = new App({ outdir: process.env.CCI_BROKEN_OUTDIR });
brokenStack(app);
app.synth();
