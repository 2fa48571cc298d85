import assert from "node:assert/strict";
import type { CompareReport } from "./compare.ts";
import {
  type CompareRun,
  renderConvergence,
  summarizeConvergence,
  type TeacherFacts,
} from "./convergence_summary.ts";

function run(
  seed: number,
  temperature: number,
  curves: Record<string, [number, number][]>,
  init = "random",
  steps = 300,
): CompareRun {
  const report: CompareReport = {
    teachers: [{ spec: "t/a", heldoutLoss: 4, layers: 4, hidden: 256 }],
    best: 0,
    threshold: NaN,
    variants: Object.entries(curves).map(([variant, curve]) => ({
      variant: variant as CompareReport["variants"][number]["variant"],
      curve,
      final: curve.at(-1)![1],
      stepsToThreshold: null,
      seconds: 1,
    })),
    ratio: null,
    config: { temperature, seed, init, steps, batchSize: 32, seqLen: 128 },
  };
  return { dir: `r${seed}`, report };
}

const facts = (spec: string): TeacherFacts => ({
  name: spec,
  layers: 4,
  hidden: 256,
  params: 1,
  heldout_loss: 4,
  tokens: 2,
  made_with: "test",
});

Deno.test("summarizeConvergence() holds each seed's students against its own single-teacher loss", () => {
  const s = summarizeConvergence([
    run(1, 2, {
      none: [[100, 7], [300, 6]],
      single: [[100, 6], [300, 5]],
      confidence: [[100, 5], [300, 4]],
    }),
    run(2, 2, {
      none: [[100, 7], [300, 6.2]],
      single: [[100, 6], [300, 5.2]],
      confidence: [[100, 5], [300, 4.2]],
    }),
  ], facts);
  assert.equal(s.length, 1);
  const t = s[0];
  assert.ok(Math.abs(t.threshold - 5.1) < 1e-12);
  assert.deepEqual(t.students.none.final_losses, [6, 6.2]);
  assert.deepEqual(t.students.none.seeds, [1, 2]);
  assert.ok(Math.abs(t.students.none.sd - Math.sqrt(0.02)) < 1e-12);
  // Each seed's single reaches its own final at step 300; confidence is below both on its first
  // evaluation (step 100); none never gets there.
  assert.equal(t.steps_to_single_final.single, 300);
  assert.equal(t.steps_to_single_final.confidence, 100);
  assert.equal(t.steps_to_single_final.none, null);
  assert.ok(Math.abs(t.ratio_confidence_vs_single! - 1 / 3) < 1e-12);
  assert.ok(Math.abs(t.confidence_vs_plain!.gain - 2) < 1e-12);
  assert.deepEqual(t.students.single.final_losses, [5, 5.2]);
  assert.match(renderConvergence(s), /steps\(confidence\) \/ steps\(single\): \*\*0\.33\*\*/);
});

Deno.test("summarizeConvergence() interpolates between evaluations and keeps teacher-initialised runs apart", () => {
  const s = summarizeConvergence(
    [
      run(1, 1, { single: [[100, 6], [200, 5]], confidence: [[100, 5.5], [200, 4.5]] }),
      run(1, 1, { confidence: [[100, 5.2], [200, 4]] }, "teacher"),
      run(1, 2, { single: [[100, 6], [200, 5]] }, "random"),
    ].map((r, i) => ({
      ...r,
      report: { ...r.report, config: { ...r.report.config, steps: 200 } },
      dir: `d${i}`,
    })),
    facts,
  );
  assert.deepEqual(s.map((x) => x.temperature), [2, 1]);
  const t1 = s[1];
  assert.equal(t1.steps_to_single_final.single, 200);
  assert.equal(t1.steps_to_single_final.confidence, 150); // 5.5 → 4.5 crosses 5 halfway
  assert.ok(Math.abs(t1.steps_to_single_final.confidence_init_teacher! - (100 + 100 / 6)) < 1e-9);
  assert.deepEqual(Object.keys(t1.students), ["single", "confidence", "confidence_init_teacher"]);
});

Deno.test("summarizeConvergence() refuses runs of unequal compute and an empty list", () => {
  assert.throws(() => summarizeConvergence([], facts), /no compare\.json/);
  assert.throws(
    () =>
      summarizeConvergence([
        run(1, 2, { single: [[100, 5]] }, "random", 300),
        run(2, 2, { single: [[100, 5]] }, "random", 200),
      ], facts),
    /equal compute/,
  );
});
