/**
 * Helpers every command line shares: one clear error line and a non-zero exit for user mistakes,
 * never a stack trace (set `COHESIVE_DEBUG=1` to see one).
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

/**
 * Run a CLI entry point: errors become `error: <message>` on stderr and exit code 1 (2 for
 * {@link UsageError}).
 */
export async function runCli(main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (e) {
    const err = e as Error;
    const msg = (err?.message ?? String(e)).split("\n")[0];
    console.error(`error: ${msg}`);
    if (Deno.env.get("COHESIVE_DEBUG")) console.error(err?.stack);
    Deno.exit(e instanceof UsageError ? 2 : 1);
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
