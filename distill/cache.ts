/**
 * `distill cache`: run the teachers once over the training batches and store, per masked
 * position, each teacher's top-k probabilities (plus p(gold) and entropy for the weightings),
 * together with the batch itself (ids, masks, positions, labels), so `train` reads identical data
 * and masks without running a teacher.
 *
 * Layout: `DIR/cache.json` (what was cached, written by every shard, identical) and
 * `DIR/part-<first>-<last>-every-<N>.safetensors`, each holding micro-batches first, first + N, …,
 * last of one shard.
 * With `--shard i/N` a process handles the batches b with b mod N = i, so N processes (a
 * Kubernetes indexed Job, a Slurm array) fill one cache together; a restarted shard skips the
 * parts it already wrote.
 *
 * @module
 */
import { join } from "node:path";
import {
  type MlmBatch,
  Progress,
  readSafetensorsFile,
  Rng,
  type TensorData,
  writeFileAtomic,
  writeSafetensors,
} from "@cohesive/shared";
import { loadTeachers, teacherTopK } from "./teachers.ts";
import type { TeacherTopK } from "./weighting.ts";
import { loadTokenizer, mlmTokenizer, openText } from "./text_source.ts";

/** What a cache holds; also the key a student run must match. */
export interface CacheManifest {
  /** Format name. */
  format: "cohesive-kd-cache";
  /** Format version. */
  version: 1;
  /** Teacher specs, in order. */
  teachers: string[];
  /** Text source. */
  data: string;
  /** Vocabulary spec. */
  vocab: string;
  /** Rows per micro-batch. */
  batchSize: number;
  /** Tokens per row. */
  seqLen: number;
  /** Masking probability. */
  maskProb: number;
  /** Seed of the data order and masks. */
  seed: number;
  /** Held-out percentage excluded from training lines. */
  heldoutPercent: number;
  /** Micro-batches cached. */
  batches: number;
  /** Top-k per teacher and position. */
  topk: number;
  /** Temperature of the cached probabilities. */
  temperature: number;
  /** Micro-batches per part file. */
  perPart: number;
}

/** One cached micro-batch. */
export interface CachedBatch {
  /** The masked batch. */
  batch: MlmBatch;
  /** Each teacher's top-k view of it. */
  teachers: TeacherTopK[];
}

/** Parse `i/N`. */
export function parseShard(s: string | undefined): { i: number; n: number } {
  if (!s) return { i: 0, n: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(s);
  const i = Number(m?.[1]), n = Number(m?.[2]);
  if (!m || n < 1 || i >= n) {
    throw new RangeError(`--shard must be i/N with 0 <= i < N, got "${s}"`);
  }
  return { i, n };
}

/** A part holds batches first, first + every, …, last. */
function partName(first: number, last: number, every: number): string {
  const p = (x: number) => String(x).padStart(7, "0");
  return `part-${p(first)}-${p(last)}-every-${every}.safetensors`;
}

function encodeBatch(b: number, cb: CachedBatch, into: Map<string, TensorData>): void {
  const f = (a: ArrayLike<number>) => Float32Array.from(a);
  const { batch } = cb;
  into.set(`${b}/shape`, { shape: [2], data: f([batch.B, batch.T]) });
  into.set(`${b}/input_ids`, { shape: [batch.inputIds.length], data: f(batch.inputIds) });
  into.set(`${b}/attention_mask`, {
    shape: [batch.attentionMask.length],
    data: f(batch.attentionMask),
  });
  into.set(`${b}/positions`, { shape: [batch.positions.length], data: f(batch.positions) });
  into.set(`${b}/labels`, { shape: [batch.labels.length], data: f(batch.labels) });
  cb.teachers.forEach((t, k) => {
    into.set(`${b}/t${k}/ids`, { shape: [t.ids.length], data: f(t.ids) });
    into.set(`${b}/t${k}/probs`, { shape: [t.probs.length], data: t.probs });
    into.set(`${b}/t${k}/p_gold`, { shape: [t.pGold.length], data: t.pGold });
    into.set(`${b}/t${k}/entropy`, { shape: [t.entropy.length], data: t.entropy });
  });
}

/** Options of {@link buildCache}. */
export interface BuildCacheOptions {
  /** Teacher run or checkpoint folders. */
  teachers: string[];
  /** Output folder. */
  out: string;
  /** Text source (`wordnet` or a path). */
  data: string;
  /** Vocabulary spec (default bert-base-uncased). */
  vocab?: string;
  /** Micro-batches to cache. */
  batches: number;
  /** Rows per micro-batch. */
  batchSize: number;
  /** Tokens per row. */
  seqLen: number;
  /** Seed of data order and masks (the student's run seed). */
  seed: number;
  /** Masking probability. */
  maskProb?: number;
  /** Held-out percentage. */
  heldoutPercent?: number;
  /** Top-k per teacher. */
  topk?: number;
  /** Temperature. */
  temperature?: number;
  /** This process's shard. */
  shard?: { i: number; n: number };
  /** Micro-batches per part file. */
  perPart?: number;
  /** Show progress. */
  progress?: boolean;
}

/** Fill (this shard of) a teacher cache. Returns the manifest. */
export async function buildCache(o: BuildCacheOptions): Promise<CacheManifest> {
  const shard = o.shard ?? { i: 0, n: 1 };
  const manifest: CacheManifest = {
    format: "cohesive-kd-cache",
    version: 1,
    teachers: o.teachers,
    data: o.data,
    vocab: o.vocab ?? "bert-base-uncased",
    batchSize: o.batchSize,
    seqLen: o.seqLen,
    maskProb: o.maskProb ?? 0.15,
    seed: o.seed,
    heldoutPercent: o.heldoutPercent ?? 2,
    batches: o.batches,
    topk: o.topk ?? 64,
    temperature: o.temperature ?? 2,
    perPart: o.perPart ?? 25,
  };
  const tok = await loadTokenizer(manifest.vocab);
  const teachers = await loadTeachers(o.teachers, {
    tokens: tok.vocab,
    name: `vocabulary ${manifest.vocab}`,
  });
  const stream = (await openText(o.data, mlmTokenizer(tok), o.seqLen)).only(
    "train",
    manifest.heldoutPercent,
  );
  await Deno.mkdir(o.out, { recursive: true });
  try {
    const prev = JSON.parse(await Deno.readTextFile(join(o.out, "cache.json")));
    for (const k of Object.keys(manifest) as (keyof CacheManifest)[]) {
      if (JSON.stringify(prev[k]) !== JSON.stringify(manifest[k])) {
        throw new RangeError(`${o.out}/cache.json was made with another ${k}; use another --out`);
      }
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  await writeFileAtomic(join(o.out, "cache.json"), JSON.stringify(manifest, null, 2));
  const rng = new Rng(o.seed);
  const per = manifest.perPart;
  const bar = o.progress === false
    ? undefined
    : new Progress(`cache ${shard.i}/${shard.n}`, o.batches);
  let pending = new Map<string, TensorData>();
  for (let b = 0; b < o.batches; b++) {
    const batch = await stream.batch(o.batchSize, rng, manifest.maskProb);
    bar?.tick(1);
    // Parts group `per` consecutive batches of this shard: part p holds shard-local indices
    // [p·per, (p+1)·per).
    if (b % shard.n !== shard.i) continue;
    const local = Math.floor(b / shard.n);
    const partFirst = (Math.floor(local / per) * per) * shard.n + shard.i;
    const partLast = Math.min(
      o.batches - 1,
      (Math.floor(local / per) * per + per - 1) * shard.n + shard.i,
    );
    const name = join(o.out, partName(partFirst, partLast, shard.n));
    if (await exists(name)) continue;
    const outs = [];
    for (const t of teachers) {
      outs.push(await teacherTopK(t.model, batch, manifest.temperature, manifest.topk));
    }
    encodeBatch(b, { batch, teachers: outs }, pending);
    const lastOfPart = b + shard.n > partLast;
    if (lastOfPart) {
      await writeFileAtomic(name, writeSafetensors(pending, { format: "cohesive-kd-cache" }));
      pending = new Map();
    }
  }
  bar?.done();
  for (const t of teachers) t.model.dispose();
  return manifest;
}

async function exists(p: string): Promise<boolean> {
  try {
    await Deno.stat(p);
    return true;
  } catch {
    return false;
  }
}

interface Part {
  first: number;
  last: number;
  every: number;
  file: string;
}

/** Reads a cache batch by batch (one part file held in memory at a time). */
export class CacheReader {
  /** The cache's manifest. */
  readonly manifest: CacheManifest;
  private readonly dir: string;
  private readonly parts: Part[];
  private loaded: { file: string; tensors: Map<string, TensorData> } | undefined;

  private constructor(dir: string, manifest: CacheManifest, parts: Part[]) {
    this.dir = dir;
    this.manifest = manifest;
    this.parts = parts;
  }

  /**
   * Open a cache folder.
   *
   * @throws {Deno.errors.NotFound} when it has no cache.json; {RangeError} for a bad format.
   */
  static async open(dir: string): Promise<CacheReader> {
    let manifest: CacheManifest;
    try {
      manifest = JSON.parse(await Deno.readTextFile(join(dir, "cache.json")));
    } catch {
      throw new Deno.errors.NotFound(
        `${dir}: not a teacher cache (no readable cache.json); run \`distill cache\``,
      );
    }
    if (manifest.format !== "cohesive-kd-cache" || manifest.version !== 1) {
      throw new RangeError(
        `${dir}/cache.json: unknown format ${manifest.format} v${manifest.version}`,
      );
    }
    const parts: Part[] = [];
    for await (const e of Deno.readDir(dir)) {
      const m = /^part-(\d+)-(\d+)-every-(\d+)\.safetensors$/.exec(e.name);
      if (m) {
        parts.push({
          first: Number(m[1]),
          last: Number(m[2]),
          every: Number(m[3]),
          file: join(dir, e.name),
        });
      }
    }
    return new CacheReader(dir, manifest, parts);
  }

  /** Micro-batch `b` with its teachers' top-k. */
  async get(b: number): Promise<CachedBatch> {
    const n = this.manifest.batches;
    if (b >= n) {
      throw new RangeError(
        `${this.dir}: the cache holds ${n} micro-batches, batch ${b} was asked for`,
      );
    }
    if (!this.loaded?.tensors.has(`${b}/shape`)) {
      const part = this.parts.find((p) =>
        p.first <= b && b <= p.last && (b - p.first) % p.every === 0
      );
      if (!part) {
        throw new RangeError(`${this.dir}: batch ${b} is not cached yet (a shard is missing)`);
      }
      this.loaded = { file: part.file, tensors: (await readSafetensorsFile(part.file)).tensors };
    }
    const t = this.loaded.tensors;
    const get = (k: string) => {
      const v = t.get(`${b}/${k}`);
      if (!v) throw new RangeError(`${this.loaded!.file}: missing ${b}/${k}`);
      return v.data;
    };
    const [B, T] = get("shape");
    const i32 = (k: string) => Int32Array.from(get(k));
    const teachers: TeacherTopK[] = this.manifest.teachers.map((_, k) => ({
      ids: i32(`t${k}/ids`),
      probs: get(`t${k}/probs`),
      k: this.manifest.topk,
      pGold: get(`t${k}/p_gold`),
      entropy: get(`t${k}/entropy`),
    }));
    return {
      batch: {
        B,
        T,
        inputIds: i32("input_ids"),
        attentionMask: i32("attention_mask"),
        positions: i32("positions"),
        labels: i32("labels"),
      },
      teachers,
    };
  }
}
