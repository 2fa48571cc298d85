/**
 * The command-line layer every cohesive command shares: each flag declared once (type, range,
 * default, help), the help text generated from those declarations, subcommand dispatch, and one
 * error convention — a usage mistake prints one `error:` line and exits 2, any other failure
 * prints one line and exits 1, never a stack trace (set `COHESIVE_DEBUG=1` to see one).
 *
 * @example
 * ```ts
 * import { defineCommand, execute } from "@cohesive/shared";
 * const hello = defineCommand({
 *   summary: "greet someone",
 *   flags: {
 *     times: { type: "int", min: 1, default: 1, arg: "N", help: "how many greetings" },
 *     name: { type: "string", required: true, arg: "NAME", help: "who to greet" },
 *   },
 *   run: ({ times, name }) => console.log(`hello ${name}\n`.repeat(times).trimEnd()),
 * });
 * const code = await execute("hello", hello, ["--name", "you", "--times", "2"]);
 * console.log(code); // 0
 * ```
 *
 * @module
 */

/** An error in how a command was called (unknown flag, missing argument); exit code 2. */
export class UsageError extends TypeError {
  /** A usage mistake described by `message`. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A flag that is present or absent. */
export interface BooleanFlag {
  /** Flag kind. */
  type: "boolean";
  /** One-line (or few-line) description for the help text. */
  help: string;
}

/** A flag with a text value. */
export interface StringFlag {
  /** Flag kind. */
  type: "string";
  /** Description for the help text. */
  help: string;
  /** The value's placeholder in the help text (default `X`). */
  arg?: string;
  /** Value when the flag is absent. */
  default?: string;
  /** The default as the help text shows it, when it is resolved elsewhere (a run config). */
  defaultText?: string;
  /** The only values accepted (each item of a list). */
  choices?: readonly string[];
  /** A comma-separated list: the value is an array of its non-empty items. */
  list?: boolean;
  /** Repeatable: the value is an array of every occurrence. */
  multiple?: boolean;
  /** Absent is a usage error. */
  required?: boolean;
}

/** A flag with a numeric value, checked against a range. */
export interface NumberFlag {
  /** `int`: whole numbers only. */
  type: "int" | "number";
  /** Description for the help text. */
  help: string;
  /** The value's placeholder in the help text (default `N` or `X`). */
  arg?: string;
  /** Value when the flag is absent. */
  default?: number;
  /** The default as the help text shows it, when it is resolved elsewhere (a run config). */
  defaultText?: string;
  /** Smallest accepted value (inclusive). */
  min?: number;
  /** Largest accepted value (inclusive). */
  max?: number;
  /** Values must be strictly greater than this. */
  above?: number;
  /** Absent is a usage error. */
  required?: boolean;
}

/** One flag's declaration. */
export type Flag = BooleanFlag | StringFlag | NumberFlag;

/** Flag declarations by name (without the leading `--`). */
export type Flags = Record<string, Flag>;

/** The parsed value of one flag. */
export type FlagValue<F> = F extends BooleanFlag ? boolean
  : F extends NumberFlag ? (F extends { default: number } | { required: true } ? number
      : number | undefined)
  : F extends { multiple: true } ? string[]
  : F extends { list: true } ? (F extends { default: string } | { required: true } ? string[]
      : string[] | undefined)
  : F extends { default: string } | { required: true } ? string
  : string | undefined;

/** Parsed values of a set of flags. */
export type FlagValues<F extends Flags> = { -readonly [K in keyof F]: FlagValue<F[K]> };

/** A (sub)command: its flags, positional arguments, and what it does. */
export interface Command<F extends Flags = Flags> {
  /** One line for the command list and the top of its help. */
  summary: string;
  /** More help text, printed after the flags. */
  notes?: string;
  /** Synopsis of the positional arguments, e.g. `GOLD SYSTEM` or `"text with [MASK]" ...`. */
  args?: string;
  /** How many positional arguments are accepted (default none). */
  positionals?: { min?: number; max?: number };
  /** Flag declarations (`--help` is added to every command). */
  flags: F;
  /** The work. Throw {@link UsageError} for a usage mistake, anything else for a failure. */
  run(values: FlagValues<F>, positionals: string[]): Promise<void> | void;
}

/** A command with subcommands, e.g. `deno task distill teacher|train|cache|compare`. */
export interface Program {
  /** One line for the top of the help. */
  summary: string;
  /** The subcommands, in the order the help lists them. */
  commands: Record<string, Command<Flags>>;
  /** More help text after the command list. */
  notes?: string;
}

/** Declare a command (keeps the flag types for `run`). */
export function defineCommand<const F extends Flags>(command: Command<F>): Command<F> {
  return command;
}

/** The `--backend` flag every command that runs a model takes. */
export const BACKEND_FLAG = {
  type: "string",
  arg: "B",
  choices: ["webgpu", "wasm", "cpu", "auto"],
  help: "tfjs backend; without it COHESIVE_BACKEND, else the fastest that passes a\nself-check",
} as const satisfies StringFlag;

function placeholder(f: Flag): string {
  if (f.type === "boolean") return "";
  return f.arg ?? (f.type === "string" ? "X" : f.type === "int" ? "N" : "X");
}

function rangeText(f: NumberFlag): string {
  const lo = f.above !== undefined ? `> ${f.above}` : f.min !== undefined ? `>= ${f.min}` : "";
  const hi = f.max !== undefined ? `<= ${f.max}` : "";
  const kind = f.type === "int" ? "a whole number" : "a number";
  return [kind, [lo, hi].filter(Boolean).join(" and ")].filter(Boolean).join(" ");
}

function parseValue(name: string, f: StringFlag | NumberFlag, raw: string): string | number {
  if (f.type === "string") {
    if (f.choices && !f.list && !f.choices.includes(raw)) {
      throw new UsageError(`--${name}: unknown value "${raw}" (one of ${f.choices.join(", ")})`);
    }
    return raw;
  }
  const n = raw.trim() === "" ? NaN : Number(raw);
  const ok = Number.isFinite(n) && (f.type === "number" || Number.isInteger(n)) &&
    (f.min === undefined || n >= f.min) && (f.max === undefined || n <= f.max) &&
    (f.above === undefined || n > f.above);
  if (!ok) throw new UsageError(`--${name} must be ${rangeText(f)}, got "${raw}"`);
  return n;
}

/**
 * Parse `args` against `flags`: `--name value`, `--name=value` (a value may start with `-`, so
 * `--steps -3` is a range error, not a parse error), `--` ends the flags, `-h` is `--help`.
 *
 * @throws {UsageError} for an unknown flag, a missing or malformed value, a value out of range or
 *   not among the choices, a missing required flag, or a wrong number of positional arguments.
 */
export function parseFlags<F extends Flags>(
  flags: F,
  args: readonly string[],
  positionals: { min?: number; max?: number; synopsis?: string } = {},
): { values: FlagValues<F> & { help: boolean }; positionals: string[] } {
  const raw: Record<string, string[]> = {};
  const bools: Record<string, boolean> = {};
  const pos: string[] = [];
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      pos.push(...args.slice(i + 1));
      break;
    }
    if (a === "-h" || a === "--help") {
      help = true;
      continue;
    }
    if (!a.startsWith("-") || a === "-" || /^-\d/.test(a)) {
      pos.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.startsWith("--") ? a.slice(2, eq > 0 ? eq : undefined) : "";
    const f = flags[name];
    if (!f) throw new UsageError(`unknown option ${eq > 0 ? a.slice(0, eq) : a} (see --help)`);
    if (f.type === "boolean") {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      bools[name] = true;
      continue;
    }
    let v: string;
    if (eq > 0) v = a.slice(eq + 1);
    else if (i + 1 < args.length) v = args[++i];
    else throw new UsageError(`--${name} needs a value (${placeholder(f)})`);
    (raw[name] ??= []).push(v);
  }
  const values: Record<string, unknown> = { help };
  if (help) return { values: values as FlagValues<F> & { help: boolean }, positionals: pos };
  for (const [name, f] of Object.entries(flags)) {
    if (f.type === "boolean") {
      values[name] = bools[name] ?? false;
      continue;
    }
    const given = raw[name];
    if (!given) {
      if (f.required) throw new UsageError(`--${name} ${placeholder(f)} is required (see --help)`);
      const d = f.default;
      if (f.type === "string" && f.multiple) values[name] = d === undefined ? [] : [d];
      else if (f.type === "string" && f.list) {
        values[name] = f.default === undefined ? undefined : listOf(name, f, f.default);
      } else values[name] = d;
      continue;
    }
    if (f.type === "string" && f.multiple) values[name] = given.map((v) => parseValue(name, f, v));
    else if (f.type === "string" && f.list) values[name] = listOf(name, f, given.at(-1)!);
    else values[name] = parseValue(name, f, given.at(-1)!);
  }
  const { min = 0, max = 0 } = positionals;
  if (pos.length > max) {
    throw new UsageError(
      max === 0 ? `unexpected argument "${pos[0]}"` : `too many arguments: "${pos[max]}"`,
    );
  }
  if (pos.length < min) {
    throw new UsageError(
      `missing argument${min > 1 ? "s" : ""}${
        positionals.synopsis ? `: ${positionals.synopsis}` : ""
      } ` +
        "(see --help)",
    );
  }
  return { values: values as FlagValues<F> & { help: boolean }, positionals: pos };
}

function listOf(name: string, f: StringFlag, v: string): string[] {
  const items = v.split(",").map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError(`--${name} needs at least one item`);
  for (const it of items) {
    if (f.choices && !f.choices.includes(it)) {
      throw new UsageError(`--${name}: unknown value "${it}" (one of ${f.choices.join(", ")})`);
    }
  }
  return items;
}

function indent(text: string, by: number): string {
  return text.split("\n").map((l, i) => (i === 0 || !l ? l : " ".repeat(by) + l)).join("\n");
}

/** The help text of one command, generated from its declarations. */
export function commandHelp(name: string, command: Command<Flags>): string {
  const rows = Object.entries(command.flags).map(([flag, f]) => {
    const left = `--${flag}${f.type === "boolean" ? "" : " " + placeholder(f)}`;
    const extra: string[] = [];
    if (f.type === "string" && f.choices) {
      extra.push(`${f.list ? "any of" : "one of"} ${f.choices.join(", ")}`);
    }
    if (f.type !== "boolean") {
      const d = f.defaultText ?? (f.default !== undefined ? String(f.default) : undefined);
      if (d !== undefined) extra.push(`default ${d}`);
      if (f.required) extra.push("required");
      if (f.type === "string" && f.multiple) extra.push("repeatable");
    }
    return [left, f.help, extra.length ? `(${extra.join("; ")})` : ""];
  });
  rows.push(["-h, --help", "this text", ""]);
  const w = Math.min(26, Math.max(...rows.map(([l]) => l.length)) + 2);
  const lines = rows.map(([l, help, extra]) => {
    const last = help.split("\n").at(-1)!;
    const r = !extra
      ? help
      : w + 2 + last.length + 1 + extra.length <= 100
      ? `${help} ${extra}`
      : `${help}\n${extra}`;
    return l.length + 2 > w
      ? `  ${l}\n${" ".repeat(w + 2)}${indent(r, w + 2)}`
      : `  ${l.padEnd(w)}${indent(r, w + 2)}`;
  });
  return [
    `usage: ${name}${Object.keys(command.flags).length ? " [options]" : ""}${
      command.args ? " " + command.args : ""
    }`,
    "",
    command.summary,
    "",
    "options:",
    ...lines,
    ...(command.notes ? ["", command.notes.trimEnd()] : []),
  ].join("\n") + "\n";
}

/** The help text of a program: its subcommands with their summaries. */
export function programHelp(name: string, program: Program): string {
  const names = Object.keys(program.commands);
  const w = Math.max(...names.map((n) => n.length)) + 2;
  return [
    `usage: ${name} <command> [options]`,
    "",
    program.summary,
    "",
    "commands:",
    ...names.map((n) => `  ${n.padEnd(w)}${indent(program.commands[n].summary, w + 2)}`),
    `  ${"help".padEnd(w)}this text; \`${name} <command> --help\` shows a command's options`,
    ...(program.notes ? ["", program.notes.trimEnd()] : []),
  ].join("\n") + "\n";
}

const OS_VERBS: Record<string, string> = {
  readfile: "read",
  open: "open",
  stat: "read",
  lstat: "read",
  readdir: "read",
  realpath: "read",
  writefile: "write",
  mkdir: "create",
  rename: "move",
  remove: "remove",
  copy: "copy",
};

/**
 * One line for an error: a raw OS message (`No such file or directory (os error 2): readfile
 * 'x'`) becomes `cannot read x: no such file`; anything else keeps its first line.
 */
export function errorLine(e: unknown): string {
  const msg = ((e as Error)?.message ?? String(e)).split("\n")[0];
  return msg.replace(
    /([A-Z][^(:]*?) \(os error \d+\): (\w+) '([^']*)'(?: -> '([^']*)')?/,
    (_all, what: string, op: string, path: string) => {
      const why = /no such file/i.test(what) ? "no such file" : what.toLowerCase();
      return `cannot ${OS_VERBS[op.toLowerCase()] ?? op} ${path}: ${why}`;
    },
  );
}

/** The exit status for an error: 2 for a usage mistake, 1 for anything else. */
export function exitCode(e: unknown): number {
  return e instanceof UsageError ? 2 : 1;
}

async function hasFiles(dir: string): Promise<boolean> {
  for await (const e of Deno.readDir(dir)) {
    if (!e.isDirectory || await hasFiles(`${dir}/${e.name}`)) return true;
  }
  return false;
}

/** Remove `dir` when it holds no file at any depth (what a failed run leaves behind). */
async function removeIfEmpty(dir: string): Promise<void> {
  try {
    if (!(await hasFiles(dir))) await Deno.remove(dir, { recursive: true });
  } catch {
    // absent, or not ours to judge: leave it
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Parse `args` for `command` and run it; returns the exit status (0, 1, or 2 for a usage
 * mistake) after printing any error as one `error:` line on stderr. A failed run that created
 * its `--out` folder and wrote nothing into it removes the folder again.
 */
export async function execute(
  name: string,
  command: Command<Flags>,
  args: readonly string[],
): Promise<number> {
  let out: string | undefined, outExisted = true;
  try {
    const { values, positionals } = parseFlags(command.flags, args, {
      ...command.positionals,
      synopsis: command.args,
    });
    if (values.help) {
      console.log(commandHelp(name, command));
      return 0;
    }
    if (typeof values.out === "string") {
      out = values.out;
      outExisted = await exists(out);
    }
    await command.run(values, positionals);
    return 0;
  } catch (e) {
    console.error(`error: ${errorLine(e)}`);
    if (Deno.env.get("COHESIVE_DEBUG")) console.error((e as Error)?.stack);
    if (out !== undefined && !outExisted) await removeIfEmpty(out);
    return exitCode(e);
  }
}

/**
 * Dispatch `args` to a subcommand of `program`; returns the exit status. `help`, `--help` and
 * `-h` print the command list (exit 0); no command prints it to stderr (exit 2); `help CMD` and
 * `CMD --help` print a command's options.
 */
export async function executeProgram(
  name: string,
  program: Program,
  args: readonly string[],
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined) {
    console.error(programHelp(name, program));
    return 2;
  }
  if (sub === "help" || sub === "--help" || sub === "-h") {
    const cmd = rest[0] !== undefined ? program.commands[rest[0]] : undefined;
    console.log(cmd ? commandHelp(`${name} ${rest[0]}`, cmd) : programHelp(name, program));
    return 0;
  }
  const cmd = Object.hasOwn(program.commands, sub) ? program.commands[sub] : undefined;
  if (!cmd) {
    console.error(
      `error: unknown command "${sub}" (one of ${Object.keys(program.commands).join(", ")})`,
    );
    return 2;
  }
  return await execute(`${name} ${sub}`, cmd, rest);
}

/**
 * The entry point of a CLI file: run a command or program on `Deno.args` and exit with its
 * status when it is not 0 (on success the process ends by itself, after pending output).
 */
export async function runMain(name: string, target: Command<Flags> | Program): Promise<void> {
  const code = "commands" in target
    ? await executeProgram(name, target, Deno.args)
    : await execute(name, target, Deno.args);
  if (code !== 0) Deno.exit(code);
}

/**
 * Run a CLI entry point: errors become `error: <message>` on stderr and exit code 1 (2 for
 * {@link UsageError}).
 */
export async function runCli(main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (e) {
    console.error(`error: ${errorLine(e)}`);
    if (Deno.env.get("COHESIVE_DEBUG")) console.error((e as Error)?.stack);
    Deno.exit(exitCode(e));
  }
}

/** Wrap `node:util` parseArgs errors (unknown flags, missing values) into {@link UsageError}. */
export function usage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
