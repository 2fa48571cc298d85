/**
 * The neural commands of `deno task lexical`: pretrain (LMGC-M), finetune (LMGC), predict,
 * select-prior, and raw-text disambiguation with a model.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  BertModel,
  initRuntime,
  loadCheckpoint,
  Progress,
  replaceDir,
  saveCheckpoint,
  UsageError,
  WordPieceTokenizer,
} from "@cohesive/shared";
import { instancePairs } from "./lmgc.ts";
import { buildSenseTable, candidateProbabilities, SENSE_FILE, writeSenseTable } from "./senses.ts";
import { defaultCorpus, readLabelledCorpus, trainLmgc } from "./lmgc_train.ts";
import { countInstances, unansweredWarning } from "./baselines.ts";
import { readRaganatoXml, writeKeys } from "./raganato.ts";
import { WordNet } from "./wordnet.ts";
import { disambiguateNeural } from "./neural_wsd.ts";
import { wordnetExamples } from "./wordnet_examples.ts";
import { keysWithPrior, type PriorSetting, tunePrior } from "./prior.ts";
import { loadWsdModel, modelDir } from "./wsd_model.ts";

/** Help text of the neural commands. */
export const NEURAL_HELP =
  `  pretrain      LMGC-M: masked-LM + gloss classification (1:1) on SemCor context–gloss pairs,
                on the model's existing 2-way head (no parameter added); selects on semeval2007
                --model DIR (starting student, required) --out DIR (required)
                --epochs N (3) --batch N (32) --lr X (1e-4) --max-length N (160) --dropout X (the model's)
                --negatives N (all) --max-instances N (all; a seeded sample) --all-pos --eval-every N
                --negative-sampling uniform|frequency (uniform; frequency: wrong senses drawn by how
                often they are gold in the training data, so a gloss alone cannot tell a match)
                --pooling cls|target (cls: the head reads [CLS]; target: the target word's pieces;
                kept in the checkpoint, so predict and serve read the same way; default: the
                starting checkpoint's, cls for a model no LMGC run has trained)
                --wordnet 3.0|3.1|DIR (3.0) --train X.data.xml|wordnet --dev X.data.xml|wordnet
                --examples N|all (also train on N of WordNet's example sentences) --seed N
                --mlm-text DIR|wordnet --resume --backend B
                (without a data folder: trains and selects on WordNet's examples, MLM on its text)
  finetune      LMGC: gloss classification only; same options
  predict       --model DIR --input X.data.xml --out X.key [--wordnet 3.0] [--all-pos]
                answers in the framework's key format; --prior W: sense-frequency prior weight
                (score = log P(match) + W·log p(sense), p from WordNet's tag counts; default the
                run's choice on semeval2007 in best/wsd.json, else 0 = the model alone)
  select-prior  --model DIR [--dev X.data.xml|wordnet] [--wordnet 3.0]: choose that weight on
                the selection set (default semeval2007) and write it to the model's wsd.json
                (pretrain and finetune do this at the end)
  senses        nearest sense (LMMS-style sense embeddings) from the model's own states, nothing
                trained: each sense tagged in the training corpus gets the mean context vector of
                its occurrences; a word takes the candidate nearest its context, plus the sense
                prior chosen on semeval2007. Writes a model folder (the checkpoint, ${SENSE_FILE},
                wsd.json) that predict, disambiguate and serve take as --model
                --model DIR --out DIR (required) --train X.data.xml|wordnet (SemCor)
                --dev X.data.xml|wordnet (semeval2007) --examples (add WordNet's example
                sentences, which tag senses SemCor never does) --wordnet 3.0|3.1|DIR (3.0)
                --max-length N (128) --backend B
  disambiguate  with --model DIR: raw text through the neural model (else knowledge-based);
                --scores: also every candidate's P(match) (P(sense) with a sense table)
`;

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${v}"`);
  return n;
}

/** `pretrain` (mlm = true) and `finetune`. */
export async function trainCommand(args: string[], mlm: boolean): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      model: { type: "string" },
      out: { type: "string" },
      epochs: { type: "string" },
      batch: { type: "string" },
      lr: { type: "string" },
      "max-length": { type: "string" },
      dropout: { type: "string" },
      negatives: { type: "string" },
      "max-instances": { type: "string" },
      "all-pos": { type: "boolean" },
      pooling: { type: "string" },
      "negative-sampling": { type: "string" },
      "eval-every": { type: "string" },
      wordnet: { type: "string" },
      train: { type: "string" },
      dev: { type: "string" },
      seed: { type: "string" },
      "mlm-text": { type: "string" },
      examples: { type: "string" },
      resume: { type: "boolean", default: false },
      backend: { type: "string" },
    },
  });
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  if (!values.out) throw new UsageError("--out DIR is required");
  if (!values.resume && !values.model) {
    throw new UsageError("--model DIR (the starting student) is required");
  }
  const r = await trainLmgc(values.out, {
    model: values.model,
    mlm,
    epochs: num("epochs", values.epochs),
    batchSize: num("batch", values.batch),
    lr: num("lr", values.lr),
    maxLength: num("max-length", values["max-length"]),
    dropout: num("dropout", values.dropout),
    negatives: num("negatives", values.negatives),
    maxInstances: num("max-instances", values["max-instances"]),
    allPos: values["all-pos"],
    pooling: values.pooling,
    negativeSampling: values["negative-sampling"],
    evalEvery: num("eval-every", values["eval-every"]),
    wordnet: values.wordnet,
    train: values.train,
    dev: values.dev,
    seed: num("seed", values.seed),
    mlmText: values["mlm-text"],
    examples: values.examples === "all" ? -1 : num("examples", values.examples),
  }, { resume: values.resume, backend: values.backend });
  console.log(
    `${mlm ? "LMGC-M" : "LMGC"}: best dev F1 ${
      r.best.f1.toFixed(1)
    } at step ${r.best.step}; parameters ` +
      `${r.parameters.before} before, ${r.parameters.after} after; held-out MLM loss ` +
      `${r.mlmLoss.before.toFixed(3)} → ${r.mlmLoss.after.toFixed(3)}; ${r.pairs} pairs/epoch; ` +
      `${r.seconds.toFixed(0)} s; best checkpoint ${r.checkpoint}`,
  );
}

/** `--prior W` as a number (undefined when not given: the run's stored choice applies). */
function parsePrior(given: string | undefined): number | undefined {
  if (given === undefined) return undefined;
  const w = Number(given);
  if (!(Number.isFinite(w) && w >= 0)) throw new UsageError(`--prior must be a number >= 0`);
  return w;
}

function describePrior(weight: number, given: number | undefined, s?: PriorSetting): string {
  if (weight === 0) return "the model alone (prior weight 0)";
  return `sense prior weight ${weight} (${
    given !== undefined ? "given" : `chosen on ${s?.selectedOn}`
  })`;
}

/** `predict`. */
export async function predictCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      model: { type: "string" },
      input: { type: "string" },
      out: { type: "string" },
      wordnet: { type: "string", default: "3.0" },
      "all-pos": { type: "boolean", default: false },
      "max-length": { type: "string" },
      prior: { type: "string" },
      backend: { type: "string" },
    },
  });
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  if (!values.model) throw new UsageError("--model DIR is required");
  if (!values.input) throw new UsageError("--input FILE.data.xml is required");
  const given = parsePrior(values.prior); // a bad --prior fails before the model loads
  if (!values.out) throw new UsageError("--out FILE.key is required");
  await initRuntime({ backend: values.backend, quiet: true });
  const { model, tok, dir, prior, pooling, senses } = await loadWsdModel(values.model);
  const weight = given ?? prior?.weight ?? 0;
  const wn = await WordNet.open(values.wordnet);
  const corpus = await readRaganatoXml(values.input);
  const insts = instancePairs(corpus, wn, undefined, { allPos: values["all-pos"] });
  const t0 = performance.now();
  const scores = await candidateProbabilities(model, tok, insts, {
    maxLength: num("max-length", values["max-length"]),
    pooling,
    senses,
  });
  const keys = keysWithPrior(insts, scores, weight);
  await writeKeys(values.out, keys);
  console.error(
    `${dir}${senses ? " (nearest sense)" : ""}: ${keys.size} of ${
      countInstances(corpus)
    } instances answered with ${describePrior(weight, given, prior)}, written to ` +
      `${values.out} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  const unanswered = unansweredWarning(corpus, keys, `WordNet ${wn.version}`);
  if (unanswered) console.error(unanswered);
  model.dispose();
}

/** `select-prior --model DIR [--dev X.data.xml]`. */
export async function selectPriorCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      model: { type: "string" },
      dev: { type: "string" },
      wordnet: { type: "string", default: "3.0" },
      "all-pos": { type: "boolean", default: false },
      backend: { type: "string" },
    },
  });
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  if (!values.model) throw new UsageError("--model DIR is required");
  const devXml = values.dev ?? defaultCorpus("dev");
  await initRuntime({ backend: values.backend, quiet: true });
  const { model, tok, dir, pooling, senses } = await loadWsdModel(values.model);
  const wn = await WordNet.open(values.wordnet);
  const { corpus, keys: gold, name } = await readLabelledCorpus(devXml, wn, "dev");
  const insts = instancePairs(corpus, wn, undefined, { allPos: values["all-pos"] });
  const s = await tunePrior(model, tok, { insts, gold, name }, dir, { pooling, senses });
  model.dispose();
  const row = Object.entries(s.f1).sort(([a], [b]) => Number(a) - Number(b));
  console.log(
    `${name} F1 by prior weight: ${row.map(([w, f]) => `${w}: ${f.toFixed(1)}`).join(", ")}`,
  );
  console.log(`chosen ${s.weight}; written to ${join(dir, "wsd.json")}`);
}

/**
 * `disambiguate --model DIR "text"` (`prior`: the sense-prior weight, default the run's; `scores`:
 * also every candidate's P(match)).
 */
export async function disambiguateWithModel(
  text: string,
  modelDir: string,
  wordnet: string | undefined,
  json: boolean,
  prior?: string,
  scores = false,
): Promise<void> {
  const given = parsePrior(prior);
  await initRuntime({ quiet: true });
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

/** `senses --model DIR --out DIR`: build a sense table and write a model folder holding it. */
export async function sensesCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      model: { type: "string" },
      out: { type: "string" },
      train: { type: "string" },
      dev: { type: "string" },
      wordnet: { type: "string", default: "3.0" },
      "max-length": { type: "string" },
      examples: { type: "boolean", default: false },
      backend: { type: "string" },
    },
  });
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  if (!values.model) throw new UsageError("--model DIR is required");
  if (!values.out) throw new UsageError("--out DIR is required");
  const maxLength = num("max-length", values["max-length"]);
  await replaceableFolder(values.out); // before the work, not after it
  await initRuntime({ backend: values.backend, quiet: true });
  const t0 = performance.now();
  const from = await modelDir(values.model);
  const ck = await loadCheckpoint(from);
  if (!ck.vocab) throw new RangeError(`${from}: no vocab.txt`);
  const model = BertModel.fromWeights(ck.config, ck.weights);
  const tok = WordPieceTokenizer.fromVocab(ck.vocab);
  const wn = await WordNet.open(values.wordnet);
  const train = await readLabelledCorpus(values.train ?? defaultCorpus("train"), wn, "train");
  const dev = await readLabelledCorpus(values.dev ?? defaultCorpus("dev"), wn, "dev");
  let bar: Progress | undefined;
  const sources = [train];
  let source = train.name;
  if (values.examples) {
    if (train.name.startsWith("wordnet-examples")) {
      throw new UsageError("--examples adds WordNet's examples to another corpus; --train is them");
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
  const out = resolve(values.out);
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
    } (λ ${s.weight}); ${((performance.now() - t0) / 1000).toFixed(0)} s; written to ${values.out}`,
  );
}

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
