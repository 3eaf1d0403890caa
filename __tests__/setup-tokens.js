/**
 * Jest setup (every test file): cdktf records a full stack trace for every token it creates (`creationStack`, read
 * only to explain a token that fails to resolve). Under jest each trace goes through jest's source-map formatting,
 * which is about a quarter of the CPU of a test file that synthesizes stacks (measured 2026-12-07: creatable, modes
 * and key-storage 16.0 -> 12.3 CPU-seconds). The tests never read a creation stack, and the synthesized JSON does
 * not contain one, so here tokens record none. `npm start`, `cdktf synth` and the emulated tier keep cdktf as it is.
 */
require("cdktf/lib/tokens/private/stack-trace").captureStackTrace = () => [];
