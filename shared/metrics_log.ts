/**
 * The JSONL metrics log of a run: one JSON object per line, appended.
 *
 * @module
 */

/**
 * Append-only JSONL metrics. On resume, {@link MetricsLog.truncateAfter} drops lines written
 * after the checkpoint so a resumed run's log equals an uninterrupted one.
 */
export class MetricsLog {
  /** The file path. */
  readonly path: string;

  /** A log appending to `path`. */
  constructor(path: string) {
    this.path = path;
  }

  /** Append one record. */
  async log(record: Record<string, unknown>): Promise<void> {
    await Deno.writeTextFile(this.path, JSON.stringify(record) + "\n", { append: true });
  }

  /** Every record so far (empty when the file does not exist). */
  async read(): Promise<Record<string, unknown>[]> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return [];
      throw e;
    }
    return text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
  }

  /** Keep only records whose `step` is at most `step` (used when resuming). */
  async truncateAfter(step: number): Promise<void> {
    const kept = (await this.read()).filter((r) => typeof r.step !== "number" || r.step <= step);
    const { writeFileAtomic } = await import("./atomic.ts");
    await writeFileAtomic(this.path, kept.map((r) => JSON.stringify(r) + "\n").join(""));
  }
}
