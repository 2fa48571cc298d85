/**
 * The core of the WSD scorer of Raganato et al. (2017)'s framework (`Scorer.java`): key files read
 * as the scorer reads them, one answer's credit, and precision, recall and F1 from the counters.
 * `@cohesive/eval`'s `scoreWsd` adds the breakdowns per dataset and part of speech and the WordNet
 * version mapping; {@link scoreKeys} is the overall score lexical's own selection steps use.
 *
 * `Scorer.java` semantics:
 * - a key file is read line by line, each split into `id key [key…]`; a line with fewer than two
 *   fields is reported and skipped; the keys of an id form a set (a repeated key counts once, and a
 *   repeated id adds its keys to the same set);
 * - an answered instance with distinct system keys `S` and gold keys `G` adds `|S ∩ G| / |S|` to
 *   `ok` and `|S \ G| / |S|` to `notok`;
 * - `P = ok / (ok + notok)`, `R = ok / |gold|`, `F1 = 2PR / (P + R)`, in percent.
 *
 * Two deliberate differences: columns are split on any run of whitespace (tabs too, as several
 * published systems write them; `Scorer.java` splits on single spaces), and where `Scorer.java`
 * prints `NaN` (no answer at all) the scores here are 0.
 *
 * @module
 */

/** Gold or system keys: instance id → sense keys. */
export type KeyMap = Map<string, string[]>;

/** Precision, recall and F1 of one slice of instances (percentages, like `Scorer.java`). */
export interface WsdScore {
  /** `ok`: the credit earned (fractional when an answer holds several keys). */
  correct: number;
  /** `notok`: the credit lost on answered instances. */
  wrong: number;
  /** Answered gold instances (`ok + notok`). */
  answered: number;
  /** Gold instances in the slice. */
  total: number;
  /** `ok / (ok + notok)`, percent (0 when nothing was answered). */
  precision: number;
  /** `ok / total`, percent. */
  recall: number;
  /** Harmonic mean of precision and recall, percent (0 when both are 0). */
  f1: number;
}

/** `Scorer.java`'s numbers from its two counters. */
export function scoreFromCounts(correct: number, wrong: number, total: number): WsdScore {
  const answered = correct + wrong;
  const p = answered > 0 ? correct / answered : 0;
  const r = total > 0 ? correct / total : 0;
  const f1 = p + r > 0 ? (2 * p * r) / (p + r) : 0;
  return { correct, wrong, answered, total, precision: 100 * p, recall: 100 * r, f1: 100 * f1 };
}

/** The credit one answer earns: `|G ∩ S| / |S|` over the distinct keys `S` of the answer. */
export function answerCredit(gold: readonly string[], answer: readonly string[]): number {
  const s = new Set(answer);
  if (s.size === 0) return 0;
  const g = new Set(gold);
  let ok = 0;
  for (const k of s) if (g.has(k)) ok++;
  return ok / s.size;
}

/**
 * Score `system` against `gold` overall, with `Scorer.java`'s credit; system ids that are not
 * gold ids are skipped.
 *
 * @example
 * ```ts
 * import { scoreKeys } from "@cohesive/lexical";
 * import assert from "node:assert/strict";
 * const gold = new Map([["a", ["k1"]], ["b", ["k2"]]]);
 * const s = scoreKeys(gold, new Map([["a", ["k1", "k9"]]]));
 * assert.deepEqual([s.precision, s.recall], [50, 25]);
 * ```
 */
export function scoreKeys(gold: KeyMap, system: KeyMap): WsdScore {
  let ok = 0;
  let notok = 0;
  for (const [id, g] of gold) {
    const a = system.get(id);
    if (!a || a.length === 0) continue;
    const credit = answerCredit(g, a);
    ok += credit;
    notok += 1 - credit;
  }
  return scoreFromCounts(ok, notok, gold.size);
}

/** A key file read the way `Scorer.java` reads it. */
export interface ScorerKeys {
  /** Instance id → its distinct keys, in first-seen order. */
  keys: KeyMap;
  /** 1-based numbers of the lines with fewer than two fields (skipped, as `Scorer.java` does). */
  incomplete: number[];
}

/**
 * Parse a key file as `Scorer.java` does, its columns split on any whitespace: lines with fewer
 * than two fields skipped and noted, the keys of a repeated id merged into one set.
 *
 * @example
 * ```ts
 * import { parseScorerKeys } from "@cohesive/lexical";
 * import assert from "node:assert/strict";
 * const { keys, incomplete } = parseScorerKeys("a k1 k2\nb\na\tk1  k3\n");
 * assert.deepEqual(keys.get("a"), ["k1", "k2", "k3"]);
 * assert.deepEqual(incomplete, [2]);
 * ```
 */
export function parseScorerKeys(text: string): ScorerKeys {
  const keys: KeyMap = new Map();
  const incomplete: number[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  lines.forEach((line, i) => {
    const parts = line.trim().split(/\s+/).filter(Boolean);
    if (parts.length < 2) {
      incomplete.push(i + 1);
      return;
    }
    const [id, ...ks] = parts;
    const have = keys.get(id) ?? [];
    for (const k of ks) if (!have.includes(k)) have.push(k);
    keys.set(id, have);
  });
  return { keys, incomplete };
}

/** A system key file with no answer in it: empty, or every line incomplete. */
export class NoAnswersError extends SyntaxError {
  /** Build the error for `file`, which has `lines` lines. */
  constructor(file: string, lines: number) {
    super(
      lines === 0
        ? `${file}: the key file is empty`
        : `${file}: none of its ${lines} line(s) holds an id and a key (is it a key file?)`,
    );
    this.name = "NoAnswersError";
  }
}

/**
 * {@link parseScorerKeys} over a file.
 *
 * @param requireAnswers throw {@link NoAnswersError} when no line holds an id and a key (for a
 *   system's answers, where that is a mistake, not a score of 0).
 */
export async function readScorerKeys(path: string, requireAnswers = false): Promise<ScorerKeys> {
  const read = parseScorerKeys(await Deno.readTextFile(path));
  if (requireAnswers && read.keys.size === 0) {
    throw new NoAnswersError(path, read.incomplete.length);
  }
  return read;
}
