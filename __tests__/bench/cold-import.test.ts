/** bench/cold-import.ts without running the benchmark: its median and how it finds (or explains the lack of) Python. */
import { findPython, GUIDE_CLIENTS, MIN_RUNS } from "../../bench/cold-import";
import { median } from "../../bench/stats";

test("median of odd and even samples", () => {
  expect(median([5, 1, 3])).toBe(3);
  expect(median([4, 1, 3, 2])).toBe(2.5);
});

test("the guide's init is boto3 with its four clients, over at least 9 runs", () => {
  expect([...GUIDE_CLIENTS]).toEqual(["s3", "transcribe", "comprehend", "bedrock-runtime"]);
  expect(MIN_RUNS).toBeGreaterThanOrEqual(9);
});

test("a missing Python is reported with the binary it tried, not thrown", () => {
  const r = findPython({ CCI_BENCH_PYTHON: "/nonexistent/python3.11" });
  expect(r).toEqual({ missing: expect.stringContaining("/nonexistent/python3.11 with boto3 not found") });
});
