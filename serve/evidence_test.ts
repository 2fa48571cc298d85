import assert from "node:assert/strict";
import { documentContainment, lexicalEvidence, ngramContainment } from "./evidence.ts";
import { WorkerPool } from "./worker_pool.ts";

Deno.test("lexicalEvidence() finds copied phrases with offsets in both sentences", () => {
  const rows = ["As we know, the quick brown fox jumps over the lazy dog every day."];
  const cols = ["Nothing here.", "Yesterday the quick brown fox jumps over the lazy dog again."];
  const [e, ...rest] = lexicalEvidence({ rows, cols });
  assert.equal(rest.length, 0); // "Nothing here." shares nothing: no candidate
  assert.equal(e.col, 1);
  assert.equal(e.runs.length, 1);
  const r = e.runs[0];
  assert.equal(rows[0].slice(r.start, r.end), "the quick brown fox jumps over the lazy dog");
  assert.equal(
    cols[1].slice(r.sourceStart, r.sourceEnd),
    "the quick brown fox jumps over the lazy dog",
  );
  assert.equal(r.words, 9);
  assert.ok(Math.abs(e.runCoverage - 9 / 14) < 1e-9);
  assert.ok(e.containment > 0.5 && e.containment < 1);
  assert.equal(ngramContainment("the cat sat on the mat", "a cat sat on the mat today"), 0.75);
  assert.equal(
    documentContainment("the cat sat on the mat", ["a cat sat on it", "on the mat"]),
    0.5,
  );
});

Deno.test("lexicalEvidence() skips features shared by thousands of sentences and stays fast", () => {
  const cols = Array.from({ length: 3000 }, (_, i) => `The cat number ${i} sleeps.`);
  cols.push("A rare zebra crossed the quiet river at dawn.");
  const rows = Array.from({ length: 300 }, (_, i) => `The cat number ${i} sleeps.`);
  rows.push("The rare zebra crossed the quiet river yesterday.");
  const t0 = performance.now();
  const ev = lexicalEvidence({ rows, cols, k: 3 });
  const ms = performance.now() - t0;
  assert.ok(ms < 1500, `${ms.toFixed(0)} ms`);
  assert.ok(ev.length <= 3 * rows.length);
  const zebra = ev.filter((e) => e.row === 300);
  assert.equal(zebra[0].col, 3000);
  assert.ok(ev.some((e) => e.row === 7 && e.col === 7 && e.containment === 1));
});

Deno.test("WorkerPool runs tasks in a worker, reports their errors and refuses work once closed", async () => {
  const pool = new WorkerPool(new URL("./evidence_worker.ts", import.meta.url), {
    size: 1,
    maxQueued: 1,
  });
  try {
    const input = { rows: ["one two three four"], cols: ["zero one two three four"] };
    const [a, b, c] = await Promise.allSettled([
      pool.run("evidence", input),
      pool.run("containment", { text: "one two three four", documents: ["one two three"] }),
      pool.run("evidence", input), // the queue holds one task: this one is refused
    ]);
    assert.deepEqual((a as PromiseFulfilledResult<unknown>).value, lexicalEvidence(input));
    assert.equal((b as PromiseFulfilledResult<unknown>).value, 0.5);
    assert.match(String((c as PromiseRejectedResult).reason), /server busy/);
    await assert.rejects(pool.run("nothing", {}), /unknown task "nothing"/);
    assert.equal(pool.workers, 1);
  } finally {
    pool.close();
  }
  assert.equal(pool.workers, 0);
  await assert.rejects(pool.run("evidence", {}), /closed/);
});
