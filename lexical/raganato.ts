/**
 * The file formats of Raganato et al. (2017)'s unified WSD evaluation framework: `*.data.xml`
 * (`<corpus><text><sentence>` holding `<wf>` and `<instance>` elements) and `*.gold.key.txt`
 * (`id key [key…]` a line).
 *
 * The XML reader is a small single-pass scanner written for this format (elements, attributes,
 * the five predefined entities and character references, comments, processing instructions,
 * CDATA); it checks well-formedness and the framework's structure and names file and line on any
 * error.
 *
 * @module
 */
import { writeFileAtomic } from "@cohesive/shared";

/** A word of a sentence: `<wf>` (not to be disambiguated) or `<instance>` (to be). */
export interface WsdToken {
  /** `wf` or `instance`. */
  kind: "wf" | "instance";
  /** The instance id (`d000.s000.t000`); only instances have one. */
  id?: string;
  /** The surface text (may hold spaces for multi-word instances). */
  text: string;
  /** The lemma attribute (multi-word lemmas joined by `_`). */
  lemma: string;
  /** The pos attribute: a universal tag (`NOUN`, `VERB`, `ADJ`, `ADV`, `DET`, `.`...). */
  pos: string;
  /** Any other attributes, in document order (kept for a faithful rewrite). */
  attributes?: Record<string, string>;
}

/** A `<sentence>`. */
export interface WsdSentence {
  /** The sentence id (`d000.s000`). */
  id: string;
  /** Its words in order. */
  tokens: WsdToken[];
  /** Attributes other than `id`. */
  attributes?: Record<string, string>;
}

/** A `<text>` (a document). */
export interface WsdText {
  /** The text id (`d000`). */
  id: string;
  /** Its sentences in order. */
  sentences: WsdSentence[];
  /** Attributes other than `id` (SemCor's `source`). */
  attributes?: Record<string, string>;
}

/** A whole `*.data.xml` corpus. */
export interface WsdCorpus {
  /** The `<corpus>` attributes (`lang`, `source`). */
  attributes: Record<string, string>;
  /** Its texts in order. */
  texts: WsdText[];
}

/** One instance with its context, as {@link instancesOf} yields it. */
export interface WsdInstanceRef {
  /** The instance token (its `id` is set). */
  token: WsdToken & { id: string };
  /** Position of the token in its sentence. */
  index: number;
  /** The sentence holding it. */
  sentence: WsdSentence;
  /** The text holding it. */
  text: WsdText;
}

/** Gold or system keys: instance id → sense keys. */
export type WsdKeys = Map<string, string[]>;

/** A malformed `*.data.xml` or key file; the message names the file and line. */
export class WsdFormatError extends SyntaxError {
  /** The file (or `<string>`). */
  readonly file: string;
  /** 1-based line of the problem. */
  readonly line: number;

  /** Build the error; the message becomes `file:line: message`. */
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = "WsdFormatError";
    this.file = file;
    this.line = line;
  }
}

/** A key file that names instance ids its data file does not hold. */
export class UnknownInstanceError extends RangeError {
  /** The unknown ids, in key-file order. */
  readonly ids: string[];

  /** Build the error from the offending ids and the two files' names. */
  constructor(ids: string[], keyFile: string, dataFile: string) {
    const shown = ids.slice(0, 5).join(", ") + (ids.length > 5 ? ", …" : "");
    super(`${keyFile}: ${ids.length} instance id(s) not in ${dataFile}: ${shown}`);
    this.name = "UnknownInstanceError";
    this.ids = ids;
  }
}

// --- XML scanning --------------------------------------------------------------------------------

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const NAME = "[A-Za-z_:][A-Za-z0-9_:.-]*";
const START_TAG = new RegExp(
  `<(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>`,
  "y",
);
const END_TAG = new RegExp(`</(${NAME})\\s*>`, "y");
/** Fast path: a whole `<wf …>text</wf>` or `<instance …>text</instance>` in one match. */
const WORD = new RegExp(
  `<(wf|instance)((?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*>([^<]*)</(wf|instance)\\s*>`,
  "y",
);
/** Fast path for the framework's own attribute order. */
const WORD_ATTRIBUTES = /^\s+(?:id="([^"<&]*)"\s+)?lemma="([^"<&]*)"\s+pos="([^"<&]*)"\s*$/;
const ATTRIBUTE = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"<]*)"|'([^'<]*)')`, "g");

function lineOf(xml: string, pos: number): number {
  let line = 1;
  for (let i = xml.indexOf("\n"); i >= 0 && i < pos; i = xml.indexOf("\n", i + 1)) line++;
  return line;
}

/**
 * Parse the framework's `*.data.xml` text.
 *
 * @param xml the file contents.
 * @param file the file name used in error messages.
 * @throws {WsdFormatError} on malformed XML or a structure other than
 *   `corpus > text > sentence > (wf | instance)`, missing ids, or duplicate instance ids.
 */
export function parseRaganatoXml(xml: string, file = "<string>"): WsdCorpus {
  return new RaganatoParser(xml, file).parse();
}

/** The `id`, `lemma` and `pos` attributes of a start tag. */
interface KnownAttributes {
  id?: string;
  lemma?: string;
  pos?: string;
}

/**
 * A one-pass scanner of the framework's XML: the loop finds the next markup, one handler per kind
 * of markup (processing instruction, comment / CDATA / DOCTYPE, end tag, start tag) and one per
 * element (`corpus`, `text`, `sentence`, `wf` / `instance`) builds the corpus.
 */
class RaganatoParser {
  readonly #xml: string;
  readonly #file: string;
  readonly #ids = new Set<string>();
  readonly #stack: { name: string; pos: number }[] = [];
  #pos = 0;
  #done = false;
  #corpus: WsdCorpus | undefined;
  #text: WsdText | undefined;
  #sentence: WsdSentence | undefined;
  #token: WsdToken | undefined;
  #tokenText = "";

  constructor(xml: string, file: string) {
    this.#xml = xml;
    this.#file = file;
  }

  parse(): WsdCorpus {
    const xml = this.#xml;
    while (this.#pos < xml.length) {
      const lt = xml.indexOf("<", this.#pos);
      if (lt < 0) {
        this.#onText(xml.slice(this.#pos), this.#pos, false);
        break;
      }
      if (lt > this.#pos) this.#between(this.#pos, lt);
      this.#pos = lt;
      const c1 = xml.charCodeAt(lt + 1);
      if (c1 === 0x3f) this.#processingInstruction(lt); // <? ... ?>
      else if (c1 === 0x21) this.#bang(lt); // <!
      else if (this.#stack.length === 3 && (c1 === 0x77 || c1 === 0x69) && this.#word(lt)) {
        // a whole <wf>…</wf> or <instance>…</instance>
      } else if (c1 === 0x2f) this.#endTag(lt); // </name>
      else this.#startTag(lt);
    }
    if (this.#stack.length) {
      const open = this.#stack[this.#stack.length - 1];
      this.#fail(xml.length, `unclosed <${open.name}> (opened on line ${this.#line(open.pos)})`);
    }
    if (!this.#corpus) this.#fail(xml.length, "no <corpus> element");
    return this.#corpus!;
  }

  // --- markup ---

  /** Text between two markups: a token's text, else only whitespace is allowed. */
  #between(from: number, lt: number): void {
    const xml = this.#xml;
    if (this.#token) {
      this.#tokenText += this.#decode(xml.slice(from, lt), from);
      return;
    }
    for (let i = from; i < lt; i++) {
      const c = xml.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
        this.#onText(xml.slice(i, lt), i, false);
      }
    }
  }

  #processingInstruction(lt: number): void {
    const end = this.#xml.indexOf("?>", lt + 2);
    if (end < 0) this.#fail(lt, "unterminated processing instruction");
    this.#pos = end + 2;
  }

  /** `<!--…-->`, `<![CDATA[…]]>` or a DOCTYPE without an internal subset. */
  #bang(lt: number): void {
    const xml = this.#xml;
    if (xml.startsWith("<!--", lt)) {
      const end = xml.indexOf("-->", lt + 4);
      if (end < 0) this.#fail(lt, "unterminated comment");
      this.#pos = end + 3;
    } else if (xml.startsWith("<![CDATA[", lt)) {
      const end = xml.indexOf("]]>", lt + 9);
      if (end < 0) this.#fail(lt, "unterminated CDATA section");
      this.#onText(xml.slice(lt + 9, end), lt, true);
      this.#pos = end + 3;
    } else if (xml.startsWith("<!DOCTYPE", lt) && !this.#corpus) {
      const end = xml.indexOf(">", lt);
      if (end < 0 || xml.slice(lt, end).includes("[")) {
        this.#fail(lt, "DOCTYPE with an internal subset is not supported");
      }
      this.#pos = end + 1;
    } else this.#fail(lt, "malformed markup after '<!'");
  }

  /** Fast path: a whole word element in one match; false when it does not match. */
  #word(lt: number): boolean {
    WORD.lastIndex = lt;
    const w = WORD.exec(this.#xml);
    if (!w || w[1] !== w[4]) return false;
    const a = WORD_ATTRIBUTES.exec(w[2]);
    let extra: Record<string, string> | undefined;
    let known: KnownAttributes;
    if (a) known = { id: a[1], lemma: a[2], pos: a[3] };
    else [extra, known] = this.#attributes(w[2], lt);
    const body = w[3].indexOf("&") < 0 ? w[3] : this.#decode(w[3], lt);
    this.#sentence!.tokens.push(this.#makeToken(w[1], known, extra, lt, body));
    this.#pos = lt + w[0].length;
    return true;
  }

  #endTag(lt: number): void {
    END_TAG.lastIndex = lt;
    const m = END_TAG.exec(this.#xml);
    if (!m) this.#fail(lt, "malformed end tag");
    const name = m![1];
    const open = this.#stack.pop();
    if (!open) this.#fail(lt, `end tag </${name}> without a start tag`);
    if (open!.name !== name) {
      this.#fail(
        lt,
        `end tag </${name}> does not match <${open!.name}> (line ${this.#line(open!.pos)})`,
      );
    }
    this.#close(this.#stack.length);
    this.#pos = lt + m![0].length;
  }

  /** Leave the element at `depth` (0 corpus, 1 text, 2 sentence, 3 word). */
  #close(depth: number): void {
    if (this.#token && depth === 3) {
      this.#token.text = this.#tokenText;
      this.#token = undefined;
    } else if (depth === 2) this.#sentence = undefined;
    else if (depth === 1) this.#text = undefined;
    else if (depth === 0) this.#done = true;
  }

  #startTag(lt: number): void {
    START_TAG.lastIndex = lt;
    const m = START_TAG.exec(this.#xml);
    if (!m) this.#fail(lt, "malformed tag");
    const [whole, name, rawAttrs, selfClosing] = m!;
    if (this.#done) this.#fail(lt, `<${name}> after the end of <corpus>`);
    const [extra, known] = this.#attributes(rawAttrs, lt);
    const depth = this.#stack.length;
    if (this.#token) {
      this.#fail(lt, `<${name}> inside <${this.#stack[depth - 1].name}>: words hold text only`);
    }
    if (depth === 0) this.#startCorpus(name, known, extra, lt);
    else if (depth === 1) this.#startText(name, known, extra, lt);
    else if (depth === 2) this.#startSentence(name, known, extra, lt);
    else if (depth === 3) this.#startWord(name, known, extra, lt);
    else this.#fail(lt, `<${name}> nested too deep`);
    if (selfClosing) {
      if (this.#token) this.#token = undefined;
      else if (depth < 3) this.#close(depth);
    } else this.#stack.push({ name, pos: lt });
    this.#pos = lt + whole.length;
  }

  // --- elements ---

  #startCorpus(name: string, k: KnownAttributes, extra: Attributes, lt: number): void {
    if (name !== "corpus") this.#fail(lt, `root element is <${name}>, expected <corpus>`);
    const attributes: Record<string, string> = {};
    if (k.id !== undefined) attributes.id = k.id;
    if (k.lemma !== undefined) attributes.lemma = k.lemma;
    if (k.pos !== undefined) attributes.pos = k.pos;
    this.#corpus = { attributes: { ...attributes, ...extra }, texts: [] };
  }

  #startText(name: string, k: KnownAttributes, extra: Attributes, lt: number): void {
    this.#text = { id: this.#groupId(name, "text", "corpus", k, lt), sentences: [] };
    if (extra) this.#text.attributes = extra;
    this.#corpus!.texts.push(this.#text);
  }

  #startSentence(name: string, k: KnownAttributes, extra: Attributes, lt: number): void {
    this.#sentence = { id: this.#groupId(name, "sentence", "text", k, lt), tokens: [] };
    if (extra) this.#sentence.attributes = extra;
    this.#text!.sentences.push(this.#sentence);
  }

  /** The id of a `<text>` or `<sentence>` (`want`) inside its `parent`. */
  #groupId(name: string, want: string, parent: string, k: KnownAttributes, lt: number): string {
    if (name !== want) this.#fail(lt, `<${name}> inside <${parent}>, expected <${want}>`);
    if (k.id === undefined) this.#fail(lt, `<${want}> without an id`);
    return k.id!;
  }

  #startWord(name: string, k: KnownAttributes, extra: Attributes, lt: number): void {
    this.#token = this.#makeToken(name, k, extra, lt, "");
    this.#sentence!.tokens.push(this.#token);
    this.#tokenText = "";
  }

  /** A `<wf>` or `<instance>` token; instance ids must be present and unique. */
  #makeToken(
    name: string,
    k: KnownAttributes,
    extra: Attributes,
    at: number,
    body: string,
  ): WsdToken {
    const { id, lemma, pos } = k;
    let t: WsdToken;
    if (name === "instance") {
      if (id === undefined) this.#fail(at, "<instance> without an id");
      if (!lemma || !pos) this.#fail(at, `<instance id="${id}"> without a lemma or pos`);
      if (this.#ids.has(id!)) this.#fail(at, `duplicate instance id ${id}`);
      this.#ids.add(id!);
      t = { kind: "instance", id, text: body, lemma: lemma!, pos: pos! };
    } else if (name === "wf") {
      t = { kind: "wf", text: body, lemma: lemma ?? "", pos: pos ?? "" };
      if (id !== undefined) t.attributes = { id, ...extra };
    } else return this.#fail(at, `<${name}> inside <sentence>, expected <wf> or <instance>`);
    if (extra && !t.attributes) t.attributes = extra;
    return t;
  }

  // --- text ---

  #onText(s: string, at: number, raw: boolean): void {
    if (this.#token) this.#tokenText += raw ? s : this.#decode(s, at);
    else if (/\S/.test(s)) {
      const where = this.#stack.length
        ? `inside <${this.#stack[this.#stack.length - 1].name}>`
        : "outside <corpus>";
      this.#fail(
        at + s.search(/\S/),
        `unexpected text ${JSON.stringify(s.trim().slice(0, 30))} ${where}`,
      );
    }
  }

  /** Attributes of a start tag: the others (undefined when none) and `id`, `lemma`, `pos`. */
  #attributes(raw: string, at: number): [Attributes, KnownAttributes] {
    const known: KnownAttributes = {};
    let extra: Record<string, string> | undefined;
    if (raw.length === 0) return [extra, known];
    ATTRIBUTE.lastIndex = 0;
    for (let m = ATTRIBUTE.exec(raw); m; m = ATTRIBUTE.exec(raw)) {
      const name = m[1];
      const value = this.#decode(m[2] ?? m[3], at);
      if (name === "id" || name === "lemma" || name === "pos") {
        if (known[name] !== undefined) this.#fail(at, `duplicate attribute ${name}`);
        known[name] = value;
      } else {
        extra ??= {};
        if (name in extra) this.#fail(at, `duplicate attribute ${name}`);
        extra[name] = value;
      }
    }
    return [extra, known];
  }

  /** Resolve the five XML entities and character references. */
  #decode(s: string, at: number): string {
    if (s.indexOf("&") < 0) return s;
    return s.replace(/&([^;&\s]*);?/g, (whole, name: string) => {
      if (!whole.endsWith(";")) {
        return this.#fail(at, `unterminated entity ${JSON.stringify(whole)}`);
      }
      if (name[0] === "#") {
        const code = name[1] === "x" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        if (
          !Number.isFinite(code) || code < 0 || code > 0x10ffff ||
          !/^#(x[0-9a-fA-F]+|\d+)$/.test(name)
        ) {
          return this.#fail(at, `bad character reference &${name};`);
        }
        return String.fromCodePoint(code);
      }
      return ENTITIES[name] ?? this.#fail(at, `unknown entity &${name};`);
    });
  }

  #line(pos: number): number {
    return lineOf(this.#xml, pos);
  }

  #fail(pos: number, msg: string): never {
    throw new WsdFormatError(this.#file, lineOf(this.#xml, pos), msg);
  }
}

/** The attributes of an element other than `id`, `lemma` and `pos` (undefined when none). */
type Attributes = Record<string, string> | undefined;

/**
 * Read a `*.data.xml` file.
 *
 * @example
 * ```ts ignore
 * const corpus = await readRaganatoXml("semeval2007/semeval2007.data.xml");
 * console.log([...instancesOf(corpus)].length); // 455
 * ```
 */
export async function readRaganatoXml(path: string): Promise<WsdCorpus> {
  return parseRaganatoXml(await Deno.readTextFile(path), path);
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

function escapeXml(s: string, quotes = false): string {
  return s.replace(quotes ? /[&<>"]/g : /[&<>]/g, (c) => ESCAPES[c]);
}

function attrs(pairs: [string, string | undefined][], extra?: Record<string, string>): string {
  let out = "";
  for (const [k, v] of pairs) if (v !== undefined) out += ` ${k}="${escapeXml(v, true)}"`;
  for (const [k, v] of Object.entries(extra ?? {})) out += ` ${k}="${escapeXml(v, true)}"`;
  return out;
}

/** Format a corpus as the framework writes it (one element a line). */
export function formatRaganatoXml(corpus: WsdCorpus): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8" ?>'];
  out.push(`<corpus${attrs([], corpus.attributes)}>`);
  for (const text of corpus.texts) {
    out.push(`<text${attrs([["id", text.id]], text.attributes)}>`);
    for (const s of text.sentences) {
      out.push(`<sentence${attrs([["id", s.id]], s.attributes)}>`);
      for (const t of s.tokens) {
        const a = attrs([["id", t.id], ["lemma", t.lemma], ["pos", t.pos]], t.attributes);
        out.push(`<${t.kind}${a}>${escapeXml(t.text)}</${t.kind}>`);
      }
      out.push("</sentence>");
    }
    out.push("</text>");
  }
  out.push("</corpus>", "");
  return out.join("\n");
}

/** Write a `*.data.xml` file atomically. */
export async function writeRaganatoXml(path: string, corpus: WsdCorpus): Promise<void> {
  await writeFileAtomic(path, formatRaganatoXml(corpus));
}

/** Every instance of the corpus, in document order, with its sentence and text. */
export function* instancesOf(corpus: WsdCorpus): Generator<WsdInstanceRef> {
  for (const text of corpus.texts) {
    for (const sentence of text.sentences) {
      for (let index = 0; index < sentence.tokens.length; index++) {
        const token = sentence.tokens[index];
        if (token.kind === "instance" && token.id !== undefined) {
          yield { token: token as WsdToken & { id: string }, index, sentence, text };
        }
      }
    }
  }
}

// --- key files -----------------------------------------------------------------------------------

/**
 * Parse a key file: `id key [key…]` a line, blank lines skipped.
 *
 * @throws {WsdFormatError} on a line without a key or a repeated id.
 */
export function parseKeys(text: string, file = "<string>"): WsdKeys {
  const keys: WsdKeys = new Map();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    const parts = line.includes("\t") || line.includes("  ") ? line.split(/\s+/) : line.split(" ");
    const [id, ...senses] = parts;
    if (senses.length === 0) throw new WsdFormatError(file, i + 1, `no sense key for ${id}`);
    if (keys.has(id)) throw new WsdFormatError(file, i + 1, `instance ${id} listed twice`);
    keys.set(id, senses);
  }
  return keys;
}

/** Options of {@link readKeys}. */
export interface ReadKeysOptions {
  /** Check every id against this corpus (see {@link checkKeyIds}). */
  corpus?: WsdCorpus;
  /** The corpus file name, for the error message. */
  dataFile?: string;
}

/**
 * Read a key file (`*.gold.key.txt` or a system's answers).
 *
 * @throws {WsdFormatError} on a malformed line.
 * @throws {UnknownInstanceError} when `options.corpus` is given and lacks some id.
 */
export async function readKeys(path: string, options: ReadKeysOptions = {}): Promise<WsdKeys> {
  const keys = parseKeys(await Deno.readTextFile(path), path);
  if (options.corpus) checkKeyIds(keys, options.corpus, path, options.dataFile);
  return keys;
}

/**
 * Check that every id of `keys` is an instance of `corpus`.
 *
 * @throws {UnknownInstanceError} naming the unknown ids.
 */
export function checkKeyIds(
  keys: WsdKeys,
  corpus: WsdCorpus,
  keyFile = "key file",
  dataFile = "the data file",
): void {
  const known = new Set<string>();
  for (const text of corpus.texts) {
    for (const sentence of text.sentences) {
      for (const token of sentence.tokens) if (token.id !== undefined) known.add(token.id);
    }
  }
  const unknown = [...keys.keys()].filter((id) => !known.has(id));
  if (unknown.length) throw new UnknownInstanceError(unknown, keyFile, dataFile);
}

/** Format keys as `id key [key…]` lines, in map order. */
export function formatKeys(keys: WsdKeys): string {
  let out = "";
  for (const [id, senses] of keys) out += `${id} ${senses.join(" ")}\n`;
  return out;
}

/** Write a key file atomically. */
export async function writeKeys(path: string, keys: WsdKeys): Promise<void> {
  await writeFileAtomic(path, formatKeys(keys));
}
