/**
 * The tiny fixtures the tests of every member use, generated into `fixtures/testdata/` (not
 * committed):
 * - `tiny-vocab.txt`: a 128-entry WordPiece vocabulary (BERT specials, common words, letters);
 * - `tiny-bert/`: a random BERT checkpoint in Hugging Face layout (config.json, model.safetensors,
 *   vocab.txt) over that vocabulary, 2 layers, hidden 16, 2 heads;
 * - `tiny-bert-b/`: a second random checkpoint (3 layers, another seed), a second teacher;
 * - `tiny-bert-hf/`: the same weights written the way older Hugging Face exports look (no `bert.`
 *   prefix, LayerNorm `gamma`/`beta`, no `cohesive` block), to test foreign loading.
 *
 * Run `deno task fixtures` (or `deno run -A fixtures/make.ts`); tests call {@link ensureFixtures},
 * which generates them once when missing. It lives in `shared` (as `@cohesive/shared/testing`,
 * outside the documented API) so that shared's own tests need no other member;
 * `@cohesive/fixtures` re-exports it.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { writeFileAtomic } from "./atomic.ts";
import { type BertConfig, resolveBertConfig } from "./bert_config.ts";
import { saveCheckpoint } from "./checkpoint.ts";
import { BertModel } from "./model.ts";
import { initRuntime } from "./runtime.ts";
import { writeSafetensors } from "./safetensors.ts";

/** Where the generated fixtures live. */
export const TESTDATA: string = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "fixtures",
  "testdata",
);

const WORDS = (
  "the of and to a in is it that was he for on are as with his they at be this from " +
  "have or by one had not but what all were when we there can an your which their said if do " +
  "will each about how up out them then she many some so these would other into has more her " +
  "two like him see time could no make than first been its who now people my made over did " +
  "down only way find use may water long little very after words called just where most know " +
  "bank river money sat watched"
).split(" ");

/** The tiny vocabulary: specials, words, single letters and their `##` continuations. */
export function tinyVocab(): string[] {
  const specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
  const letters = "abcdefghijklmnopqrstuvwxyz".split("");
  const punct = [".", ",", "!", "?", "'", "-"];
  const v = [...specials, ...punct, ...letters, ...letters.map((l) => `##${l}`)];
  for (const w of WORDS) if (!v.includes(w) && v.length < 128) v.push(w);
  while (v.length < 128) v.push(`[unused${v.length}]`);
  return v;
}

/** The tiny model's config. */
export function tinyConfig(): BertConfig {
  return resolveBertConfig({
    vocab_size: 128,
    hidden_size: 16,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    intermediate_size: 32,
    max_position_embeddings: 64,
  });
}

/** Write every fixture (overwriting). */
export async function makeFixtures(): Promise<void> {
  await initRuntime({ backend: "cpu", quiet: true });
  await Deno.mkdir(TESTDATA, { recursive: true });
  const vocab = tinyVocab();
  await writeFileAtomic(join(TESTDATA, "tiny-vocab.txt"), vocab.join("\n") + "\n");
  const config = tinyConfig();
  const model = BertModel.create(config, 1234);
  // Non-zero biases and LayerNorm parameters so parity tests exercise every tensor.
  const weights = await model.weights();
  let k = 0;
  for (const [name, t] of weights) {
    if (name.endsWith(".bias") || name.includes("LayerNorm")) {
      for (let i = 0; i < t.data.length; i++) {
        t.data[i] += 0.05 * Math.sin(++k * 0.37);
      }
    }
  }
  model.dispose();
  await saveCheckpoint(join(TESTDATA, "tiny-bert"), { config, weights, vocab });
  // A second teacher: another seed, one layer deeper.
  const other = BertModel.create({ ...config, num_hidden_layers: 3 }, 99);
  await saveCheckpoint(join(TESTDATA, "tiny-bert-b"), {
    config: other.config,
    weights: await other.weights(),
    vocab,
  });
  other.dispose();

  const hf = join(TESTDATA, "tiny-bert-hf");
  await Deno.mkdir(hf, { recursive: true });
  const renamed = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, t] of weights) {
    renamed.set(
      name.replace(/^bert\./, "").replace("LayerNorm.weight", "LayerNorm.gamma").replace(
        "LayerNorm.bias",
        "LayerNorm.beta",
      ),
      t,
    );
  }
  await writeFileAtomic(join(hf, "model.safetensors"), writeSafetensors(renamed, { format: "pt" }));
  await writeFileAtomic(
    join(hf, "config.json"),
    JSON.stringify({ ...config, architectures: ["BertForPreTraining"] }, null, 2),
  );
  await writeFileAtomic(join(hf, "vocab.txt"), vocab.join("\n") + "\n");
}

let pending: Promise<void> | undefined;

/** Generate the fixtures once if they are missing; returns the testdata folder. */
export async function ensureFixtures(): Promise<string> {
  if (!existsSync(join(TESTDATA, "tiny-bert-b", "model.safetensors"))) {
    pending ??= makeFixtures();
    await pending;
  }
  return TESTDATA;
}
