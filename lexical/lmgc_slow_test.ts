import assert from "node:assert/strict";
import { join } from "node:path";
import { ensureFixtures } from "@cohesive/fixtures";
import { initRuntime } from "@cohesive/shared";
import { corpusXml, RIVER_KEYS, RIVER_SENTENCE } from "./_test_utils.ts";
import { Rng } from "@cohesive/shared";
import {
  instancePairs,
  parseKeys,
  parseRaganatoXml,
  trainingPairs,
  trainLmgc,
  WordNet,
} from "./mod.ts";

await initRuntime({ backend: "wasm", quiet: true });

// Selecting on WordNet's examples scores every instance of their held-out 1 % with the model.
Deno.test("without SemCor, LMGC trains and selects on WordNet's examples", async () => {
  const fx = await ensureFixtures();
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(join(dir, "text"));
  await Deno.writeTextFile(
    join(dir, "text", "a.txt"),
    Array.from({ length: 300 }, (_, i) => `the bank ${i} of the river`).join("\n"),
  );
  const wne = await trainLmgc(join(dir, "wne"), {
    model: join(fx, "tiny-bert"),
    wordnet: "3.1",
    epochs: 1,
    batchSize: 16,
    maxLength: 24,
    negatives: 1,
    mlmText: join(dir, "text"),
    train: "wordnet",
    dev: "wordnet",
    maxInstances: 30,
    pooling: "target",
  }, { progress: false });
  assert.equal(wne.prior.selectedOn, "wordnet-examples-dev");
  assert.ok(wne.pairs > 30 && wne.pairs <= 60, `${wne.pairs} pairs`); // a gold and ≤ 1 wrong each
  await Deno.remove(dir, { recursive: true });
});

// Adding examples reads and pairs every one of WordNet's examples before sampling.
Deno.test("--examples adds WordNet's examples to a corpus", async () => {
  const fx = await ensureFixtures();
  const dir = await Deno.makeTempDir();
  const xml = corpusXml(RIVER_SENTENCE);
  const data = join(dir, "t.data.xml");
  await Deno.writeTextFile(data, xml);
  await Deno.writeTextFile(join(dir, "t.gold.key.txt"), RIVER_KEYS);
  const alone = trainingPairs(
    instancePairs(parseRaganatoXml(xml), await WordNet.load(), parseKeys(RIVER_KEYS)),
    new Rng(0),
    1,
  ).length;
  const more = await trainLmgc(join(dir, "semcor+wne"), {
    model: join(fx, "tiny-bert"),
    wordnet: "3.1",
    epochs: 1,
    batchSize: 16,
    maxLength: 24,
    negatives: 1,
    train: data,
    dev: data,
    examples: 25,
  }, { progress: false });
  assert.equal(more.pairs, alone + 50); // polysemous examples: a gold and a wrong sense each
  await Deno.remove(dir, { recursive: true });
});
