/**
 * The BERT-family encoder in tfjs, read top to bottom in dependency order: parameters,
 * embeddings, attention, feed-forward, block, encoder, heads. Parameters carry Hugging Face
 * names and shapes (linear weights `[out, in]`), so checkpoints load without conversion.
 *
 * Shapes: B batch, T sequence, H hidden, A heads, D = H / A, I intermediate, V vocabulary,
 * N selected (masked) positions.
 *
 * @module
 */
import {
  type Tensor1D,
  type Tensor2D,
  type Tensor3D,
  type Tensor4D,
  tf,
  type Variable,
} from "./runtime.ts";
import { type BertConfig, bertTensorShapes } from "./bert_config.ts";
import { attention as fusedAttention, attentionTile } from "./kernels/attention.ts";
import { onWebGPU } from "./kernels/kernel_util.ts";
import { gelu, layerNorm as fusedLayerNorm } from "./fused_ops.ts";

/** A named float tensor held in host memory (what checkpoints read and write). */
export interface HostTensor {
  /** Dimensions, outermost first. */
  shape: number[];
  /** Row-major values. */
  data: Float32Array;
}

/** Inputs of one forward pass. */
export interface BertInputs {
  /** Token ids, `[B, T]` int32. */
  inputIds: Tensor2D;
  /** Segment ids, `[B, T]` int32; zeros when omitted. */
  tokenTypeIds?: Tensor2D;
  /** 1 for real tokens, 0 for padding, `[B, T]`; all ones when omitted. */
  attentionMask?: Tensor2D;
}

/** Options of one forward pass. */
export interface ForwardOptions {
  /** Apply dropout (training mode). Default false. */
  training?: boolean;
  /** Seed of this pass's dropout masks; the same seed gives the same masks. Default 0. */
  seed?: number;
}

/** A BERT encoder with the MLM head and the 2-way sequence (NSP) head. */
export class BertModel {
  /** The resolved configuration. */
  readonly config: BertConfig;
  /** Trainable parameters by Hugging Face name. */
  readonly params: Map<string, Variable>;

  private constructor(config: BertConfig, params: Map<string, Variable>) {
    this.config = config;
    this.params = params;
  }

  /**
   * A freshly initialised model: truncated normal (σ = initializer_range) for weights and
   * embeddings, zeros for biases, ones for LayerNorm scales, the padding row zeroed. Deterministic
   * for a given seed.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { BertModel, initRuntime, resolveBertConfig } from "@cohesive/shared";
   * await initRuntime({ backend: "cpu", quiet: true });
   * const cfg = resolveBertConfig({ vocab_size: 30, hidden_size: 8, num_hidden_layers: 1,
   *   num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 16 });
   * const model = BertModel.create(cfg, 1);
   * assert.ok(model.parameterCount() > 30 * 8); // at least the word embeddings
   * model.dispose();
   * ```
   */
  static create(config: BertConfig, seed = 0): BertModel {
    const shapes = bertTensorShapes(config);
    const params = new Map<string, Variable>();
    // tfjs variable names are global: prefix a per-model id so teachers and students coexist.
    const uid = `bert${nextModelId++}`;
    let i = 0;
    for (const [name, shape] of shapes) {
      const s = tfSeed(seed * 1009 + i++);
      const init = tf.tidy(() => {
        if (name.endsWith("LayerNorm.weight")) return tf.ones(shape);
        if (name.endsWith(".bias")) return tf.zeros(shape);
        const w = tf.truncatedNormal(shape, 0, config.initializer_range, "float32", s);
        if (name === "bert.embeddings.word_embeddings.weight") {
          const keep = tf.oneHot([config.pad_token_id], shape[0]).sum(0).reshape([-1, 1]);
          return w.mul(tf.onesLike(keep).sub(keep));
        }
        return w;
      });
      params.set(name, tf.variable(init, true, `${uid}/${name}`));
      init.dispose();
    }
    return new BertModel(config, params);
  }

  /**
   * A model from host tensors (e.g. {@link loadCheckpoint}'s weights). Missing head tensors
   * (pooler, `cls.*`) are initialised randomly; a missing encoder tensor or a wrong shape is an
   * error.
   *
   * @throws {RangeError} naming the tensor when a shape is wrong or an encoder tensor is missing.
   */
  static fromWeights(config: BertConfig, weights: Map<string, HostTensor>, seed = 0): BertModel {
    const model = BertModel.create(config, seed);
    for (const [name, v] of model.params) {
      const w = weights.get(name);
      if (!w) {
        if (name.startsWith("bert.pooler") || name.startsWith("cls.")) continue;
        model.dispose();
        throw new RangeError(`missing tensor "${name}"`);
      }
      if (w.shape.join() !== v.shape.join()) {
        model.dispose();
        throw new RangeError(
          `tensor "${name}" has shape [${w.shape}], the config needs [${v.shape}]`,
        );
      }
      tf.tidy(() => v.assign(tf.tensor(w.data, w.shape, "float32")));
    }
    return model;
  }

  /** Copy every parameter to host memory, by Hugging Face name. */
  async weights(): Promise<Map<string, HostTensor>> {
    const out = new Map<string, HostTensor>();
    for (const [name, v] of this.params) {
      out.set(name, { shape: [...v.shape], data: (await v.data()) as Float32Array });
    }
    return out;
  }

  /** Number of trainable scalars (the tied MLM decoder counted once). */
  parameterCount(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  /** Free every parameter. */
  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }

  /** The parameter `name`. */
  private p(name: string): Variable {
    const v = this.params.get(name);
    if (!v) throw new RangeError(`model has no parameter "${name}"`);
    return v;
  }

  // ---- building blocks -------------------------------------------------------------------

  /** `x @ W^T + b` for a PyTorch-layout weight `[out, in]`; x is `[M, in]` → `[M, out]`. */
  private linear(x: Tensor2D, prefix: string): Tensor2D {
    return tf.add(tf.matMul(x, this.p(`${prefix}.weight`), false, true), this.p(`${prefix}.bias`));
  }

  /** LayerNorm over the last axis with the `prefix` scale and bias. */
  private layerNorm(x: Tensor2D, prefix: string): Tensor2D {
    return fusedLayerNorm(
      x,
      this.p(`${prefix}.weight`),
      this.p(`${prefix}.bias`),
      this.config.layer_norm_eps,
    );
  }

  /** The configured feed-forward activation. */
  private act(x: Tensor2D): Tensor2D {
    switch (this.config.hidden_act) {
      case "relu":
        return tf.relu(x);
      case "gelu_new": {
        const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
        return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
      }
      default: // exact GELU: x·Φ(x)
        return gelu(x);
    }
  }

  /** Dropout in training mode, seeded per call. */
  private dropout<R extends tf.Rank>(x: tf.Tensor<R>, rate: number, d: DropoutState): tf.Tensor<R> {
    if (!d.training || rate <= 0) return x;
    return tf.dropout(x, rate, undefined, tfSeed(d.seed * 7919 + d.next++)) as tf.Tensor<R>;
  }

  // ---- embeddings ------------------------------------------------------------------------

  /** Word + position + token-type embeddings, LayerNorm, dropout: `[B·T, H]`. */
  private embeddings(inp: BertInputs, B: number, T: number, d: DropoutState): Tensor2D {
    const c = this.config;
    if (T > c.max_position_embeddings) {
      throw new RangeError(
        `sequence length ${T} exceeds max_position_embeddings ${c.max_position_embeddings}`,
      );
    }
    const ids = inp.inputIds.reshape([B * T]) as Tensor1D;
    const words = tf.gather(this.p("bert.embeddings.word_embeddings.weight"), ids); // [B·T, H]
    const pos = tf.slice(this.p("bert.embeddings.position_embeddings.weight"), [0, 0], [T, -1]);
    const types = inp.tokenTypeIds
      ? tf.gather(
        this.p("bert.embeddings.token_type_embeddings.weight"),
        inp.tokenTypeIds.reshape([B * T]) as Tensor1D,
      )
      : tf.slice(this.p("bert.embeddings.token_type_embeddings.weight"), [0, 0], [1, -1]);
    const sum = tf.add(
      tf.add(words.reshape([B, T, c.hidden_size]), pos),
      types.reshape([inp.tokenTypeIds ? B : 1, inp.tokenTypeIds ? T : 1, c.hidden_size]),
    ).reshape([B * T, c.hidden_size]) as Tensor2D; // [B·T, H]
    const x = this.layerNorm(sum, "bert.embeddings.LayerNorm");
    return this.dropout(x, c.hidden_dropout_prob, d);
  }

  // ---- attention -------------------------------------------------------------------------

  /** Multi-head self-attention with the padding mask, residual and post-LN: `[B·T, H]`. */
  private attention(
    x: Tensor2D,
    maskBias: Tensor4D | undefined,
    mask: Tensor2D | undefined,
    B: number,
    T: number,
    prefix: string,
    d: DropoutState,
  ): Tensor2D {
    const c = this.config;
    const A = c.num_attention_heads, D = c.hidden_size / A;
    const heads = (t: Tensor2D) => t.reshape([B, T, A, D]).transpose([0, 2, 1, 3]) as Tensor4D; // [B, A, T, D]
    const q = heads(this.linear(x, `${prefix}.self.query`));
    const k = heads(this.linear(x, `${prefix}.self.key`));
    const v = heads(this.linear(x, `${prefix}.self.value`));
    let heads4: Tensor4D;
    if (mask && attentionTile(D) !== undefined) {
      // `mask` is given only where the fused kernel applies (WebGPU, no dropout on probabilities):
      // online softmax, no [T, T] scores in memory.
      heads4 = fusedAttention(q, k, v, mask, 1 / Math.sqrt(D));
    } else {
      let scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(D)) as Tensor4D; // [B, A, T, T]
      if (maskBias) scores = tf.add(scores, maskBias);
      const probs = this.dropout(tf.softmax(scores), c.attention_probs_dropout_prob, d);
      heads4 = tf.matMul(probs, v) as Tensor4D;
    }
    const ctx = heads4.transpose([0, 2, 1, 3]).reshape([B * T, c.hidden_size]); // [B·T, H]
    const out = this.dropout(
      this.linear(ctx as Tensor2D, `${prefix}.output.dense`),
      c.hidden_dropout_prob,
      d,
    );
    return this.layerNorm(tf.add(out, x), `${prefix}.output.LayerNorm`); // post-LN
  }

  // ---- feed-forward and block ------------------------------------------------------------

  /** GELU feed-forward with residual and post-LN: `[B·T, H]`. */
  private feedForward(x: Tensor2D, prefix: string, d: DropoutState): Tensor2D {
    const h = this.act(this.linear(x, `${prefix}.intermediate.dense`)); // [B·T, I]
    const out = this.dropout(
      this.linear(h, `${prefix}.output.dense`),
      this.config.hidden_dropout_prob,
      d,
    ); // [B·T, H]
    return this.layerNorm(tf.add(out, x), `${prefix}.output.LayerNorm`); // post-LN
  }

  // ---- encoder ---------------------------------------------------------------------------

  /**
   * The last hidden states, `[B, T, H]`. Call inside `tf.tidy` (or a gradient function) so the
   * intermediates are freed.
   */
  forward(inp: BertInputs, opts: ForwardOptions = {}): Tensor3D {
    const [B, T] = inp.inputIds.shape;
    const d: DropoutState = { training: opts.training ?? false, seed: opts.seed ?? 0, next: 0 };
    // One scope per stage: an inference pass keeps one layer's temporaries at a time instead of
    // all of them (a training pass still keeps what its gradients need: the tape holds those).
    let x = tf.tidy(() => this.embeddings(inp, B, T, d)); // [B·T, H]
    const maskBias = inp.attentionMask
      ? tf.mul(tf.sub(1, tf.cast(inp.attentionMask, "float32")), -1e4).reshape([
        B,
        1,
        1,
        T,
      ]) as Tensor4D
      : undefined; // [B, 1, 1, T], 0 keep / −10⁴ pad
    // [B, T] for the fused attention kernel, only where it runs (no dropout on the probabilities).
    const fused = onWebGPU() && !(d.training && this.config.attention_probs_dropout_prob > 0);
    const fusedMask = fused
      ? (inp.attentionMask ? tf.cast(inp.attentionMask, "float32") : tf.ones([B, T])) as Tensor2D
      : undefined;
    for (let l = 0; l < this.config.num_hidden_layers; l++) {
      const p = `bert.encoder.layer.${l}`;
      const input = x;
      x = tf.tidy(() =>
        this.feedForward(
          this.attention(input, maskBias, fusedMask, B, T, `${p}.attention`, d),
          p,
          d,
        )
      );
      input.dispose();
    }
    return x.reshape([B, T, this.config.hidden_size]);
  }

  // ---- heads -----------------------------------------------------------------------------

  /**
   * MLM logits. With `positions` (flat indices `b·T + t` into the batch, int32 `[N]`) only those
   * rows are computed — the masked positions — which is where training spends its vocabulary
   * work; without, every position: `[B·T, V]`.
   */
  mlmLogits(hidden: Tensor3D, positions?: Tensor1D): Tensor2D {
    const [B, T, H] = hidden.shape;
    let h = hidden.reshape([B * T, H]) as Tensor2D;
    if (positions) h = tf.gather(h, positions); // [N, H]
    h = this.act(this.linear(h, "cls.predictions.transform.dense"));
    h = this.layerNorm(h, "cls.predictions.transform.LayerNorm");
    const emb = this.p("bert.embeddings.word_embeddings.weight"); // tied decoder [V, H]
    return tf.add(tf.matMul(h, emb, false, true), this.p("cls.predictions.bias")); // [N, V]
  }

  /**
   * The pooled representation, `[B, H]` (dense + tanh) of the `[CLS]` state, or, with `select`
   * (`[B, T]` weights, e.g. `1/n` on a word's `n` pieces), of that weighted sum of the states.
   */
  pooled(hidden: Tensor3D, select?: Tensor2D): Tensor2D {
    const [B, , H] = hidden.shape;
    const x = select
      ? tf.matMul(select.expandDims(1) as Tensor3D, hidden).reshape([B, H]) as Tensor2D
      : tf.slice(hidden, [0, 0, 0], [B, 1, H]).reshape([B, H]) as Tensor2D;
    return tf.tanh(this.linear(x, "bert.pooler.dense"));
  }

  /**
   * The 2-way sequence-pair head (BERT's NSP head; LMGC-M reuses it): `[B, 2]` logits, read from
   * the `[CLS]` state or, with `select`, from the weighted states it picks (see {@link pooled}).
   */
  seqLogits(hidden: Tensor3D, opts: ForwardOptions = {}, select?: Tensor2D): Tensor2D {
    const d: DropoutState = {
      training: opts.training ?? false,
      seed: (opts.seed ?? 0) + 0x5eed,
      next: 0,
    };
    const pooled = this.dropout(this.pooled(hidden, select), this.config.hidden_dropout_prob, d);
    return this.linear(pooled, "cls.seq_relationship");
  }
}

let nextModelId = 0;

/**
 * A seed tfjs honours: its random ops treat a falsy seed (0) as "no seed" and draw from
 * Math.random, so 0 is mapped to a fixed non-zero value.
 */
export function tfSeed(s: number): number {
  return s === 0 ? 0x5eed : s;
}

interface DropoutState {
  training: boolean;
  seed: number;
  next: number;
}
