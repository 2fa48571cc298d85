/**
 * Optimisation: AdamW with decoupled weight decay, the linear warm-up + decay schedule, gradient
 * clipping by global norm, and gradient accumulation.
 *
 * @module
 */
import { type Tensor, tf, type Variable } from "./runtime.ts";
import type { HostTensor } from "./model.ts";

/** AdamW hyper-parameters. */
export interface AdamWOptions {
  /** β₁, the first-moment decay. */
  beta1?: number;
  /** β₂, the second-moment decay. */
  beta2?: number;
  /** ε added to the denominator (BERT used 1e-6). */
  epsilon?: number;
  /** Decoupled weight decay, applied as `θ ← θ − lr·λ·θ`. */
  weightDecay?: number;
  /** Names of parameters exempt from decay; default: biases and LayerNorm. */
  noDecay?: (name: string) => boolean;
}

/**
 * AdamW (Loshchilov & Hutter) over named variables, with bias-corrected moments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AdamW, initRuntime } from "@cohesive/shared";
 * import { tf } from "@cohesive/shared/tf";
 * await initRuntime({ backend: "cpu", quiet: true });
 * const w = tf.variable(tf.tensor1d([1, 2]));
 * const opt = new AdamW(new Map([["w", w]]), { weightDecay: 0.01 });
 * opt.apply(new Map([["w", tf.tensor1d([0.5, -0.5])]]), 0.1);
 * // The first step moves each weight by lr·sign(g) (bias-corrected moments), less lr·λ·w.
 * const [a, b] = w.dataSync();
 * assert.ok(Math.abs(a - (1 - 0.1 - 0.001)) < 1e-5 && Math.abs(b - (2 + 0.1 - 0.002)) < 1e-5);
 * ```
 */
export class AdamW {
  /** Number of updates applied so far. */
  step = 0;
  private readonly params: Map<string, Variable>;
  private readonly m = new Map<string, Variable>();
  private readonly v = new Map<string, Variable>();
  private readonly o: Required<AdamWOptions>;

  /** AdamW over `params` (zero moments). */
  constructor(params: Map<string, Variable>, opts: AdamWOptions = {}) {
    this.params = params;
    this.o = {
      beta1: opts.beta1 ?? 0.9,
      beta2: opts.beta2 ?? 0.999,
      epsilon: opts.epsilon ?? 1e-6,
      weightDecay: opts.weightDecay ?? 0.01,
      noDecay: opts.noDecay ?? ((n) => n.endsWith(".bias") || n.includes("LayerNorm")),
    };
    for (const [name, p] of params) {
      for (const map of [this.m, this.v]) {
        const zeros = tf.zerosLike(p);
        map.set(name, tf.variable(zeros, false));
        zeros.dispose();
      }
    }
  }

  /** Apply one update with learning rate `lr`. Gradients are keyed by parameter name. */
  apply(grads: Map<string, Tensor>, lr: number): void {
    this.step++;
    const { beta1, beta2, epsilon, weightDecay, noDecay } = this.o;
    const bc1 = 1 - beta1 ** this.step, bc2 = 1 - beta2 ** this.step;
    // One small scope per expression, not one around every parameter: the temporaries of the
    // 30k-row embedding alone (16 of them, 15.6 MB each) would otherwise all live at once.
    for (const [name, p] of this.params) {
      const g = grads.get(name);
      if (!g) continue;
      const m = this.m.get(name)!, v = this.v.get(name)!;
      const m1 = tf.tidy(() => tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
      m.assign(m1);
      m1.dispose();
      const v1 = tf.tidy(() => tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
      v.assign(v1);
      v1.dispose();
      const update = tf.tidy(() =>
        tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), epsilon))
      );
      const next = tf.tidy(() => {
        const stepped = tf.sub(p, tf.mul(update, lr));
        return weightDecay > 0 && !noDecay(name)
          ? tf.sub(stepped, tf.mul(p, lr * weightDecay))
          : stepped;
      });
      update.dispose();
      p.assign(next);
      next.dispose();
    }
  }

  /** The moments in host memory (`m/<name>`, `v/<name>`), for the training-state file. */
  async state(): Promise<Map<string, HostTensor>> {
    const out = new Map<string, HostTensor>();
    for (const [k, map] of [["m", this.m], ["v", this.v]] as const) {
      for (const [name, t] of map) {
        out.set(`${k}/${name}`, { shape: [...t.shape], data: (await t.data()) as Float32Array });
      }
    }
    return out;
  }

  /**
   * Restore moments and step from {@link AdamW.state}.
   *
   * @throws {RangeError} when a moment is missing or has the wrong shape.
   */
  loadState(state: Map<string, HostTensor>, step: number): void {
    for (const [k, map] of [["m", this.m], ["v", this.v]] as const) {
      for (const [name, t] of map) {
        const s = state.get(`${k}/${name}`);
        if (!s || s.shape.join() !== t.shape.join()) {
          throw new RangeError(`training state lacks a matching optimizer moment "${k}/${name}"`);
        }
        tf.tidy(() => t.assign(tf.tensor(s.data, s.shape, "float32")));
      }
    }
    this.step = step;
  }

  /** Free the moments. */
  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}

/**
 * Linear warm-up from 0 to `lr` over `warmup` steps, then linear decay to 0 at `total`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linearWarmupDecay } from "./optim.ts";
 * assert.deepEqual([0, 1, 4, 7, 10].map((s) => linearWarmupDecay(s, 1, 2, 10)), [
 *   0.5, 1, 0.75, 0.375, 0,
 * ]);
 * ```
 */
export function linearWarmupDecay(step: number, lr: number, warmup: number, total: number): number {
  if (warmup > 0 && step < warmup) return (lr * (step + 1)) / warmup;
  if (total <= warmup) return lr;
  return lr * Math.max(0, (total - step) / (total - warmup));
}

/**
 * Scale gradients so their global L2 norm is at most `maxNorm`. Returns the new gradients (the
 * caller disposes the old ones) and the norm before clipping.
 */
export async function clipByGlobalNorm(
  grads: Map<string, Tensor>,
  maxNorm: number,
): Promise<{ grads: Map<string, Tensor>; norm: number }> {
  const sq = tf.tidy(() => tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g)))));
  // `await data()`, not dataSync(): a synchronous read of a GPU tensor fails in Deno.
  const norm = Math.sqrt((await sq.data())[0]);
  sq.dispose();
  const scale = norm > maxNorm && maxNorm > 0 ? maxNorm / (norm + 1e-6) : 1;
  const out = new Map<string, Tensor>();
  for (const [k, g] of grads) out.set(k, scale === 1 ? tf.clone(g) : tf.mul(g, scale));
  return { grads: out, norm };
}

/** Sums gradients over micro-batches; {@link GradAccumulator.mean} divides by their count. */
export class GradAccumulator {
  private sum = new Map<string, Tensor>();
  /** Micro-batches added since the last reset. */
  count = 0;

  /** Add one micro-batch's gradients (they stay owned by the caller). */
  add(grads: Map<string, Tensor>): void {
    for (const [k, g] of grads) {
      const prev = this.sum.get(k);
      this.sum.set(k, prev ? tf.add(prev, g) : tf.clone(g));
      prev?.dispose();
    }
    this.count++;
  }

  /** The mean gradient; ownership passes to the caller and the accumulator resets. */
  mean(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [k, g] of this.sum) {
      out.set(k, this.count === 1 ? g : tf.div(g, this.count));
      if (this.count !== 1) g.dispose();
    }
    this.sum = new Map();
    this.count = 0;
    return out;
  }
}
