/**
 * The set of models a server answers with, and how to load it: knowledge-based WSD and lexical
 * similarity always (so a fresh machine answers), plus a neural similarity engine per `--model`.
 *
 * @module
 */
import { disambiguateNeural, loadWsdModel, SenseCounts, WordNet } from "@cohesive/lexical";
import { initRuntime } from "@cohesive/shared";
import { UnknownModelError } from "./errors.ts";
import { BertSimilarityEngine } from "./bert_engine.ts";
import { LexicalSimilarityEngine, type SimilarityEngine } from "./similarity_engine.ts";
import {
  CallbackWsdEngine,
  KnowledgeWsdEngine,
  type ModelInfo,
  type WsdEngine,
} from "./wsd_engine.ts";

/** The served models; the first of each list is the default. */
export interface Engines {
  /** WSD engines. */
  wsd: WsdEngine[];
  /** Similarity engines (also used by plagiarism). */
  similarity: SimilarityEngine[];
}

/** Options of {@link loadEngines}. */
export interface LoadEnginesOptions {
  /** WordNet: `3.1` (default), `3.0`, or a dict folder. */
  wordnet?: string;
  /** Checkpoint or run folders, each optionally as `name=folder`; the first is the default. */
  models?: readonly string[];
  /** tfjs backend for the models (`cpu`, `wasm`, `webgpu`, `auto`). Default `COHESIVE_BACKEND`/auto. */
  backend?: string;
  /** Also serve MFS (needs the data folder's SemCor keys, about 0.7 s and 30 MB). */
  mfs?: boolean;
  /** Where progress lines go. Default: nowhere. */
  log?: (line: string) => void;
}

/** The knowledge-based engines over `wn`: extended Lesk (default), Lesk, first sense, lexical similarity. */
export function knowledgeEngines(wn: WordNet, counts?: SenseCounts): Engines {
  const wsd: WsdEngine[] = [
    new KnowledgeWsdEngine(wn, { method: "extended-lesk" }),
    new KnowledgeWsdEngine(wn, { method: "lesk" }),
    new KnowledgeWsdEngine(wn, { method: "first-sense" }),
  ];
  if (counts) wsd.push(new KnowledgeWsdEngine(wn, { method: "mfs", counts }));
  return { wsd, similarity: [new LexicalSimilarityEngine(wn)] };
}

/**
 * Load WordNet, the knowledge-based engines and every model folder.
 *
 * @throws {import("@cohesive/shared").CheckpointError} when a model folder cannot be loaded.
 * @throws {RangeError} for two models with one name or a bad backend.
 */
export async function loadEngines(options: LoadEnginesOptions = {}): Promise<Engines> {
  const log = options.log ?? (() => {});
  const wn = await WordNet.open(options.wordnet);
  log(`WordNet ${wn.version} from ${wn.path} (${wn.loadMs.toFixed(0)} ms)`);
  const counts = options.mfs ? await SenseCounts.semcor() : undefined;
  const engines = knowledgeEngines(wn, counts);
  const neural: SimilarityEngine[] = [];
  const neuralWsd: WsdEngine[] = [];
  if (options.models?.length) {
    const rt = await initRuntime({ backend: options.backend, quiet: true });
    log(`tfjs backend ${rt.backend}`);
    for (const spec of options.models) {
      const m = /^([\w.:/-]+)=(.+)$/.exec(spec);
      const engine = await BertSimilarityEngine.load(m ? m[2] : spec, { name: m?.[1] });
      if ([...neural, ...engines.similarity].some((e) => e.name === engine.name)) {
        engine.dispose();
        throw new RangeError(`two models are named "${engine.name}": use --model NAME=DIR`);
      }
      log(`model ${engine.name} from ${engine.info().details?.checkpoint}`);
      neural.push(engine);
      // The same folder as a WSD model (LMGC / LMGC-M: P(match) on the 2-way head; or nearest
      // sense, when it holds a sense table from lexical senses).
      const w = await loadWsdModel(m ? m[2] : spec).catch(() => undefined);
      if (w) {
        const name = engine.name;
        neuralWsd.push(
          new CallbackWsdEngine({
            name,
            wordnet: wn,
            kind: "neural",
            description: (w.senses
              ? `nearest sense (sense embeddings of ${w.senses.keys.length} senses from ${w.senses.source}`
              : "LMGC context–gloss classifier (P(match) on the 2-way head") +
              (w.prior?.weight ? `, sense prior weight ${w.prior.weight})` : ")"),
            details: {
              checkpoint: w.dir,
              priorWeight: w.prior?.weight ?? 0,
              ...(w.senses ? { senses: w.senses.keys.length } : { pooling: w.pooling }),
            },
            process: (texts) =>
              Promise.all(
                texts.map((t) =>
                  disambiguateNeural(t, wn, w.model, w.tok, {
                    name,
                    priorWeight: w.prior?.weight,
                    pooling: w.pooling,
                    senses: w.senses,
                  })
                ),
              ),
            dispose: () =>
              w.model.dispose(),
          }),
        );
        log(`WSD model ${name} from ${w.dir}`);
      }
    }
  }
  return { wsd: [...neuralWsd, ...engines.wsd], similarity: [...neural, ...engines.similarity] };
}

/** Every model's facts, defaults marked. */
export function listModels(engines: Engines): (ModelInfo & { default: boolean })[] {
  return [
    ...engines.wsd.map((e, i) => ({ ...e.info(), default: i === 0 })),
    ...engines.similarity.map((e, i) => ({ ...e.info(), default: i === 0 })),
  ];
}

/**
 * The engine named `name` in `list` (the first when `name` is undefined).
 *
 * @throws {UnknownModelError} naming the models that exist.
 */
export function pickEngine<E extends { name: string }>(
  list: readonly E[],
  name: string | undefined,
  task: string,
): E {
  const e = name === undefined ? list[0] : list.find((x) => x.name === name);
  if (!e) {
    throw new UnknownModelError(
      `unknown ${task} model "${name}"; available: ${list.map((x) => x.name).join(", ")}`,
    );
  }
  return e;
}

/** Free every model. */
export function disposeEngines(engines: Engines): void {
  for (const e of [...engines.wsd, ...engines.similarity]) e.dispose?.();
}
