/**
 * A tiny data folder in the released formats (GLUE-style `nlu/`, PAN, STS-2016, `corpus/`), built
 * in a temporary folder for eval's tests. The texts are made of simple words; labels follow a
 * rule the models can pick up (sentences with "water" are positive, with "money" negative; pairs
 * sharing most words are paraphrases).
 *
 * @module
 */
import { join } from "node:path";
import { Rng } from "@cohesive/shared";

const WORDS = (
  "the river bank people time way words first long little house city court " +
  "committee measure law state year week market report news school family music road night"
).split(" ");

function sentence(rng: Rng, n = 6): string {
  return Array.from({ length: n }, () => WORDS[rng.int(WORDS.length)]).join(" ");
}

async function write(path: string, text: string): Promise<void> {
  await Deno.mkdir(join(path, ".."), { recursive: true });
  await Deno.writeTextFile(path, text);
}

/** Build the folder; returns its path (the caller removes it). */
export async function tinyDataDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "cohesive-eval-" });
  const rng = new Rng(5);
  const single = (n: number) =>
    Array.from({ length: n }, (_, i) => {
      const good = i % 2;
      return { s: `${sentence(rng, 4)} ${good ? "water" : "money"} ${sentence(rng, 3)}`, y: good };
    });
  const pairs = (n: number) =>
    Array.from({ length: n }, (_, i) => {
      const a = sentence(rng, 7);
      const y = i % 2;
      return { a, b: y ? a.split(" ").slice(1).join(" ") + " today" : sentence(rng, 7), y };
    });
  const nlu = join(dir, "nlu");
  const sst = (n: number) =>
    "sentence\tlabel\n" + single(n).map((x) => `${x.s} \t${x.y}`).join("\n") + "\n";
  await write(join(nlu, "SST-2", "train.tsv"), sst(24));
  await write(join(nlu, "SST-2", "dev.tsv"), sst(8));
  const cola = (n: number) => single(n).map((x) => `src\t${x.y}\t\t${x.s}`).join("\n") + "\n";
  await write(join(nlu, "CoLA", "train.tsv"), cola(24));
  await write(join(nlu, "CoLA", "dev.tsv"), cola(8));
  const rte = (n: number) =>
    "sentence1\tsentence2\tlabel\tidx\n" +
    pairs(n).map((p, i) => `${p.a}\t${p.b}\t${p.y}\t${i}`).join("\n") + "\n";
  await write(join(nlu, "RTE", "train.tsv"), rte(24));
  await write(join(nlu, "RTE", "dev.tsv"), rte(8));
  const mrpc = (n: number) =>
    "\uFEFFQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n" +
    pairs(n).map((p, i) => `${p.y}\t${i}\t${i + 1000}\t${p.a}\t${p.b}`).join("\n") + "\n";
  await write(join(nlu, "MRPC", "msr_paraphrase_train.txt"), mrpc(40));
  await write(join(nlu, "MRPC", "msr_paraphrase_test.txt"), mrpc(12));
  const sts = (n: number) =>
    pairs(n).map((p, i) => `${p.a},"${p.b}, indeed",${p.y ? 4 + (i % 3) / 3 : (i % 4) / 2}`).join(
      "\n",
    ) +
    "\n";
  await write(join(nlu, "STS-B", "train.csv"), sts(24));
  await write(join(nlu, "STS-B", "dev.csv"), sts(8));
  await write(join(nlu, "STS-B", "test.csv"), sts(8));
  await write(
    join(nlu, "QQP", "sample.tsv"),
    "1\t2\t3\tbroken line without a label\n" +
      pairs(30).map((p, i) => `${i}\t${2 * i}\t${2 * i + 1}\t${p.a}?\t${p.b}?\t${p.y}`).join("\n") +
      "\n",
  );
  const pan = join(dir, "paraphrase", "pan");
  for (const [name, n] of [["pan-train", 30], ["pan-test", 10]] as const) {
    const ps = pairs(n);
    await write(join(pan, `${name}_s1.txt`), ps.map((p) => p.a).join("\n") + "\n");
    await write(join(pan, `${name}_s2.txt`), ps.map((p) => p.b).join("\n") + "\n");
    await write(join(pan, `${name}.labels`), ps.map((p) => p.y).join("\n") + "\n");
  }
  await write(
    join(dir, "paraphrase", "sts2016", "plagiarism.test.tsv"),
    pairs(12).map((p, i) => `${i % 5 === 4 ? "" : p.y ? 4 : 1}\t${p.a}\t${p.b}`).join("\n") + "\n",
  );
  const corpus = join(dir, "corpus");
  const text = "The committee approved the measure after a long hearing in the house . " +
    "People watched the river and the bank , and the city court reported the news .";
  for (const f of ["a.txt", "b.txt", "c.txt", "d.txt"]) {
    await write(join(corpus, f), Array.from({ length: 12 }, () => text).join("\n") + "\n");
  }
  return dir;
}
