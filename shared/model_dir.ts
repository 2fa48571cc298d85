/**
 * Which checkpoint a `--model` argument names: every command that takes a model folder also takes
 * a run folder.
 *
 * @module
 */
import { join } from "node:path";
import { latestCheckpoint } from "./trainer.ts";

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/**
 * The checkpoint folder `spec` names: a run's `best/` (the checkpoint selected on its dev set),
 * else the run's newest checkpoint (its `latest.json`), else `spec` itself when it holds a
 * `config.json`.
 *
 * @throws {Deno.errors.NotFound} when `spec` does not exist, or is neither a checkpoint nor a run
 *   folder.
 *
 * @example
 * ```ts ignore
 * import { resolveModelDir } from "@cohesive/shared";
 * await resolveModelDir("runs/start/teacher"); // "runs/start/teacher/checkpoint-150"
 * ```
 */
export async function resolveModelDir(spec: string): Promise<string> {
  try {
    await Deno.stat(spec);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`cannot read ${spec}: no such folder`);
    }
    throw e;
  }
  if (await isFile(join(spec, "best", "config.json"))) return join(spec, "best");
  const latest = await latestCheckpoint(spec);
  if (latest) return latest;
  if (await isFile(join(spec, "config.json"))) return spec;
  throw new Deno.errors.NotFound(
    `${spec}: not a model folder (no config.json) nor a run folder (no latest.json or best/)`,
  );
}
