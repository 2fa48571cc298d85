/**
 * The GLUE-style tasks of the data folder's `nlu/` (files as released): SST-2, CoLA, RTE, MRPC
 * (original Microsoft release), STS-B and a labelled QQP sample. Each loads as train / dev (and a
 * labelled test set where the release has one) lists of examples.
 *
 * Splits that the files do not carry are drawn with a seeded shuffle, and the seed is recorded:
 * MRPC's dev set is 408 pairs drawn from `msr_paraphrase_train.txt` (the size of GLUE's MRPC dev
 * set; GLUE's own id list is not in the release), the rest being train, and the labelled
 * `msr_paraphrase_test.txt` is the test set; QQP's sample is split 90 / 10 into train / dev.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { requireDataDir, Rng } from "@cohesive/shared";

/** The task names of the command line. */
export type NluTaskName = "cola" | "sst2" | "mrpc" | "stsb" | "qqp" | "rte";

/** Every task, in GLUE's table order. */
export const NLU_TASKS: readonly NluTaskName[] = ["cola", "sst2", "mrpc", "stsb", "qqp", "rte"];

/** The metrics of the tasks. */
export type NluMetric = "accuracy" | "f1" | "matthews" | "pearson" | "spearman";

/** What a task is. */
export interface NluTaskSpec {
  /** Command-line name. */
  name: NluTaskName;
  /** GLUE's column title. */
  title: string;
  /** Folder under `nlu/`. */
  folder: string;
  /** Classes; 1 for the regression task (STS-B). */
  numLabels: number;
  /** Whether examples are sentence pairs. */
  pair: boolean;
  /** Reported metrics; the GLUE score of a task is their mean. */
  metrics: readonly NluMetric[];
}

/** The task table. */
export const NLU_TASK_SPECS: Readonly<Record<NluTaskName, NluTaskSpec>> = Object.freeze(
  {
    cola: {
      name: "cola",
      title: "CoLA",
      folder: "CoLA",
      numLabels: 2,
      pair: false,
      metrics: ["matthews"],
    },
    sst2: {
      name: "sst2",
      title: "SST-2",
      folder: "SST-2",
      numLabels: 2,
      pair: false,
      metrics: ["accuracy"],
    },
    mrpc: {
      name: "mrpc",
      title: "MRPC",
      folder: "MRPC",
      numLabels: 2,
      pair: true,
      metrics: ["f1", "accuracy"],
    },
    stsb: {
      name: "stsb",
      title: "STS-B",
      folder: "STS-B",
      numLabels: 1,
      pair: true,
      metrics: ["pearson", "spearman"],
    },
    qqp: {
      name: "qqp",
      title: "QQP",
      folder: "QQP",
      numLabels: 2,
      pair: true,
      metrics: ["accuracy", "f1"],
    },
    rte: {
      name: "rte",
      title: "RTE",
      folder: "RTE",
      numLabels: 2,
      pair: true,
      metrics: ["accuracy"],
    },
  } satisfies Record<NluTaskName, NluTaskSpec>,
);

/** One example: a sentence or a pair, with a class id (or a score for STS-B). */
export interface NluExample {
  /** First (or only) sentence. */
  a: string;
  /** Second sentence of a pair. */
  b?: string;
  /** Class id, or the similarity score (0–5) for STS-B. */
  label: number;
}

/** A loaded task. */
export interface NluData {
  /** The task. */
  spec: NluTaskSpec;
  /** Training examples. */
  train: NluExample[];
  /** Development examples (what the GLUE-like table reports). */
  dev: NluExample[];
  /** A labelled test set, where the release has one (MRPC, STS-B). */
  test?: NluExample[];
  /** How each split was made (files, seeded draws, skipped lines). */
  notes: string[];
}

/** A task name that is not one of {@link NLU_TASKS}. */
export class UnknownTaskError extends RangeError {
  /** Build the error for `name`. */
  constructor(name: string) {
    super(`unknown task "${name}" (one of ${NLU_TASKS.join(", ")}, or all)`);
    this.name = "UnknownTaskError";
  }
}

/** Parse `--task`: one name, a comma list, or `all`. */
export function parseTasks(spec: string): NluTaskName[] {
  if (spec === "all") return [...NLU_TASKS];
  const out: NluTaskName[] = [];
  for (const t of spec.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    const name = t.replace(/-/g, "") as NluTaskName;
    if (!NLU_TASKS.includes(name)) throw new UnknownTaskError(t);
    if (!out.includes(name)) out.push(name);
  }
  if (out.length === 0) throw new UnknownTaskError(spec);
  return out;
}

function need(file: string, task: string): string {
  if (!existsSync(file)) {
    throw new Deno.errors.NotFound(
      `task ${task}: missing dataset file ${file} (set COHESIVE_DATA or run \`deno task data\`)`,
    );
  }
  return file;
}

function lines(text: string): string[] {
  const out = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  if (out.length && out[out.length - 1] === "") out.pop();
  return out;
}

/** Parse RFC 4180 CSV (quoted fields, doubled quotes, newlines inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = "", quoted = false;
  const s = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && s[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function binary(v: string, where: string): number {
  const t = v.trim();
  if (t === "0" || t === "1") return Number(t);
  if (t === "entailment") return 0;
  if (t === "not_entailment") return 1;
  throw new SyntaxError(`${where}: label "${v}" is not 0/1`);
}

/** Examples of a TSV file, one per well-formed row; `skipped` counts the malformed ones. */
function readTsv(
  text: string,
  file: string,
  header: boolean,
  row: (f: string[]) => NluExample | undefined,
): { examples: NluExample[]; skipped: number } {
  const ls = lines(text);
  const examples: NluExample[] = [];
  let skipped = 0;
  for (let i = header ? 1 : 0; i < ls.length; i++) {
    if (ls[i].trim() === "") continue;
    let ex: NluExample | undefined;
    try {
      ex = row(ls[i].split("\t"));
    } catch {
      ex = undefined;
    }
    if (ex) examples.push(ex);
    else skipped++;
  }
  if (examples.length === 0) throw new SyntaxError(`${file}: no examples`);
  return { examples, skipped };
}

function seededSplit<T>(items: T[], holdOut: number, seed: number): [T[], T[]] {
  const idx = new Rng(seed).shuffle(items.map((_, i) => i));
  const held = new Set(idx.slice(0, holdOut));
  return [items.filter((_, i) => !held.has(i)), items.filter((_, i) => held.has(i))];
}

/** Options of {@link loadNluTask}. */
export interface LoadNluOptions {
  /** The `nlu/` folder; default the data folder's. */
  dir?: string;
  /** Seed of the drawn splits (MRPC dev, QQP dev). Default 0. */
  splitSeed?: number;
}

/**
 * Load a task's splits from the data folder.
 *
 * @throws {UnknownTaskError} for an unknown task name.
 * @throws {Deno.errors.NotFound} naming the missing dataset file.
 */
export async function loadNluTask(
  name: string,
  options: LoadNluOptions = {},
): Promise<NluData> {
  const spec = NLU_TASK_SPECS[name as NluTaskName];
  if (!spec) throw new UnknownTaskError(name);
  const root = options.dir ?? join(requireDataDir(`task ${name}`), "nlu");
  const files = new TaskFiles(spec, join(root, spec.folder), options.splitSeed ?? 0);
  const splits = await LOADERS[spec.name](files);
  return { spec, ...splits, notes: files.notes };
}

/** A task's dataset folder: its files read (clearly missing ones named) and what was taken noted. */
class TaskFiles {
  readonly notes: string[] = [];

  constructor(readonly spec: NluTaskSpec, readonly dir: string, readonly seed: number) {}

  async read(f: string): Promise<string> {
    return await Deno.readTextFile(need(join(this.dir, f), this.spec.name));
  }

  /** The examples of `split`, with a note of their number, file and skipped lines. */
  note(split: string, f: string, r: { examples: NluExample[]; skipped: number }): NluExample[] {
    this.notes.push(
      `${split}: ${r.examples.length} examples from ${this.spec.folder}/${f}` +
        (r.skipped ? ` (${r.skipped} malformed lines skipped)` : ""),
    );
    return r.examples;
  }

  /** A TSV file as one split. */
  async tsv(split: string, f: string, header: boolean, row: TsvRow): Promise<NluExample[]> {
    return this.note(split, f, readTsv(await this.read(f), f, header, row));
  }
}

/** One TSV line's fields as an example, or undefined for a malformed line. */
type TsvRow = (f: string[]) => NluExample | undefined;

/** The splits of a task. */
type Splits = Omit<NluData, "spec" | "notes">;

/** GLUE's `train.tsv` and `dev.tsv`. */
async function gluePair(t: TaskFiles, header: boolean, row: TsvRow): Promise<Splits> {
  return {
    train: await t.tsv("train", "train.tsv", header, row),
    dev: await t.tsv("dev", "dev.tsv", header, row),
  };
}

/** STS-B's CSV files: sentence, sentence, score. */
async function stsbCsv(t: TaskFiles, f: string): Promise<NluExample[]> {
  const examples: NluExample[] = [];
  let skipped = 0;
  for (const r of parseCsv(await t.read(f))) {
    const score = Number(r[2]);
    if (r.length >= 3 && r[2]?.trim() !== "" && Number.isFinite(score)) {
      examples.push({ a: r[0].trim(), b: r[1].trim(), label: score });
    } else if (r.some((x) => x.trim() !== "")) skipped++;
  }
  return t.note(f.replace(/\.csv$/, ""), f, { examples, skipped });
}

/** How each task's release is read into splits. */
const LOADERS: Record<NluTaskName, (t: TaskFiles) => Promise<Splits>> = {
  sst2: (t) => gluePair(t, true, (f) => ({ a: f[0].trim(), label: binary(f[1], "SST-2") })),
  cola: (t) =>
    gluePair(
      t,
      false,
      (f) => f.length >= 4 ? { a: f[3].trim(), label: binary(f[1], "CoLA") } : undefined,
    ),
  rte: (t) =>
    gluePair(
      t,
      true,
      (f) =>
        f.length >= 3 ? { a: f[0].trim(), b: f[1].trim(), label: binary(f[2], "RTE") } : undefined,
    ),
  mrpc: async (t) => {
    const row = (f: string[]) =>
      f.length >= 5 ? { a: f[3].trim(), b: f[4].trim(), label: binary(f[0], "MRPC") } : undefined;
    const file = "msr_paraphrase_train.txt";
    const all = readTsv(await t.read(file), file, true, row);
    const [train, dev] = seededSplit(
      all.examples,
      Math.min(408, all.examples.length >> 1),
      t.seed,
    );
    t.notes.push(
      `train/dev: the ${all.examples.length} pairs of MRPC/${file}, ` +
        `${dev.length} drawn as dev with seed ${t.seed} (GLUE's dev size), ${train.length} train`,
    );
    return { train, dev, test: await t.tsv("test", "msr_paraphrase_test.txt", true, row) };
  },
  stsb: async (t) => ({
    train: await stsbCsv(t, "train.csv"),
    dev: await stsbCsv(t, "dev.csv"),
    test: existsSync(join(t.dir, "test.csv")) ? await stsbCsv(t, "test.csv") : undefined,
  }),
  qqp: async (t) => {
    const row = (f: string[]) =>
      f.length === 6 ? { a: f[3].trim(), b: f[4].trim(), label: binary(f[5], "QQP") } : undefined;
    const all = readTsv(await t.read("sample.tsv"), "sample.tsv", false, row);
    const [train, dev] = seededSplit(all.examples, Math.round(all.examples.length / 10), t.seed);
    t.notes.push(
      `train/dev: the ${all.examples.length} labelled pairs of QQP/sample.tsv` +
        (all.skipped ? ` (${all.skipped} malformed lines skipped)` : "") +
        `, split 90/10 with seed ${t.seed}: ${train.length} train, ${dev.length} dev`,
    );
    return { train, dev };
  },
};

/** At most `n` examples drawn with a seeded shuffle (all of them, in order, when `n` is unset). */
export function subsample<T>(items: readonly T[], n: number | undefined, seed: number): T[] {
  if (n === undefined || n >= items.length) return [...items];
  return new Rng(seed).shuffle([...items]).slice(0, Math.max(0, n));
}
