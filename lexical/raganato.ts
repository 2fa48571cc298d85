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
  const fail = (pos: number, msg: string): never => {
    throw new WsdFormatError(file, lineOf(xml, pos), msg);
  };
  const decode = (s: string, at: number): string => {
    if (s.indexOf("&") < 0) return s;
    return s.replace(/&([^;&\s]*);?/g, (whole, name: string) => {
      if (!whole.endsWith(";")) return fail(at, `unterminated entity ${JSON.stringify(whole)}`);
      if (name[0] === "#") {
        const code = name[1] === "x" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        if (
          !Number.isFinite(code) || code < 0 || code > 0x10ffff ||
          !/^#(x[0-9a-fA-F]+|\d+)$/.test(name)
        ) {
          return fail(at, `bad character reference &${name};`);
        }
        return String.fromCodePoint(code);
      }
      const v = ENTITIES[name];
      return v ?? fail(at, `unknown entity &${name};`);
    });
  };
  /** Attributes of a start tag; `id`, `lemma`, `pos` go to `known`, the rest to the result. */
  const known: { id?: string; lemma?: string; pos?: string } = {};
  const attributesOf = (raw: string, at: number): Record<string, string> | undefined => {
    known.id = known.lemma = known.pos = undefined;
    let extra: Record<string, string> | undefined;
    if (raw.length === 0) return extra;
    ATTRIBUTE.lastIndex = 0;
    for (let m = ATTRIBUTE.exec(raw); m; m = ATTRIBUTE.exec(raw)) {
      const name = m[1];
      const value = decode(m[2] ?? m[3], at);
      if (name === "id" || name === "lemma" || name === "pos") {
        if (known[name] !== undefined) fail(at, `duplicate attribute ${name}`);
        known[name] = value;
      } else {
        extra ??= {};
        if (name in extra) fail(at, `duplicate attribute ${name}`);
        extra[name] = value;
      }
    }
    return extra;
  };

  const ids = new Set<string>();
  const makeToken = (
    name: string,
    id: string | undefined,
    lemma: string | undefined,
    tag: string | undefined,
    extra: Record<string, string> | undefined,
    at: number,
    body: string,
  ): WsdToken => {
    let t: WsdToken;
    if (name === "instance") {
      if (id === undefined) fail(at, "<instance> without an id");
      if (!lemma || !tag) fail(at, `<instance id="${id}"> without a lemma or pos`);
      if (ids.has(id!)) fail(at, `duplicate instance id ${id}`);
      ids.add(id!);
      t = { kind: "instance", id, text: body, lemma: lemma!, pos: tag! };
    } else if (name === "wf") {
      t = { kind: "wf", text: body, lemma: lemma ?? "", pos: tag ?? "" };
      if (id !== undefined) t.attributes = { id, ...extra };
    } else return fail(at, `<${name}> inside <sentence>, expected <wf> or <instance>`);
    if (extra && !t.attributes) t.attributes = extra;
    return t;
  };

  let corpus: WsdCorpus | undefined;
  let text: WsdText | undefined;
  let sentence: WsdSentence | undefined;
  let token: WsdToken | undefined;
  let tokenText = "";
  const stack: { name: string; pos: number }[] = [];
  let pos = 0;
  let done = false;

  const onText = (s: string, at: number, raw: boolean) => {
    if (token) tokenText += raw ? s : decode(s, at);
    else if (/\S/.test(s)) {
      const where = stack.length ? `inside <${stack[stack.length - 1].name}>` : "outside <corpus>";
      fail(
        at + s.search(/\S/),
        `unexpected text ${JSON.stringify(s.trim().slice(0, 30))} ${where}`,
      );
    }
  };

  while (pos < xml.length) {
    const lt = xml.indexOf("<", pos);
    if (lt < 0) {
      onText(xml.slice(pos), pos, false);
      break;
    }
    if (lt > pos) {
      if (token) tokenText += decode(xml.slice(pos, lt), pos);
      else {
        for (let i = pos; i < lt; i++) {
          const c = xml.charCodeAt(i);
          if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
            onText(xml.slice(i, lt), i, false);
          }
        }
      }
    }
    pos = lt;
    const c1 = xml.charCodeAt(lt + 1);
    if (c1 === 0x3f) { // <? ... ?>
      const end = xml.indexOf("?>", lt + 2);
      if (end < 0) fail(lt, "unterminated processing instruction");
      pos = end + 2;
      continue;
    }
    if (c1 === 0x21) { // <!
      if (xml.startsWith("<!--", lt)) {
        const end = xml.indexOf("-->", lt + 4);
        if (end < 0) fail(lt, "unterminated comment");
        pos = end + 3;
      } else if (xml.startsWith("<![CDATA[", lt)) {
        const end = xml.indexOf("]]>", lt + 9);
        if (end < 0) fail(lt, "unterminated CDATA section");
        onText(xml.slice(lt + 9, end), lt, true);
        pos = end + 3;
      } else if (xml.startsWith("<!DOCTYPE", lt) && !corpus) {
        const end = xml.indexOf(">", lt);
        if (end < 0 || xml.slice(lt, end).includes("[")) {
          fail(lt, "DOCTYPE with an internal subset is not supported");
        }
        pos = end + 1;
      } else fail(lt, "malformed markup after '<!'");
      continue;
    }
    if (stack.length === 3 && (c1 === 0x77 || c1 === 0x69)) { // <wf or <instance in a sentence
      WORD.lastIndex = lt;
      const w = WORD.exec(xml);
      if (w && w[1] === w[4]) {
        const a = WORD_ATTRIBUTES.exec(w[2]);
        let extra: Record<string, string> | undefined;
        let id: string | undefined, lemma: string | undefined, tag: string | undefined;
        if (a) [, id, lemma, tag] = a;
        else {
          extra = attributesOf(w[2], lt);
          ({ id, lemma, pos: tag } = known);
        }
        const body = w[3].indexOf("&") < 0 ? w[3] : decode(w[3], lt);
        sentence!.tokens.push(makeToken(w[1], id, lemma, tag, extra, lt, body));
        pos = lt + w[0].length;
        continue;
      }
    }
    if (c1 === 0x2f) { // </name>
      END_TAG.lastIndex = lt;
      const m = END_TAG.exec(xml);
      if (!m) fail(lt, "malformed end tag");
      const name = m![1];
      const open = stack.pop();
      if (!open) fail(lt, `end tag </${name}> without a start tag`);
      if (open!.name !== name) {
        fail(
          lt,
          `end tag </${name}> does not match <${open!.name}> (line ${lineOf(xml, open!.pos)})`,
        );
      }
      if (token && stack.length === 3) {
        token.text = tokenText;
        token = undefined;
      } else if (stack.length === 2) sentence = undefined;
      else if (stack.length === 1) text = undefined;
      else if (stack.length === 0) done = true;
      pos = lt + m![0].length;
      continue;
    }
    START_TAG.lastIndex = lt;
    const m = START_TAG.exec(xml);
    if (!m) fail(lt, "malformed tag");
    const [whole, name, rawAttrs, selfClosing] = m!;
    if (done) fail(lt, `<${name}> after the end of <corpus>`);
    const extra = attributesOf(rawAttrs, lt);
    const { id, lemma, pos: tag } = known;
    const depth = stack.length;
    if (token) fail(lt, `<${name}> inside <${stack[depth - 1].name}>: words hold text only`);
    if (depth === 0) {
      if (name !== "corpus") fail(lt, `root element is <${name}>, expected <corpus>`);
      const attributes: Record<string, string> = {};
      if (id !== undefined) attributes.id = id;
      if (lemma !== undefined) attributes.lemma = lemma;
      if (tag !== undefined) attributes.pos = tag;
      corpus = { attributes: { ...attributes, ...extra }, texts: [] };
    } else if (depth === 1) {
      if (name !== "text") fail(lt, `<${name}> inside <corpus>, expected <text>`);
      if (id === undefined) fail(lt, "<text> without an id");
      text = { id: id!, sentences: [] };
      if (extra) text.attributes = extra;
      corpus!.texts.push(text);
    } else if (depth === 2) {
      if (name !== "sentence") fail(lt, `<${name}> inside <text>, expected <sentence>`);
      if (id === undefined) fail(lt, "<sentence> without an id");
      sentence = { id: id!, tokens: [] };
      if (extra) sentence.attributes = extra;
      text!.sentences.push(sentence);
    } else if (depth === 3) {
      token = makeToken(name, id, lemma, tag, extra, lt, "");
      sentence!.tokens.push(token);
      tokenText = "";
    } else fail(lt, `<${name}> nested too deep`);
    if (selfClosing) {
      if (token) token = undefined;
      else if (depth === 2) sentence = undefined;
      else if (depth === 1) text = undefined;
      else if (depth === 0) done = true;
    } else stack.push({ name, pos: lt });
    pos = lt + whole.length;
  }
  if (stack.length) {
    const open = stack[stack.length - 1];
    fail(xml.length, `unclosed <${open.name}> (opened on line ${lineOf(xml, open.pos)})`);
  }
  if (!corpus) fail(xml.length, "no <corpus> element");
  return corpus!;
}

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
