/**
 * The metrics of GLUE-style evaluation: accuracy, F1 (binary and macro), Matthews correlation,
 * Pearson and Spearman correlation. Plain numbers in, a number out (a fraction in [0, 1] or a
 * correlation in [-1, 1]); undefined cases (no positives, constant input) give 0, as
 * scikit-learn does for Matthews and F1.
 *
 * @module
 */

function sameLength(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) {
    throw new RangeError(`metric inputs differ in length: ${a.length} vs ${b.length}`);
  }
}

/**
 * Fraction of predictions equal to the gold labels.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { accuracy } from "@cohesive/eval";
 * assert.equal(accuracy([1, 0, 1, 1], [1, 0, 0, 1]), 0.75);
 * ```
 */
export function accuracy(pred: ArrayLike<number>, gold: ArrayLike<number>): number {
  sameLength(pred, gold);
  if (gold.length === 0) return 0;
  let ok = 0;
  for (let i = 0; i < gold.length; i++) if (pred[i] === gold[i]) ok++;
  return ok / gold.length;
}

/** F1 of one class (`positive`, default 1) against the rest: 2·TP / (2·TP + FP + FN). */
export function f1Score(
  pred: ArrayLike<number>,
  gold: ArrayLike<number>,
  positive = 1,
): number {
  sameLength(pred, gold);
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < gold.length; i++) {
    const p = pred[i] === positive, g = gold[i] === positive;
    if (p && g) tp++;
    else if (p) fp++;
    else if (g) fn++;
  }
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

/** Mean of the per-class F1 over every class seen in `gold` or `pred` (scikit-learn's macro). */
export function f1Macro(pred: ArrayLike<number>, gold: ArrayLike<number>): number {
  sameLength(pred, gold);
  const classes = new Set<number>([...Array.from(gold), ...Array.from(pred)]);
  if (classes.size === 0) return 0;
  let sum = 0;
  for (const c of classes) sum += f1Score(pred, gold, c);
  return sum / classes.size;
}

/**
 * Matthews correlation coefficient (multi-class form of Gorodkin 2004, equal to the usual
 * `(TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN))` for two classes); 0 when undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matthews } from "@cohesive/eval";
 * assert.equal(matthews([1, 1, 0, 0], [1, 0, 0, 0]).toFixed(4), (1 / Math.sqrt(3)).toFixed(4));
 * ```
 */
export function matthews(pred: ArrayLike<number>, gold: ArrayLike<number>): number {
  sameLength(pred, gold);
  const n = gold.length;
  const t = new Map<number, number>(), p = new Map<number, number>();
  let c = 0;
  for (let i = 0; i < n; i++) {
    t.set(gold[i], (t.get(gold[i]) ?? 0) + 1);
    p.set(pred[i], (p.get(pred[i]) ?? 0) + 1);
    if (pred[i] === gold[i]) c++;
  }
  let sumPT = 0, sumP2 = 0, sumT2 = 0;
  for (const [k, tk] of t) sumPT += tk * (p.get(k) ?? 0);
  for (const pk of p.values()) sumP2 += pk * pk;
  for (const tk of t.values()) sumT2 += tk * tk;
  const den = Math.sqrt((n * n - sumP2) * (n * n - sumT2));
  return den === 0 ? 0 : (c * n - sumPT) / den;
}

/** Pearson's correlation coefficient; 0 when either input is constant. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  sameLength(x, y);
  const n = x.length;
  if (n === 0) return 0;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}

/** Ranks from 1, ties sharing their mean rank (as scipy's `rankdata`). */
export function ranks(x: ArrayLike<number>): number[] {
  const idx = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const out = new Array<number>(x.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && x[idx[j + 1]] === x[idx[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[idx[k]] = r;
    i = j + 1;
  }
  return out;
}

/**
 * Spearman's rank correlation: Pearson's over the ranks (ties averaged).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spearman } from "@cohesive/eval";
 * assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 100]), 1); // ranks agree though values do not
 * ```
 */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearson(ranks(x), ranks(y));
}

/** A fraction as a percentage with one decimal (`0.1234` → `12.3`); `—` when missing or NaN. */
export function pct(x: number | undefined | null): string {
  return x === undefined || x === null || Number.isNaN(x) ? "—" : (100 * x).toFixed(1);
}
