/**
 * Masked-LM data: a text folder streamed line by line (one line = one example), tokenised,
 * packed into rows of at most `seqLen` tokens (`[CLS] … [SEP]`), and masked dynamically with
 * BERT's 80/10/10 rule. The stream's position is a small JSON object, so training resumes
 * exactly where it stopped without holding the corpus in memory.
 *
 * @module
 */
import { join } from "node:path";
import type { Rng } from "./rng.ts";

/** The part of a tokenizer the data pipeline needs. */
export interface MlmTokenizer {
  /** Word-piece ids of a text, without special tokens. */
  encodeIds(text: string): number[];
  /** Size of the vocabulary. */
  vocabSize: number;
  /** `[CLS]` id. */
  clsId: number;
  /** `[SEP]` id. */
  sepId: number;
  /** `[PAD]` id. */
  padId: number;
  /** `[MASK]` id. */
  maskId: number;
}

/** A masked batch, ready to become tensors. */
export interface MlmBatch {
  /** Rows. */
  B: number;
  /** Columns (every row is padded to this length). */
  T: number;
  /** Masked input ids, `[B·T]`. */
  inputIds: Int32Array;
  /** 1 for real tokens, 0 for padding, `[B·T]`. */
  attentionMask: Int32Array;
  /** Flat indices `b·T + t` of the masked positions, `[N]`. */
  positions: Int32Array;
  /** Original ids at those positions, `[N]`. */
  labels: Int32Array;
}

/** Where a {@link MlmStream} stands; JSON-serialisable. */
export interface MlmStreamState {
  /** In-memory lines: unused. Files: the file the next line is read from (round-robin). */
  file: number;
  /** In-memory lines: lines consumed this epoch. Files: unused. */
  line: number;
  /** Files: lines consumed per file this epoch (-1 once a file is exhausted). */
  lines?: number[];
  /** Completed passes over the corpus. */
  epoch: number;
  /** Tokens carried over from a line longer than one row. */
  carry: number[];
}

/**
 * Mask a batch of rows in place: each non-special token is chosen with probability `prob`; a chosen
 * token becomes `[MASK]` 80 % of the time, a random id 10 %, itself 10 %. At least one token per
 * batch is chosen.
 */
export function maskRows(
  rows: number[][],
  T: number,
  tok: Pick<MlmTokenizer, "vocabSize" | "clsId" | "sepId" | "padId" | "maskId">,
  rng: Rng,
  prob = 0.15,
): MlmBatch {
  const B = rows.length;
  const inputIds = new Int32Array(B * T).fill(tok.padId);
  const attentionMask = new Int32Array(B * T);
  const positions: number[] = [], labels: number[] = [];
  const special = new Set([tok.clsId, tok.sepId, tok.padId]);
  for (let b = 0; b < B; b++) {
    const r = rows[b];
    for (let t = 0; t < r.length && t < T; t++) {
      const i = b * T + t;
      inputIds[i] = r[t];
      attentionMask[i] = 1;
      if (special.has(r[t]) || rng.next() >= prob) continue;
      positions.push(i);
      labels.push(r[t]);
      const u = rng.next();
      if (u < 0.8) inputIds[i] = tok.maskId;
      else if (u < 0.9) inputIds[i] = rng.int(tok.vocabSize);
    }
  }
  if (positions.length === 0) {
    // Guarantee a loss: mask the first real token of the first row.
    const i = rows[0].length > 2 ? 1 : 0;
    positions.push(i);
    labels.push(rows[0][i] ?? tok.padId);
    inputIds[i] = tok.maskId;
  }
  return {
    B,
    T,
    inputIds,
    attentionMask,
    positions: Int32Array.from(positions),
    labels: Int32Array.from(labels),
  };
}

/**
 * Which split a line belongs to: a stable hash of its text puts `heldoutPercent` % of lines in
 * the held-out split, so train and held-out never share a line, whatever the file order.
 */
export function lineSplit(line: string, heldoutPercent: number): "train" | "heldout" {
  let h = 0x811c9dc5;
  for (let i = 0; i < line.length; i++) h = Math.imul(h ^ line.charCodeAt(i), 0x01000193) >>> 0;
  return (h % 10000) < heldoutPercent * 100 ? "heldout" : "train";
}

/** The `.txt` files of a folder (recursively), sorted; a single file is its own list. */
export async function listTextFiles(path: string): Promise<string[]> {
  let st: Deno.FileInfo;
  try {
    st = await Deno.stat(path);
  } catch {
    throw new Deno.errors.NotFound(`text corpus not found: ${path}`);
  }
  if (st.isFile) return [path];
  const out: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const p = join(dir, e.name);
      if (e.isDirectory) await walk(p);
      else if (e.isFile && e.name.endsWith(".txt")) out.push(p);
    }
  };
  await walk(path);
  out.sort();
  if (out.length === 0) throw new RangeError(`no .txt files in ${path}`);
  return out;
}

async function* readLines(path: string, skip: number): AsyncGenerator<string> {
  const f = await Deno.open(path);
  const dec = new TextDecoderStream();
  let buf = "", n = 0;
  for await (const chunk of f.readable.pipeThrough(dec)) {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (n++ >= skip) yield line;
    }
  }
  if (buf.length > 0 && n++ >= skip) yield buf;
}

/**
 * An endless, resumable stream of packed MLM rows over a list of text files or in-memory lines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MlmStream } from "@cohesive/shared";
 * const tok = { encodeIds: (s: string) => [...s].map((c) => c.charCodeAt(0) % 50 + 5),
 *   vocabSize: 60, clsId: 1, sepId: 2, padId: 0, maskId: 3 };
 * const s = MlmStream.fromLines(["a line", "another line"], tok, 8);
 * const rows = await s.rows(2);
 * assert.equal(rows.length, 2);
 * ```
 */
export class MlmStream {
  /** Current position (copy it to save; pass it back to {@link MlmStream.restore}). */
  state: MlmStreamState = { file: 0, line: 0, epoch: 0, carry: [] };
  private readonly files: string[] | undefined;
  private readonly lines: string[] | undefined;
  private readonly tok: MlmTokenizer;
  private readonly T: number;
  private iters: (AsyncGenerator<string> | undefined)[] | undefined;
  /** Keep only lines of this split (see {@link lineSplit}); `all` keeps every line. */
  split: "train" | "heldout" | "all" = "all";
  /** Percentage of lines in the held-out split. */
  heldoutPercent = 2;

  private constructor(
    files: string[] | undefined,
    lines: string[] | undefined,
    tok: MlmTokenizer,
    T: number,
  ) {
    this.files = files;
    this.lines = lines;
    this.tok = tok;
    this.T = T;
  }

  /** A stream over the `.txt` files of `path` (a folder or a file). */
  static async fromPath(path: string, tok: MlmTokenizer, seqLen: number): Promise<MlmStream> {
    return new MlmStream(await listTextFiles(path), undefined, tok, seqLen);
  }

  /** A stream over lines held in memory (the embedded WordNet text, tests). */
  static fromLines(lines: string[], tok: MlmTokenizer, seqLen: number): MlmStream {
    if (lines.length === 0) throw new RangeError("no text lines to train on");
    return new MlmStream(undefined, lines, tok, seqLen);
  }

  /** Restrict the stream to one split of its lines; returns the stream. */
  only(split: "train" | "heldout" | "all", heldoutPercent = 2): this {
    this.split = split;
    this.heldoutPercent = heldoutPercent;
    return this;
  }

  /** Continue from a saved state. */
  restore(state: MlmStreamState): this {
    this.state = structuredClone(state);
    this.iters = undefined;
    return this;
  }

  /** The next raw line (files interleaved, wrapping into the next epoch). */
  private async nextLine(): Promise<string> {
    if (this.lines) {
      if (this.state.line >= this.lines.length) {
        this.state.line = 0;
        this.state.epoch++;
      }
      return this.lines[this.state.line++];
    }
    // Files are interleaved line by line (round-robin), so every stretch of training sees every
    // source; an exhausted file is skipped until all are, which ends the epoch.
    const files = this.files!;
    this.iters ??= files.map(() => undefined);
    const pos = (this.state.lines ??= files.map(() => 0));
    for (let guard = 0; guard < 2 * files.length + 2; guard++) {
      if (pos.every((p) => p < 0)) {
        this.state.epoch++;
        pos.fill(0);
        this.iters = files.map(() => undefined);
      }
      const f = this.state.file % files.length;
      this.state.file = (f + 1) % files.length;
      if (pos[f] < 0) continue;
      this.iters[f] ??= readLines(files[f], pos[f]);
      const r = await this.iters[f]!.next();
      if (!r.done) {
        pos[f]++;
        return r.value;
      }
      pos[f] = -1;
      this.iters[f] = undefined;
    }
    throw new RangeError("the text corpus holds no usable lines");
  }

  /**
   * The next `n` rows, each `[CLS] … [SEP]` and exactly `seqLen` long: lines are packed one after
   * another with `[SEP]` between them (RoBERTa's full-sentences packing), long lines continue in
   * the next row.
   */
  async rows(n: number): Promise<number[][]> {
    const body = this.T - 2;
    const out: number[][] = [];
    // Epoch at which the current run of unusable lines began; two epochs later nothing usable
    // can come any more.
    let emptySince = -1;
    while (out.length < n) {
      const row: number[] = [];
      while (row.length < body) {
        if (this.state.carry.length === 0) {
          const line = (await this.nextLine()).trim();
          const keep = this.split === "all" || lineSplit(line, this.heldoutPercent) === this.split;
          const ids = line && keep ? this.tok.encodeIds(line) : [];
          if (ids.length === 0) {
            if (emptySince < 0) emptySince = this.state.epoch;
            else if (this.state.epoch >= emptySince + 2) {
              throw new RangeError(
                `the text corpus holds no usable lines${
                  this.split === "all" ? "" : ` in its ${this.split} split`
                }`,
              );
            }
            continue;
          }
          emptySince = -1;
          // A separator closes the previous line when the row already holds text.
          this.state.carry = row.length > 0 ? [this.tok.sepId, ...ids] : ids;
        }
        const take = this.state.carry.slice(0, body - row.length);
        this.state.carry = this.state.carry.slice(take.length);
        if (take.length === 1 && take[0] === this.tok.sepId && row.length === body - 1) break;
        row.push(...take);
      }
      out.push([this.tok.clsId, ...row, this.tok.sepId]);
    }
    return out;
  }

  /** The next masked batch of `B` rows; masking draws from `rng`. */
  async batch(B: number, rng: Rng, maskProb = 0.15): Promise<MlmBatch> {
    const rows = await this.rows(B);
    const T = Math.max(...rows.map((r) => r.length));
    return maskRows(rows, T, this.tok, rng, maskProb);
  }
}
