import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "./main.ts";

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  try {
    const code = await main(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

Deno.test("the CLI answers a data file with a baseline and writes a key file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const input = join(dir, "x.data.xml");
    await Deno.writeTextFile(
      input,
      `<corpus lang="en"><text id="d"><sentence id="d.s">` +
        `<instance id="d.s.t0" lemma="bank" pos="NOUN">bank</instance></sentence></text></corpus>`,
    );
    const out = join(dir, "x.key");
    const r = await run(["baseline", "--method", "first-sense", "--input", input, "--out", out]);
    assert.equal(r.code, 0, r.err);
    assert.equal(await Deno.readTextFile(out), "d.s.t0 bank%1:17:01::\n");
    assert.match(r.err, /1 of 1 instances answered with WordNet 3\.1/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the CLI disambiguates text as JSON", async () => {
  const r = await run(["disambiguate", "He sat on the bank of the river.", "--json"]);
  assert.equal(r.code, 0, r.err);
  const tokens = JSON.parse(r.out) as { text: string; senseKey: string | null }[];
  assert.equal(tokens.find((t) => t.text === "bank")?.senseKey, "bank%1:17:01::");
});

Deno.test("the CLI reports mistakes in one line with a non-zero status", async () => {
  const cases: [string[], number, RegExp][] = [
    [
      ["baseline", "--method", "nope", "--input", "a", "--out", "b"],
      2,
      /--method: unknown value "nope"/,
    ],
    [["baseline", "--method", "lesk", "--out", "b"], 2, /--input FILE\.data\.xml is required/],
    [["baseline", "--frob"], 2, /unknown option --frob/],
    [["frob"], 2, /unknown command "frob"/],
    [
      ["baseline", "--method", "lesk", "--input", "/no/such.xml", "--out", "b"],
      1,
      /cannot read \/no\/such\.xml: no such file/,
    ],
    [["disambiguate", "x", "--wordnet", "/no/such/dict"], 1, /\/no\/such\/dict does not exist/],
  ];
  for (const [args, code, message] of cases) {
    const r = await run(args);
    assert.equal(r.code, code, args.join(" "));
    assert.match(r.err, message);
    assert.equal(r.err.split("\n").length, 1, r.err);
    assert.ok(r.err.startsWith("error: "));
  }
  const help = await run(["--help"]);
  assert.equal(help.code, 0);
  for (const command of ["baseline", "disambiguate", "senses", "pretrain", "predict"]) {
    const listed = help.out.match(new RegExp(`^  ${command} `, "gm")) ?? [];
    assert.equal(listed.length, 1, `${command} listed once in\n${help.out}`);
  }
});
