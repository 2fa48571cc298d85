// Every command line answers a usage mistake with one `error:` line and exit status 2, and a
// failure with one line and exit status 1, before it loads any model.
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));

async function cli(file: string, args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(root, file), ...args],
    env: { COHESIVE_BACKEND: "cpu" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("every CLI exits 2 with one clear line for a usage mistake, 1 for a missing file", async () => {
  const tmp = await Deno.makeTempDir();
  const cases: [string, string[], number, RegExp][] = [
    ["main.ts", ["--steps", "0"], 2, /--steps must be a whole number >= 1, got "0"/],
    ["main.ts", ["--steps", "-3"], 2, /--steps must be a whole number >= 1, got "-3"/],
    ["main.ts", ["--backend", "tpu"], 2, /--backend: unknown value "tpu" \(one of webgpu/],
    ["main.ts", ["--frob"], 2, /unknown option --frob/],
    ["eval/main.ts", ["wsd", "--methods", "foo"], 2, /--methods: unknown value "foo"/],
    ["eval/main.ts", ["score", "only-one"], 2, /missing arguments: GOLD SYSTEM/],
    ["shared/mlm_cli.ts", ["--model", "x", ""], 2, /no \[MASK\] in ""/],
    ["shared/mlm_cli.ts", ["--model", "/no/such", "a [MASK]"], 1, /cannot read \/no\/such: no/],
    ["distill/main.ts", ["teacher", "--out", "x", "--steps", "1.5"], 2, /--steps must be a whole/],
    ["distill/main.ts", ["train", "--out", "x", "--weighting", "w"], 2, /--weighting: unknown/],
    ["distill/main.ts", ["nope"], 2, /unknown command "nope" \(one of teacher, train/],
    ["lexical/main.ts", ["predict", "--model", "m"], 2, /--input X\.data\.xml is required/],
    ["eval/bench/main.ts", ["--modes", "fly"], 2, /--modes: unknown value "fly"/],
    [
      "distill/main.ts",
      ["compare", "--teachers", "/no/such", "--out", join(tmp, "new")],
      1,
      /no\/such/,
    ],
  ];
  const results = await Promise.all(cases.map(([file, args]) => cli(file, args)));
  cases.forEach(([file, args, code, message], i) => {
    const r = results[i];
    const what = `${file} ${args.join(" ")}: ${r.stderr}`;
    assert.equal(r.code, code, what);
    assert.match(r.stderr, message, what);
    assert.ok(r.stderr.startsWith("error: "), what);
    assert.ok(!/\n\s+at /.test(r.stderr), `stack trace in ${what}`);
  });
  // The failed run removed the --out folder it had created.
  assert.deepEqual([...Deno.readDirSync(tmp)], []);
  await Deno.remove(tmp, { recursive: true });
});
