import assert from "node:assert/strict";
import { Progress } from "./progress.ts";

Deno.test("progress: a resumed bar counts earlier steps but rates only this process's", () => {
  const lines: string[] = [];
  const p = new Progress("train", 3000, { tty: false, every: 0, write: (s) => lines.push(s) });
  const r = new Progress("train", 3000, {
    tty: false,
    every: 0,
    start: 1800,
    write: (s) => lines.push(s),
  });
  assert.match(p.line(), /^train 0\/3000 0\.00\/s eta \?$/);
  assert.match(r.line(), /^train 1800\/3000 0\.00\/s eta \?$/);
  const t0 = performance.now();
  while (performance.now() - t0 < 20) { /* let a little time pass */ }
  r.tick(10, { loss: 1.23456 });
  const last = lines.at(-1)!;
  assert.match(last, /^train 1810\/3000 /);
  // 10 steps in ~20 ms: at most ~500/s; counting the 1,800 resumed steps would give ~90,000/s.
  const rate = Number(/ ([\d.]+)\/s /.exec(last)![1]);
  assert.ok(rate < 1000, last);
  assert.match(last, /loss 1\.235\n$/);
});

Deno.test("progress: ETA never prints 60 seconds or 60 minutes", () => {
  for (const [done, secs] of [[1, 599.7], [1, 7199.9]] as const) {
    const q = new Progress("x", done + 1, { tty: false, start: 0 });
    q.done_ = done;
    // rate = 1/secs, remaining 1 step → eta = secs
    Object.defineProperty(q, "t0", { value: performance.now() - secs * 1000 });
    assert.doesNotMatch(q.line(), /m60s|h60m/, q.line());
  }
});
