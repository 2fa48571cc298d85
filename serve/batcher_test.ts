import assert from "node:assert/strict";
import { MicroBatcher } from "./batcher.ts";
import { ClientClosedError, OverloadedError } from "./errors.ts";

Deno.test("MicroBatcher merges concurrent requests into batches of at most maxBatchSize", async () => {
  const sizes: number[] = [];
  const b = new MicroBatcher((xs: number[]) => {
    sizes.push(xs.length);
    return xs.map((x) => x * 2);
  }, { maxBatchSize: 4, maxWaitMs: 20 });
  const out = await Promise.all([b.run([1, 2]), b.run([3]), b.run([4, 5, 6])]);
  assert.deepEqual(out, [[2, 4], [6], [8, 10, 12]]);
  assert.deepEqual(sizes, [4, 2]);
  assert.deepEqual(b.stats(), { batches: 2, items: 6, queued: 0, largestBatch: 4 });
});

Deno.test("MicroBatcher serves a small request between the batches of a big one", async () => {
  const order: string[] = [];
  const b = new MicroBatcher(async (xs: string[]) => {
    await new Promise((r) => setTimeout(r, 2));
    order.push(...xs);
    return xs;
  }, { maxBatchSize: 2, maxWaitMs: 0 });
  const big = b.run(Array.from({ length: 20 }, (_, i) => `big${i}`));
  await new Promise((r) => setTimeout(r, 5)); // the big request is being worked on
  let bigDone = false;
  big.then(() => bigDone = true);
  await b.run(["small"]);
  assert.equal(bigDone, false);
  assert.ok(order.indexOf("small") < 8, order.join(" "));
  assert.equal((await big).length, 20);
});

Deno.test("MicroBatcher refuses work beyond maxQueued with OverloadedError", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const b = new MicroBatcher(async (xs: number[]) => {
    await gate;
    return xs;
  }, { maxBatchSize: 1, maxWaitMs: 0, maxQueued: 3 });
  const first = b.run([1, 2, 3]);
  await assert.rejects(b.run([4]), OverloadedError);
  release();
  assert.deepEqual(await first, [1, 2, 3]);
  assert.deepEqual(await b.run([4]), [4]);
});

Deno.test("MicroBatcher drops the rest of a request whose client went away", async () => {
  const seen: number[] = [];
  const b = new MicroBatcher(async (xs: number[]) => {
    await new Promise((r) => setTimeout(r, 2));
    seen.push(...xs);
    return xs;
  }, { maxBatchSize: 1, maxWaitMs: 0 });
  const ac = new AbortController();
  const job = b.run([1, 2, 3, 4, 5, 6], ac.signal);
  setTimeout(() => ac.abort(), 3);
  await assert.rejects(job, ClientClosedError);
  await new Promise((r) => setTimeout(r, 10));
  assert.ok(seen.length < 6, `processed ${seen.length}`);
  assert.equal(b.queued, 0);
  assert.deepEqual(await b.run([7]), [7]);
});

Deno.test("MicroBatcher rejects every request of a failed batch and keeps working", async () => {
  const b = new MicroBatcher((xs: number[]) => {
    if (xs.includes(0)) throw new RangeError("zero");
    return xs;
  }, { maxBatchSize: 8, maxWaitMs: 5 });
  const [x, y] = await Promise.allSettled([b.run([0]), b.run([1])]);
  assert.equal(x.status, "rejected");
  assert.equal(y.status, "rejected");
  assert.deepEqual(await b.run([2]), [2]);
});
