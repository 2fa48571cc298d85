/**
 * The worker module of the plagiarism evidence pool: runs {@link lexicalEvidence} and
 * {@link documentContainment} off the event loop. Messages: `{id, task: "evidence" |
 * "containment", input}` → `{id, ok, result | error}`.
 *
 * @module
 */
import { documentContainment, lexicalEvidence } from "./evidence.ts";

const tasks: Record<string, (input: never) => unknown> = {
  evidence: lexicalEvidence,
  containment: (input: { text: string; documents: string[] }) =>
    documentContainment(input.text, input.documents),
};

// deno-lint-ignore no-explicit-any -- the worker global scope
const scope = self as any;
scope.onmessage = (e: MessageEvent) => {
  const { id, task, input } = e.data ?? {};
  try {
    const fn = tasks[task];
    if (!fn) throw new Error(`unknown task "${task}"`);
    scope.postMessage({ id, ok: true, result: fn(input as never) });
  } catch (err) {
    scope.postMessage({ id, ok: false, error: (err as Error).message });
  }
};
