import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ensureFixtures } from "./testing.ts";
import { REPO_ROOT } from "./mod.ts";

const dir = await ensureFixtures();
const PY = "/usr/bin/python3";
const REF = join(REPO_ROOT, "fixtures", "reference", "bert_reference.py");

async function hasNumpy(): Promise<boolean> {
  if (!existsSync(PY)) return false;
  const r = await new Deno.Command(PY, { args: ["-c", "import numpy"], stderr: "null" }).output();
  return r.success;
}

const numpy = await hasNumpy();
const inCI = Deno.env.get("CI") === "true";

async function run(cmd: string, args: string[], stdin?: string): Promise<string> {
  const p = new Deno.Command(cmd, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { COHESIVE_BACKEND: "cpu" },
  }).spawn();
  if (stdin !== undefined) {
    const w = p.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await p.output();
  const text = new TextDecoder().decode(out.stdout);
  assert.ok(
    out.success,
    `${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`,
  );
  return text;
}

for (const name of ["tiny-bert", "tiny-bert-hf"]) {
  Deno.test({
    name:
      `deno task mlm --json matches the independent numpy BERT on ${name} (max |Δlogit| < 1e-3)`,
    ignore: !numpy && !inCI,
    async fn() {
      assert.ok(
        numpy,
        "CI=true but /usr/bin/python3 with numpy is missing (apt-get install python3-numpy)",
      );
      const ours = JSON.parse(
        await run(Deno.execPath(), [
          "run",
          "-A",
          join(REPO_ROOT, "shared", "mlm_cli.ts"),
          "--model",
          join(dir, name),
          "--json",
          "--backend",
          "cpu",
          "the bank of the [MASK] , where water [MASK] .",
        ]),
      );
      assert.equal(ours.mask_positions.length, 2);
      const ref = JSON.parse(
        await run(
          PY,
          [REF, join(dir, name), "--only", "mlm_logits"],
          JSON.stringify({ input_ids: [ours.input_ids] }),
        ),
      );
      const a: number[][] = ours.mlm_logits, b: number[][] = ref.mlm_logits[0];
      assert.equal(a.length, b.length);
      let max = 0;
      for (let t = 0; t < a.length; t++) {
        for (let v = 0; v < a[t].length; v++) max = Math.max(max, Math.abs(a[t][v] - b[t][v]));
      }
      assert.ok(max < 1e-3, `max abs logit difference ${max}`);
    },
  });
}
