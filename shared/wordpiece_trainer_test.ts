import assert from "node:assert/strict";
import { join } from "node:path";
import { dataDir } from "./data_dir.ts";
import { WordPieceTokenizer } from "./tokenizer.ts";
import { trainWordPiece, trainWordPieceFromFolder } from "./wordpiece_trainer.ts";

const SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

const TEXT = [
  "The quick brown fox jumps over the lazy dog.",
  "The lazy dog sleeps; the quick fox runs away!",
  "Foxes and dogs are friends, sometimes.",
  "Über café naïve — résumé",
];

Deno.test("trainWordPiece() merges the most frequent pairs after specials and alphabet", async () => {
  const vocab = await trainWordPiece(["ab ab ab", "ac"], { vocabSize: 100, minFrequency: 1 });
  assert.deepEqual(vocab, [...SPECIALS, "a", "b", "c", "##b", "##c", "ab", "ac"]);
  const frequent = await trainWordPiece(["ab ab ab", "ac"], { vocabSize: 100, minFrequency: 2 });
  assert.deepEqual(frequent, [...SPECIALS, "a", "b", "c", "##b", "##c", "ab"]);
  const small = await trainWordPiece(["ab ab ab", "ac"], { vocabSize: 11, minFrequency: 1 });
  assert.equal(small.length, 11);
  // ##b + ##c gives ##bc; ties go to the pair of smaller ids (y before z)
  const inner = await trainWordPiece(["zbc zbc zbc ybc ybc ybc"], { vocabSize: 100 });
  assert.deepEqual(inner, [...SPECIALS, "b", "c", "y", "z", "##b", "##c", "##bc", "ybc", "zbc"]);
});

Deno.test("trainWordPiece() yields a vocabulary that tokenizes its training text without [UNK]", async () => {
  const vocab = await trainWordPiece(TEXT, { vocabSize: 120 });
  assert.deepEqual(vocab.slice(0, 5), SPECIALS);
  assert.equal(new Set(vocab).size, vocab.length, "no duplicates");
  assert.ok(vocab.length <= 120);
  assert.ok(vocab.includes("the"), "a frequent word is merged whole");
  assert.ok(!vocab.includes("The"), "lowercased");
  assert.ok(vocab.includes("e") && vocab.includes("##e"));
  assert.ok(vocab.includes("u") && !vocab.includes("ü"), "accents stripped");
  const tok = WordPieceTokenizer.fromVocab(vocab);
  for (const line of TEXT) {
    const ids = tok.encode(line).ids;
    assert.ok(!ids.includes(tok.unkId), line);
    assert.equal(
      tok.decode(ids, { skipSpecialTokens: true }).replaceAll(" ", ""),
      tok.tokenize(line).join("").replaceAll("##", ""),
    );
  }
});

Deno.test("trainWordPiece() takes async lines, a cased setting and an alphabet limit", async () => {
  async function* lines() {
    yield "Aaa aab";
    yield "Aaa ccc";
  }
  const vocab = await trainWordPiece(lines(), {
    vocabSize: 50,
    minFrequency: 1,
    lowercase: false,
    limitAlphabet: 2,
    specialTokens: ["[UNK]"],
  });
  assert.equal(vocab[0], "[UNK]");
  // counts: a 6, c 3, A 2, b 1: the alphabet keeps a and c, in code point order
  assert.deepEqual(vocab.slice(1, 3), ["a", "c"]);
  assert.ok(!vocab.some((t) => t.includes("A") || t.includes("b")), "A and b are dropped");
  assert.ok(vocab.includes("aa") && vocab.includes("cc"));
  await assert.rejects(() => trainWordPiece([], { vocabSize: 0 }), RangeError);
});

Deno.test("trainWordPieceFromFolder() streams every .txt file under a folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "sub"));
    await Deno.writeTextFile(join(dir, "a.txt"), TEXT.slice(0, 2).join("\n"));
    await Deno.writeTextFile(join(dir, "sub", "b.txt"), TEXT.slice(2).join("\r\n") + "\n");
    await Deno.writeTextFile(join(dir, "skip.md"), "жжжж");
    const fromFolder = await trainWordPieceFromFolder(dir, { vocabSize: 120 });
    assert.deepEqual(fromFolder, await trainWordPiece(TEXT, { vocabSize: 120 }));
    assert.ok(!fromFolder.includes("ж"), "only .txt files are read");
    await assert.rejects(
      () => trainWordPieceFromFolder(join(dir, "none"), { vocabSize: 10 }),
      Deno.errors.NotFound,
    );
    await assert.rejects(
      () => trainWordPieceFromFolder(join(dir, "sub", "x"), { vocabSize: 10 }),
      Deno.errors.NotFound,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const data = dataDir();

Deno.test({
  name: "trainWordPiece() on real corpus text covers it without [UNK]",
  ignore: data === undefined,
  fn: async () => {
    const text = await Deno.readTextFile(join(data!, "corpus", "genesis.txt"));
    const lines = text.split("\n").slice(0, 1500);
    const vocab = await trainWordPiece(lines, { vocabSize: 1200 });
    assert.equal(vocab.length, 1200);
    assert.deepEqual(vocab.slice(0, 5), SPECIALS);
    const tok = WordPieceTokenizer.fromVocab(vocab);
    let tokens = 0;
    for (const line of lines) {
      const ids = tok.encode(line, undefined, { addSpecialTokens: false }).ids;
      assert.ok(!ids.includes(tok.unkId), line);
      tokens += ids.length;
    }
    const words = lines.join(" ").split(/\s+/).length;
    assert.ok(tokens < words * 1.6, `${tokens} tokens for ${words} words`);
  },
});
