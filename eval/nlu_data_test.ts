import assert from "node:assert/strict";
import { join } from "node:path";
import { dataDir } from "@cohesive/shared";
import { tinyDataDir } from "./_test_data.ts";
import {
  loadNluTask,
  NLU_TASKS,
  parseCsv,
  parseTasks,
  subsample,
  UnknownTaskError,
} from "./nlu_data.ts";

Deno.test("loadNluTask() reads every task in its released format", async () => {
  const dir = await tinyDataDir();
  try {
    const nlu = join(dir, "nlu");
    const sizes: Record<string, number[]> = {};
    for (const t of NLU_TASKS) {
      const d = await loadNluTask(t, { dir: nlu });
      sizes[t] = [d.train.length, d.dev.length, d.test?.length ?? 0];
      assert.equal(d.spec.pair, d.train[0].b !== undefined, t);
    }
    assert.deepEqual(sizes, {
      cola: [24, 8, 0],
      sst2: [24, 8, 0],
      mrpc: [20, 20, 12], // 40 pairs: dev = min(408, half), drawn with the split seed
      stsb: [24, 8, 8],
      qqp: [27, 3, 0], // 30 well-formed pairs (one malformed line skipped), 90/10
      rte: [24, 8, 0],
    });
    const stsb = await loadNluTask("stsb", { dir: nlu });
    assert.ok(stsb.train[0].b!.endsWith(", indeed")); // a quoted CSV field with a comma
    assert.ok(stsb.train.every((x) => x.label >= 0 && x.label <= 5));
    const qqp = await loadNluTask("qqp", { dir: nlu });
    assert.match(qqp.notes.join(" "), /1 malformed lines skipped/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadNluTask() draws MRPC's dev pairs with the split seed, reproducibly", async () => {
  const dir = await tinyDataDir();
  try {
    const nlu = join(dir, "nlu");
    const a = await loadNluTask("mrpc", { dir: nlu, splitSeed: 3 });
    const b = await loadNluTask("mrpc", { dir: nlu, splitSeed: 3 });
    const c = await loadNluTask("mrpc", { dir: nlu, splitSeed: 4 });
    assert.deepEqual(a.dev, b.dev);
    assert.notDeepEqual(a.dev, c.dev);
    const all = new Set([...a.train, ...a.dev].map((x) => x.a));
    assert.equal(all.size, a.train.length + a.dev.length); // disjoint
    assert.match(a.notes[0], /drawn as dev with seed 3/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadNluTask() names an unknown task and a missing dataset file", async () => {
  await assert.rejects(loadNluTask("mnli", { dir: "/nowhere" }), (e: Error) => {
    assert.ok(e instanceof UnknownTaskError);
    assert.equal(
      e.message,
      'unknown task "mnli" (one of cola, sst2, mrpc, stsb, qqp, rte, or all)',
    );
    return true;
  });
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(loadNluTask("sst2", { dir }), (e: Error) => {
      assert.ok(e instanceof Deno.errors.NotFound);
      assert.match(e.message, /^task sst2: missing dataset file .*SST-2\/train\.tsv/);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseTasks() accepts names, comma lists, GLUE spellings and all", () => {
  assert.deepEqual(parseTasks("all"), [...NLU_TASKS]);
  assert.deepEqual(parseTasks("SST-2, cola,sst2"), ["sst2", "cola"]);
  assert.throws(() => parseTasks("sst2,wnli"), UnknownTaskError);
});

Deno.test("parseCsv() handles quotes, doubled quotes and CRLF", () => {
  assert.deepEqual(parseCsv('a,"b, c","say ""hi"""\r\nd,e,f\n'), [
    ["a", "b, c", 'say "hi"'],
    ["d", "e", "f"],
  ]);
});

Deno.test("subsample() draws a seeded subset and keeps everything when no limit is set", () => {
  const xs = Array.from({ length: 10 }, (_, i) => i);
  assert.deepEqual(subsample(xs, undefined, 1), xs);
  assert.deepEqual(subsample(xs, 4, 1), subsample(xs, 4, 1));
  assert.equal(new Set(subsample(xs, 4, 1)).size, 4);
});

const DATA = dataDir();
Deno.test({
  name: "loadNluTask() finds the documented sizes in the data folder",
  ignore: !DATA,
  fn: async () => {
    const got: Record<string, number[]> = {};
    for (const t of NLU_TASKS) {
      const d = await loadNluTask(t);
      got[t] = [d.train.length, d.dev.length, d.test?.length ?? 0];
    }
    assert.deepEqual(got, {
      cola: [8551, 527, 0],
      sst2: [67349, 872, 0],
      mrpc: [3668, 408, 1725],
      stsb: [5749, 1500, 1379],
      qqp: [21146, 2350, 0],
      rte: [2490, 277, 0],
    });
  },
});
