import assert from "node:assert/strict";
import { join } from "node:path";
import { basicTokenize, WordPieceTokenizer } from "./tokenizer.ts";

const bert = WordPieceTokenizer.bertBaseUncased();
const SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

/** The `a a a …` text of `n` words, each the one token "a" (1037). */
const as = (n: number) => Array.from({ length: n }, () => "a").join(" ");

Deno.test("bertBaseUncased() has bert-base-uncased's vocab.txt order and special ids", () => {
  assert.equal(bert.vocabSize, 30522);
  assert.equal(bert.vocab.length, 30522);
  assert.deepEqual(
    [bert.padId, bert.unkId, bert.clsId, bert.sepId, bert.maskId],
    [0, 100, 101, 102, 103],
  );
  assert.equal(bert.idToToken(1), "[unused0]");
  assert.equal(bert.idToToken(104), "[unused99]");
  assert.equal(bert.idToToken(999), "!");
  assert.equal(bert.idToToken(1037), "a");
  assert.equal(bert.idToToken(1996), "the");
  assert.equal(bert.idToToken(2015), "##s");
  assert.equal(bert.tokenToId("##ization"), 3989);
  assert.equal(bert.tokenToId("no-such-token"), 100);
  assert.equal(new Set(bert.vocab).size, 30522);
  assert.equal(bert.lowercase, true);
  assert.equal(bert.stripAccents, true);
  assert.equal(WordPieceTokenizer.bertBaseUncased(), bert, "the instance is shared");
  assert.throws(() => bert.idToToken(30522), RangeError);
});

Deno.test("encode() reproduces known bert-base-uncased encodings", () => {
  assert.deepEqual(bert.encode("hello world").ids, [101, 7592, 2088, 102]);
  assert.deepEqual(bert.encode("Hello, World!").ids, [101, 7592, 1010, 2088, 999, 102]);
  assert.equal(bert.tokenToId(","), 1010);
  assert.equal(bert.tokenToId("!"), 999);
  assert.deepEqual(
    bert.encode("Hello, my dog is cute").ids,
    [101, 7592, 1010, 2026, 3899, 2003, 10140, 102],
  );
  assert.deepEqual(
    bert.encode("The capital of France is [MASK].").ids,
    [101, 1996, 3007, 1997, 2605, 2003, 103, 1012, 102],
  );
  assert.deepEqual(bert.tokenize("i like strawberries"), ["i", "like", "straw", "##berries"]);
  assert.deepEqual(bert.encode("tokenization", undefined, { addSpecialTokens: false }).ids, [
    19204,
    3989,
  ]);
  assert.deepEqual(bert.tokenize("Don't stop"), ["don", "'", "t", "stop"]);
  const text = "Héllo, [MASK] wörld! tokenization 😀";
  assert.deepEqual(
    bert.encodeIds(text),
    bert.encode(text, undefined, { addSpecialTokens: false }).ids,
  );
  assert.deepEqual(bert.encodeIds(text), [7592, 1010, 103, 2088, 999, 19204, 3989, 100]);
});

Deno.test("tokenize() maps unknown characters and over-long words to [UNK]", () => {
  assert.deepEqual(bert.tokenize("😀"), ["[UNK]"]);
  assert.deepEqual(bert.tokenize("a😀b ok"), ["[UNK]", "ok"]);
  assert.deepEqual(bert.tokenize("你 ok"), ["[UNK]", "ok"]);
  assert.deepEqual(bert.tokenize("x".repeat(101)), ["[UNK]"]);
  assert.notDeepEqual(bert.tokenize("x".repeat(100)), ["[UNK]"]);
  const enc = bert.encode("say 😀!");
  assert.deepEqual(enc.ids, [101, 2360, 100, 999, 102]);
  assert.deepEqual(enc.offsets[2], [4, 6], "[UNK] covers the whole surrogate pair");
});

Deno.test("BERT's basic tokenization cleans, spaces CJK, lowercases and strips accents", () => {
  assert.deepEqual(basicTokenize("Héllo, World!"), ["hello", ",", "world", "!"]);
  assert.deepEqual(basicTokenize("a\u0000b\ufffdc\td\u200be"), ["abc", "de"]);
  assert.deepEqual(basicTokenize("日本語 ok"), ["日", "本", "語", "ok"]);
  assert.deepEqual(basicTokenize("$5.00 (x)"), ["$", "5", ".", "00", "(", "x", ")"]);
  assert.deepEqual(basicTokenize("‘hi’ — ¿qué?"), ["‘", "hi", "’", "—", "¿", "que", "?"]);
  assert.deepEqual(basicTokenize("Héllo", { lowercase: false }), ["Héllo"]);
  assert.deepEqual(basicTokenize("Héllo", { lowercase: true, stripAccents: false }), ["héllo"]);
  assert.deepEqual(bert.tokenize("café"), ["cafe"]);
  assert.deepEqual(bert.encode("café").ids, [101, 7668, 102]);
  assert.deepEqual(bert.encode("cafe\u0301").ids, [101, 7668, 102], "decomposed accent too");
  assert.deepEqual(bert.tokenize("ÉCOLE naïve"), ["ecole", "naive"]);
});

Deno.test("encode() offsets slice the original text, accents and case included", () => {
  const text = "  Héllo, WORLD!  Naïve café—straße 😀 日本 x\u0301y [MASK]";
  const enc = bert.encode(text);
  const strip = (s: string) => s.normalize("NFD").replace(/\p{Mn}/gu, "").toLowerCase();
  for (let i = 0; i < enc.ids.length; i++) {
    const [s, e] = enc.offsets[i];
    if (enc.segment[i] < 0) {
      assert.deepEqual([s, e], [0, 0]);
      continue;
    }
    const source = text.slice(s, e);
    const token = bert.idToToken(enc.ids[i]);
    if (token === "[UNK]" || token === "[MASK]") {
      assert.equal(source, token === "[MASK]" ? token : "😀");
    } else assert.equal(strip(source), token.replace(/^##/, ""), `token ${i} ${token}`);
  }
  const words = enc.ids.map((_, i) => text.slice(...enc.offsets[i]));
  assert.deepEqual(words.slice(1, 6), ["Héllo", ",", "WORLD", "!", "Naïve"]);
  assert.equal(words[enc.ids.indexOf(7668)], "café");
  assert.deepEqual(enc.wordIndex.slice(0, 6), [-1, 0, 1, 2, 3, 4]);
});

Deno.test("encode() of a pair sets typeIds, segments and per-segment offsets", () => {
  const enc = bert.encode("hello world", "My dog");
  assert.deepEqual(enc.ids, [101, 7592, 2088, 102, 2026, 3899, 102]);
  assert.deepEqual(enc.typeIds, [0, 0, 0, 0, 1, 1, 1]);
  assert.deepEqual(enc.segment, [-1, 0, 0, -1, 1, 1, -1]);
  assert.deepEqual(enc.attentionMask, [1, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual(enc.offsets, [[0, 0], [0, 5], [6, 11], [0, 0], [0, 2], [3, 6], [0, 0]]);
  assert.deepEqual(enc.wordIndex, [-1, 0, 1, -1, 0, 1, -1]);
  const bare = bert.encode("hello", "world", { addSpecialTokens: false });
  assert.deepEqual(bare.ids, [7592, 2088]);
  assert.deepEqual(bare.typeIds, [0, 1]);
});

Deno.test("truncation strategies match Hugging Face tokenizers", () => {
  const lens = (enc: { segment: number[] }) => [
    enc.segment.filter((s) => s === 0).length,
    enc.segment.filter((s) => s === 1).length,
  ];
  // Cases checked against tokenizers 0.23 (max_length 10: 7 tokens after [CLS] [SEP] [SEP]).
  assert.deepEqual(lens(bert.encode(as(4), as(8), { maxLength: 10 })), [3, 4]);
  assert.deepEqual(lens(bert.encode(as(8), as(4), { maxLength: 10 })), [4, 3]);
  assert.deepEqual(lens(bert.encode(as(2), as(8), { maxLength: 10 })), [2, 5]);
  assert.deepEqual(lens(bert.encode(as(8), as(8), { maxLength: 10 })), [3, 4]);
  assert.deepEqual(lens(bert.encode(as(5), as(30), { maxLength: 24 })), [5, 16]);
  assert.deepEqual(lens(bert.encode(as(31), as(27), { maxLength: 24 })), [10, 11]);
  // tokenizers compares lengths capped at the first word end past maxLength tokens.
  assert.deepEqual(lens(bert.encode(`${as(23)} caucasians`, as(31), { maxLength: 24 })), [11, 10]);
  assert.deepEqual(lens(bert.encode(`${as(24)} caucasians`, as(31), { maxLength: 24 })), [10, 11]);

  const first = bert.encode(as(10), as(4), { maxLength: 10, truncation: "only_first" });
  assert.deepEqual(lens(first), [3, 4]);
  const second = bert.encode(as(4), as(10), { maxLength: 10, truncation: "only_second" });
  assert.deepEqual(lens(second), [4, 3]);
  assert.throws(
    () => bert.encode(as(2), as(10), { maxLength: 10, truncation: "only_first" }),
    RangeError,
  );
  assert.throws(
    () => bert.encode(as(5), undefined, { maxLength: 4, truncation: "only_second" }),
    RangeError,
  );
  assert.throws(() => bert.encode("a", "b", { maxLength: 2 }), RangeError);

  const single = bert.encode(as(20), undefined, { maxLength: 8 });
  assert.equal(single.ids.length, 8);
  assert.deepEqual(single.ids.slice(-2), [1037, 102]);
  assert.deepEqual(bert.encode("hello world", undefined, { maxLength: 8 }).ids, [
    101,
    7592,
    2088,
    102,
  ]);
});

Deno.test("encodeBatch() pads to the longest row or to maxLength as flat Int32Arrays", () => {
  const batch = bert.encodeBatch(["hello world", ["hello", "my dog is cute"]]);
  assert.deepEqual(batch.shape, [2, 8]);
  assert.ok(batch.ids instanceof Int32Array);
  assert.deepEqual([...batch.ids], [
    101,
    7592,
    2088,
    102,
    0,
    0,
    0,
    0,
    101,
    7592,
    102,
    2026,
    3899,
    2003,
    10140,
    102,
  ]);
  assert.deepEqual([...batch.attentionMask], [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual([...batch.typeIds], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  assert.equal(batch.encodings[0].ids.length, 8);
  assert.deepEqual(batch.encodings[0].offsets[7], [0, 0]);
  assert.equal(batch.encodings[0].wordIndex[7], -1);

  const fixed = bert.encodeBatch(["hello world", as(30)], { maxLength: 12, padding: "max_length" });
  assert.deepEqual(fixed.shape, [2, 12]);
  assert.equal(fixed.ids[11], 0);
  assert.equal(fixed.ids[23], 102);
  assert.throws(() => bert.encodeBatch(["x"], { padding: "max_length" }), RangeError);
  assert.deepEqual(bert.encodeBatch([]).shape, [0, 0]);
});

Deno.test("decode() joins ## pieces and cleans punctuation spaces like Hugging Face", () => {
  const enc = bert.encode("Hello, my dog is cute!");
  assert.equal(bert.decode(enc.ids), "[CLS] hello, my dog is cute! [SEP]");
  assert.equal(bert.decode(enc.ids, { skipSpecialTokens: true }), "hello, my dog is cute!");
  assert.equal(
    bert.decode(bert.encode("tokenization works").ids, { skipSpecialTokens: true }),
    "tokenization works",
  );
  assert.equal(bert.decode([7592, 1010], { cleanup: false }), "hello ,");
  assert.equal(bert.decode([3989, 7592]), "##ization hello", "a leading ## piece is kept as is");
  const masked = bert.encode("the [MASK] sat", undefined, { addSpecialTokens: true }).ids;
  assert.equal(bert.decode(masked, { skipSpecialTokens: true }), "the sat");
  assert.throws(() => bert.decode([99999]), RangeError);
  // Round trip of lowercased, accent-free, space-separated text.
  const text = "the quick brown fox jumps over the lazy dog.";
  assert.equal(bert.decode(bert.encode(text).ids, { skipSpecialTokens: true }), text);
});

Deno.test("special tokens written in the text stay whole; other brackets split", () => {
  assert.deepEqual(bert.tokenize("a [MASK] b"), ["a", "[MASK]", "b"]);
  assert.deepEqual(bert.tokenize("x[MASK]y"), ["x", "[MASK]", "y"]);
  assert.deepEqual(bert.tokenize("[mask]"), ["[", "mask", "]"]);
  assert.deepEqual(bert.tokenize("[CLS][SEP] [unused5]"), ["[CLS]", "[SEP]", "[unused5]"]);
  const enc = bert.encode("is [MASK].");
  assert.deepEqual(enc.ids, [101, 2003, 103, 1012, 102]);
  assert.deepEqual(enc.offsets[2], [3, 9]);
  assert.deepEqual(enc.wordIndex, [-1, 0, 1, 2, -1]);
});

Deno.test("fromVocab() builds a tokenizer over a small vocabulary", () => {
  const tok = WordPieceTokenizer.fromVocab([...SPECIALS, "un", "##able", "##aff", "a"]);
  assert.deepEqual(tok.tokenize("Unaffable a b"), ["un", "##aff", "##able", "a", "[UNK]"]);
  assert.equal(tok.lowercase, true, "no uppercase in the vocabulary: uncased");
  assert.equal(WordPieceTokenizer.fromVocab([...SPECIALS, "Un"]).lowercase, false);
  assert.deepEqual(
    WordPieceTokenizer.fromVocab([...SPECIALS, "Un"]).tokenize("Un un"),
    ["Un", "[UNK]"],
  );
  assert.throws(() => WordPieceTokenizer.fromVocab(["a", "b"]), RangeError);
  assert.throws(() => WordPieceTokenizer.fromVocab([]), RangeError);
  const noCls = WordPieceTokenizer.fromVocab(["[UNK]", "a"]);
  assert.deepEqual(noCls.encode("a", undefined, { addSpecialTokens: false }).ids, [1]);
  assert.throws(() => noCls.encode("a"), RangeError);
});

Deno.test("save() and fromFile() round-trip vocab.txt with its lowercase flag", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cased = WordPieceTokenizer.fromVocab([...SPECIALS, "a", "##b"], { lowercase: false });
    await cased.save(dir);
    const text = await Deno.readTextFile(join(dir, "vocab.txt"));
    assert.equal(text, "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\n##b\n");
    assert.equal(cased.toVocabTxt(), text);
    const back = await WordPieceTokenizer.fromFile(dir);
    assert.deepEqual(back.vocab, cased.vocab);
    assert.equal(back.lowercase, false);
    const fromTxt = await WordPieceTokenizer.fromFile(join(dir, "vocab.txt"));
    assert.equal(fromTxt.lowercase, false);
    const overridden = await WordPieceTokenizer.fromFile(dir, { lowercase: true });
    assert.equal(overridden.lowercase, true);
    await Deno.remove(join(dir, "tokenizer_config.json"));
    assert.equal((await WordPieceTokenizer.fromFile(dir)).lowercase, true, "guessed: no uppercase");
    await assert.rejects(
      () => WordPieceTokenizer.fromFile(join(dir, "missing")),
      Deno.errors.NotFound,
    );
    const empty = await Deno.makeTempDir({ dir });
    await assert.rejects(() => WordPieceTokenizer.fromFile(empty), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fromFile() reads a Hugging Face tokenizer.json and rejects other models", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const vocab = Object.fromEntries([...SPECIALS, "hello", "##s", "x"].map((t, i) => [t, i]));
    const json = {
      version: "1.0",
      added_tokens: SPECIALS.map((content, id) => ({
        id,
        content,
        special: true,
        normalized: false,
      })),
      normalizer: {
        type: "BertNormalizer",
        clean_text: true,
        handle_chinese_chars: true,
        strip_accents: null,
        lowercase: true,
      },
      pre_tokenizer: { type: "BertPreTokenizer" },
      model: {
        type: "WordPiece",
        unk_token: "[UNK]",
        continuing_subword_prefix: "##",
        max_input_chars_per_word: 100,
        vocab,
      },
    };
    await Deno.writeTextFile(join(dir, "tokenizer.json"), JSON.stringify(json));
    const tok = await WordPieceTokenizer.fromFile(dir);
    assert.equal(tok.vocabSize, 8);
    assert.equal(tok.lowercase, true);
    assert.equal(tok.stripAccents, true);
    assert.deepEqual(tok.encode("Héllos x").ids, [2, 5, 6, 7, 3]);
    assert.deepEqual(tok.tokenize("x [MASK]"), ["x", "[MASK]"]);

    const cased = { ...json, normalizer: { ...json.normalizer, lowercase: false } };
    await Deno.writeTextFile(join(dir, "cased.json"), JSON.stringify(cased));
    const c = await WordPieceTokenizer.fromFile(join(dir, "cased.json"));
    assert.equal(c.lowercase, false);
    assert.equal(c.stripAccents, false);

    const bpe = { ...json, model: { type: "BPE", vocab, merges: [] } };
    await Deno.writeTextFile(join(dir, "bpe.json"), JSON.stringify(bpe));
    await assert.rejects(
      () => WordPieceTokenizer.fromFile(join(dir, "bpe.json")),
      (e: Error) => e instanceof TypeError && /BPE model; only WordPiece/.test(e.message),
    );
    await Deno.writeTextFile(join(dir, "bad.json"), "{not json");
    await assert.rejects(() => WordPieceTokenizer.fromFile(join(dir, "bad.json")), SyntaxError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
