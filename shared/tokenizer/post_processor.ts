/**
 * The post-processor of BERT's WordPiece pipeline: truncation of a segment or pair (Hugging Face
 * strategies), BERT's `[CLS] A [SEP] B [SEP]` template with segment ids, and padding a batch to one
 * length.
 *
 * @module
 */

/** How to split a pair (or a single sequence) that is longer than `maxLength`. */
export type TruncationStrategy = "longest_first" | "only_first" | "only_second";

/** Options of {@link WordPieceTokenizer.encode}. */
export interface EncodeOptions {
  /** Longest encoding, special tokens included; longer inputs are truncated. Unlimited when unset. */
  maxLength?: number;
  /** Which sequence loses tokens when truncating (Hugging Face semantics). Default `longest_first`. */
  truncation?: TruncationStrategy;
  /** Wrap in `[CLS] A [SEP] (B [SEP])`. Default `true`. */
  addSpecialTokens?: boolean;
}

/** Options of {@link WordPieceTokenizer.encodeBatch}. */
export interface BatchEncodeOptions extends EncodeOptions {
  /** Pad to the longest row (default) or to `maxLength` (which must then be set). */
  padding?: "longest" | "max_length";
}

/** One encoded sequence or pair. All arrays have the same length (one entry per token). */
export interface Encoding {
  /** Vocabulary ids. */
  ids: number[];
  /** Segment (token type) ids: 0 for `[CLS] A [SEP]`, 1 for `B [SEP]`, 0 for padding. */
  typeIds: number[];
  /** 1 for real tokens, 0 for padding. */
  attentionMask: number[];
  /**
   * `[start, end)` UTF-16 offsets into the text of the token's own segment (`text` or `pair`), so
   * `segmentText.slice(start, end)` is the original substring; `[0, 0]` for specials and padding.
   */
  offsets: [number, number][];
  /** Which input the token came from: 0 (`text`) or 1 (`pair`); -1 for specials and padding. */
  segment: number[];
  /** Index of the pre-tokenized word (within its segment) the token came from; -1 for specials. */
  wordIndex: number[];
}

/** A padded batch: flat row-major `[batchSize, seqLength]` arrays ready for `tf.tensor2d`. */
export interface BatchEncoding {
  /** Token ids, `[batchSize * seqLength]`. */
  ids: Int32Array;
  /** Segment ids, `[batchSize * seqLength]`. */
  typeIds: Int32Array;
  /** 1 for real tokens, 0 for padding, `[batchSize * seqLength]`. */
  attentionMask: Int32Array;
  /** `[batchSize, seqLength]`. */
  shape: [number, number];
  /** The padded encoding of every row (padding: id `padId`, offsets `[0, 0]`, indices -1). */
  encodings: Encoding[];
}

/** One input of {@link WordPieceTokenizer.encodeBatch}: a text or a text pair. */
export type BatchInput = string | readonly [string, string];

/** Per-segment result before the template is applied. */
export interface Segment {
  ids: number[];
  offsets: [number, number][];
  words: number[];
}

function truncateSegment(s: Segment, n: number): void {
  s.ids.length = n;
  s.offsets.length = n;
  s.words.length = n;
}

/**
 * Truncate a segment (or pair) so that it fits `maxLength` with `nAdded` special tokens
 * (Hugging Face semantics of each strategy).
 *
 * @throws {RangeError} when `maxLength` cannot be met with `strategy`.
 */
export function truncatePair(
  a: Segment,
  b: Segment | undefined,
  maxLength: number,
  nAdded: number,
  strategy: TruncationStrategy,
): void {
  if (!Number.isInteger(maxLength) || maxLength < nAdded) {
    throw new RangeError(`maxLength ${maxLength} cannot hold the ${nAdded} special tokens`);
  }
  const la = a.ids.length;
  const lb = b ? b.ids.length : 0;
  const budget = maxLength - nAdded;
  if (la + lb <= budget) return;
  const toRemove = la + lb - budget;
  if (strategy === "longest_first") {
    if (!b) return truncateSegment(a, budget);
    // Hugging Face tokenizers' LongestFirst: the shorter keeps its length when that leaves the
    // longer at least as much, else both get half (the longer one the odd token). Like
    // tokenizers, which stops tokenizing a sequence at the first word end past `maxLength`
    // tokens, the lengths compared are capped there.
    const ca = cappedLength(a, maxLength);
    const cb = cappedLength(b, maxLength);
    let n1 = Math.min(ca, cb);
    let n2 = n1 > budget ? n1 : Math.max(n1, budget - n1);
    if (n1 + n2 > budget) {
      n1 = Math.floor(budget / 2);
      n2 = n1 + (budget % 2);
    }
    if (ca > cb) [n1, n2] = [n2, n1];
    truncateSegment(a, Math.min(la, n1));
    truncateSegment(b, Math.min(lb, n2));
    return;
  }
  const target = strategy === "only_first" ? a : b;
  if (strategy !== "only_first" && strategy !== "only_second") {
    throw new RangeError(`unknown truncation strategy ${strategy}`);
  }
  if (!target) {
    throw new RangeError('truncation "only_second" needs a pair of sequences');
  }
  if (target.ids.length <= toRemove) {
    throw new RangeError(
      `cannot fit maxLength ${maxLength} with "${strategy}": the ${
        strategy === "only_first" ? "first" : "second"
      } sequence (${target.ids.length} tokens) is too short to remove ${toRemove}`,
    );
  }
  truncateSegment(target, target.ids.length - toRemove);
}

/** Length of `s` capped at the first word end at or after `maxLength` tokens. */
function cappedLength(s: Segment, maxLength: number): number {
  const n = s.ids.length;
  if (n <= maxLength) return n;
  let end = Math.max(maxLength, 1);
  while (end < n && s.words[end] === s.words[end - 1]) end++;
  return end;
}

/** BERT's template: `[CLS] A [SEP] (B [SEP])` when `special` is given, else `A (B)`. */
export function applyTemplate(
  a: Segment,
  b: Segment | undefined,
  special: { cls: number; sep: number } | undefined,
): Encoding {
  const enc: Encoding = {
    ids: [],
    typeIds: [],
    attentionMask: [],
    offsets: [],
    segment: [],
    wordIndex: [],
  };
  const push = (id: number, type: number, offset: [number, number], seg: number, word: number) => {
    enc.ids.push(id);
    enc.typeIds.push(type);
    enc.attentionMask.push(1);
    enc.offsets.push(offset);
    enc.segment.push(seg);
    enc.wordIndex.push(word);
  };
  const segment = (s: Segment, type: number) => {
    for (let i = 0; i < s.ids.length; i++) push(s.ids[i], type, s.offsets[i], type, s.words[i]);
  };
  if (special) push(special.cls, 0, [0, 0], -1, -1);
  segment(a, 0);
  if (special) push(special.sep, 0, [0, 0], -1, -1);
  if (b) {
    segment(b, 1);
    if (special) push(special.sep, 1, [0, 0], -1, -1);
  }
  return enc;
}

/** Pad every encoding to `len` with `padId` (in place) and pack them as flat row-major arrays. */
export function padBatch(encodings: Encoding[], len: number, padId: number): BatchEncoding {
  const B = encodings.length;
  const ids = new Int32Array(B * len).fill(padId);
  const typeIds = new Int32Array(B * len);
  const attentionMask = new Int32Array(B * len);
  for (let r = 0; r < B; r++) {
    const e = encodings[r];
    const n = e.ids.length;
    ids.set(e.ids, r * len);
    typeIds.set(e.typeIds, r * len);
    attentionMask.set(e.attentionMask, r * len);
    for (let i = n; i < len; i++) {
      e.ids.push(padId);
      e.typeIds.push(0);
      e.attentionMask.push(0);
      e.offsets.push([0, 0]);
      e.segment.push(-1);
      e.wordIndex.push(-1);
    }
  }
  return { ids, typeIds, attentionMask, shape: [B, len], encodings };
}
