// Every command line answers a usage mistake with one `error:` line and exit status 2, and a
// failure with one line and exit status 1, before it loads any model.
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Command, execute, executeProgram, type Program } from "@cohesive/shared";
import { START_COMMAND } from "./main.ts";
import { MLM_COMMAND } from "./shared/mlm_cli.ts";
import { DISTILL_PROGRAM } from "./distill/main.ts";
import { LEXICAL_PROGRAM } from "./lexical/main.ts";
import { EVAL_PROGRAM } from "./eval/main.ts";
import { BENCH_COMMAND } from "./eval/bench/main.ts";

/** Run a command or program in this process; its exit status and what it printed on stderr. */
async function run(target: Command | Program, args: string[]) {
  const err: string[] = [];
  const [error, log] = [console.error, console.log];
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  console.log = () => {};
  try {
    const code = "commands" in target
      ? await executeProgram("x", target, args)
      : await execute("x", target as Command, args);
    // The backend choice is a notice, not part of the error.
    return { code, stderr: err.filter((l) => !l.startsWith("runtime:")).join("\n") };
  } finally {
    [console.error, console.log] = [error, log];
  }
}

Deno.test("every CLI exits 2 with one clear line for a usage mistake, 1 for a missing file", async () => {
  const tmp = await Deno.makeTempDir();
  const cases: [Command | Program, string[], number, RegExp][] = [
    [START_COMMAND, ["--steps", "0"], 2, /^error: --steps must be a whole number >= 1, got "0"$/],
    [START_COMMAND, ["--steps", "-3"], 2, /^error: --steps must be a whole number >= 1, got "-3"$/],
    [START_COMMAND, ["--backend", "tpu"], 2, /^error: --backend: unknown value "tpu" \(one of/],
    [START_COMMAND, ["--frob"], 2, /^error: unknown option --frob/],
    [START_COMMAND, ["--steps"], 2, /^error: --steps needs a value/],
    [EVAL_PROGRAM, ["wsd", "--methods", "foo"], 2, /^error: --methods: unknown value "foo"/],
    [EVAL_PROGRAM, ["score", "only-one"], 2, /^error: missing arguments: GOLD SYSTEM/],
    [EVAL_PROGRAM, ["nlu", "--task", "sst2"], 2, /^error: nlu needs --model DIR/],
    [MLM_COMMAND, ["--model", "x", ""], 2, /^error: no \[MASK\] in ""/],
    [MLM_COMMAND, ["--model", "x"], 2, /^error: missing argument/],
    [MLM_COMMAND, ["--model", "/no/such", "a [MASK]"], 1, /^error: cannot read \/no\/such: no/],
    [DISTILL_PROGRAM, ["teacher", "--out", "x", "--steps", "1.5"], 2, /--steps must be a whole/],
    [DISTILL_PROGRAM, ["train", "--out", "x", "--weighting", "w"], 2, /--weighting: unknown/],
    [DISTILL_PROGRAM, ["teacher", "--out", "x", "--config", "/no/c.json"], 2, /cannot read/],
    [DISTILL_PROGRAM, ["nope"], 2, /^error: unknown command "nope" \(one of teacher, train/],
    [LEXICAL_PROGRAM, ["predict", "--model", "m"], 2, /^error: --input X\.data\.xml is required/],
    [LEXICAL_PROGRAM, ["senses", "--model", "m", "--out", "o", "--max-length", "x"], 2, /length/],
    [BENCH_COMMAND, ["--modes", "fly"], 2, /^error: --modes: unknown value "fly"/],
    [
      DISTILL_PROGRAM,
      ["compare", "--teachers", "/no/such", "--out", join(tmp, "new"), "--backend", "cpu"],
      1,
      /^error: .*\/no\/such/,
    ],
  ];
  for (const [target, args, code, message] of cases) {
    const r = await run(target, args);
    const what = `${args.join(" ")}: ${r.stderr}`;
    assert.equal(r.code, code, what);
    assert.match(r.stderr, message, what);
    assert.equal(r.stderr.split("\n").length, 1, what);
  }
  // The failed run removed the --out folder it had created.
  assert.deepEqual([...Deno.readDirSync(tmp)], []);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("a CLI process exits with the status of its mistake", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      fileURLToPath(new URL("./shared/mlm_cli.ts", import.meta.url)),
      "--model",
      "x",
      "--top",
      "0",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /error: --top must be a whole number >= 1/);
});

Deno.test("raw OS errors become one line naming the file", async () => {
  const { errorLine } = await import("@cohesive/shared");
  const e = await Deno.readTextFile("/no/such/file.txt").catch((e) => e);
  assert.equal(errorLine(e), "cannot read /no/such/file.txt: no such file");
  const d = await Deno.readDir("/no/such/dir")[Symbol.asyncIterator]().next().catch((e) => e);
  assert.equal(errorLine(d), "cannot read /no/such/dir: no such file");
});
