/**
 * `deno run -A serve/plagiarism_eval.ts [--out DIR] [--pairs N] [--paragraphs N]`: how well the
 * `/v1/plagiarism` score separates copied from original text, against the plain word-trigram
 * containment baseline computed on the same pairs in the same direction (the suspicious text's
 * trigrams found in the source). The measure is ROC AUC (the chance that a random plagiarised
 * pair scores above a random original one; ties count half), on:
 *
 * - `spin-light`, `spin-heavy`: partial spun copies. For each held-out corpus paragraph (the
 *   source), a host paragraph of the same source file; positive: the host with two consecutive
 *   sentences of the source, spun by the evaluation suite's synonym spinner (about every 4th /
 *   every 2nd content word), inserted in its middle; negative: the host alone. Both are
 *   checked against the source;
 * - `pan`: the PAN paraphrase test pairs (label 1 = paraphrase);
 * - `mrpc`: the MRPC labelled test pairs.
 *
 * `--dev` measures on the training sides instead (the corpus files of the training side, PAN
 * train, MRPC train): the scoring's design choices were made there, never on the test sides.
 *
 * Writes `plagiarism.json` and `plagiarism.md` to `--out` (default `results/serve`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { WordNet } from "@cohesive/lexical";
import { requireDataDir, Rng, runCli, usage, UsageError, writeFileAtomic } from "@cohesive/shared";
import { loadNluTask, loadPan, paragraphsBySource, SPIN_SETTINGS, Spinner } from "@cohesive/eval";
import { ngramContainment } from "./evidence.ts";
import { detectPlagiarism } from "./plagiarism.ts";
import { splitSentences } from "./sentences.ts";
import { LexicalSimilarityEngine } from "./similarity_engine.ts";

/** A scored pair. */
interface Scored {
  label: number;
  service: number;
  semantic: number;
  baseline: number;
}

/** ROC AUC of `scores` for binary `labels` (ties count half). */
export function rocAuc(scores: readonly number[], labels: readonly number[]): number {
  const idx = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rank = 0;
  let posRanks = 0;
  let pos = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j < idx.length && scores[idx[j]] === scores[idx[i]]) j++;
    const avg = (rank + 1 + rank + (j - i)) / 2;
    for (let k = i; k < j; k++) {
      if (labels[idx[k]] === 1) {
        posRanks += avg;
        pos++;
      }
    }
    rank += j - i;
    i = j;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (posRanks - pos * (pos + 1) / 2) / (pos * neg);
}

async function score(
  engine: LexicalSimilarityEngine,
  pairs: readonly { a: string; b: string; label: number }[],
  progress: (i: number) => void,
): Promise<Scored[]> {
  const out: Scored[] = [];
  for (const [i, p] of pairs.entries()) {
    const r = await detectPlagiarism(p.a, [p.b], engine);
    const semantic = await detectPlagiarism(p.a, [p.b], engine, { lexical: false });
    out.push({
      label: p.label,
      service: r.score,
      semantic: semantic.score,
      baseline: ngramContainment(p.a, p.b, 3),
    });
    if (i % 200 === 199) progress(i + 1);
  }
  return out;
}

const HELP = `deno run -A serve/plagiarism_eval.ts [--out DIR] [--pairs N] [--paragraphs N]

ROC AUC of the /v1/plagiarism score (lexical engine) against word-trigram containment on
spun paragraphs, PAN and MRPC. Writes DIR/plagiarism.json and .md (default results/serve).

  --pairs N       at most N pairs per paraphrase set (default: all)
  --paragraphs N  held-out paragraphs to spin (default 300)
  --dev           measure on the training sides instead (training-side corpus files, PAN
                  and MRPC train), where the scoring's design choices were made`;

if (import.meta.main) {
  await runCli(async () => {
    const { values } = usage(() =>
      parseArgs({
        args: Deno.args,
        options: {
          out: { type: "string", default: "results/serve" },
          pairs: { type: "string" },
          paragraphs: { type: "string", default: "300" },
          dev: { type: "boolean", default: false },
          help: { type: "boolean", short: "h", default: false },
        },
        strict: true,
        allowPositionals: false,
      })
    );
    if (values.help) return console.log(HELP);
    const count = (flag: string, v: string | undefined) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) {
        throw new UsageError(`--${flag} must be a positive integer, got "${v}"`);
      }
      return n;
    };
    const maxPairs = count("pairs", values.pairs);
    const nPara = count("paragraphs", values.paragraphs)!;
    const data = requireDataDir("the plagiarism benchmark");
    const wn = await WordNet.load();
    const engine = new LexicalSimilarityEngine(wn);
    const sets: Record<string, { a: string; b: string; label: number }[]> = {};
    const split = await paragraphsBySource(join(data, "corpus"), { perSplit: nPara, seed: 0 });
    const spinner = new Spinner(wn);
    for (const [k, setting] of (["light", "heavy"] as const).entries()) {
      const rng = new Rng(1000 + k);
      const paras = values.dev ? split.train : split.test;
      const pairs: { a: string; b: string; label: number }[] = [];
      paras.forEach((p, i) => {
        // the host: another paragraph of the same source file (the next one that is)
        let j = (i + 1) % paras.length;
        for (let t = 1; t < paras.length; t++) {
          const c = (i + t) % paras.length;
          if (paras[c].source === p.source) {
            j = c;
            break;
          }
        }
        const from = splitSentences(p.text).map((s) => s.text);
        const host = splitSentences(paras[j].text).map((s) => s.text);
        if (from.length === 0 || host.length === 0) return;
        const start = rng.int(Math.max(1, from.length - 1));
        const copied = from.slice(start, start + 2)
          .map((s) => spinner.spin(s, SPIN_SETTINGS[setting], rng).text);
        const at = Math.ceil(host.length / 2);
        const withCopy = [...host.slice(0, at), ...copied, ...host.slice(at)].join(" ");
        pairs.push({ a: withCopy, b: p.text, label: 1 }, {
          a: host.join(" "),
          b: p.text,
          label: 0,
        });
      });
      sets[`spin-${setting}`] = pairs;
    }
    const take = <T>(xs: T[]) => maxPairs ? new Rng(7).shuffle([...xs]).slice(0, maxPairs) : xs;
    const pan = await loadPan();
    sets.pan = take(
      (values.dev ? pan.train : pan.test).map((x) => ({ a: x.a, b: x.b!, label: x.label })),
    );
    const mrpc = await loadNluTask("mrpc");
    sets.mrpc = take(
      (values.dev ? mrpc.train : mrpc.test ?? []).map((x) => ({ a: x.a, b: x.b!, label: x.label })),
    );
    const results: Record<string, unknown> = {};
    const rows: string[] = [];
    for (const [name, pairs] of Object.entries(sets)) {
      const t0 = performance.now();
      const scored = await score(
        engine,
        pairs,
        (i) => console.error(`${name}: ${i}/${pairs.length}`),
      );
      const labels = scored.map((s) => s.label);
      const auc = (f: (s: Scored) => number) => round(rocAuc(scored.map(f), labels));
      const r = {
        pairs: pairs.length,
        positives: labels.filter((l) => l === 1).length,
        service: auc((s) => s.service),
        semanticOnly: auc((s) => s.semantic),
        trigramContainment: auc((s) => s.baseline),
        seconds: Math.round((performance.now() - t0) / 100) / 10,
      };
      results[name] = r;
      rows.push(
        `| ${name} | ${r.pairs} | ${r.positives} | **${r.service}** | ${r.semanticOnly} | ` +
          `${r.trigramContainment} | ${r.service > r.trigramContainment ? "yes" : "no"} |`,
      );
      console.error(`${name}: ${JSON.stringify(r)}`);
    }
    const doc = {
      measure: "ROC AUC",
      split: values.dev ? "training sides (dev)" : "test sides",
      engine: "lexical",
      wordnet: wn.version,
      command: `deno run -A serve/plagiarism_eval.ts ${Deno.args.join(" ")}`.trim(),
      sets: results,
    };
    await Deno.mkdir(values.out, { recursive: true });
    await writeFileAtomic(join(values.out, "plagiarism.json"), JSON.stringify(doc, null, 2) + "\n");
    const md = `# Plagiarism score against word-trigram containment

ROC AUC of the \`/v1/plagiarism\` score (lexical engine, WordNet ${wn.version}) and of plain
word-trigram containment of the suspicious text in the source, on the same pairs. "semantic
only" is the service's alignment scored by the engine's similarity alone (no lexical evidence).
Reproduce: \`${doc.command}\`.

| set | pairs | plagiarised | service | semantic only | trigram containment | service beats baseline |
| --- | ---: | ---: | ---: | ---: | ---: | :---: |
${rows.join("\n")}
`;
    await writeFileAtomic(join(values.out, "plagiarism.md"), md);
    console.log(md);
  });
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
