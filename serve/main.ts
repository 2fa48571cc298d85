/**
 * `deno task serve [--model DIR] [--port N]`: start the server. It listens at once (so
 * `/healthz` answers), loads WordNet and the models, then turns ready (`/readyz`). SIGINT or
 * SIGTERM drains it: `/readyz` turns 503 at once, it keeps accepting for `--grace` seconds,
 * in-flight requests finish (those still running at `--drain-timeout` get 503), then it exits 0;
 * a second signal exits at once (130).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { runCli, usage, UsageError } from "@cohesive/shared";
import { createApp, ServeState } from "./app.ts";
import { loadEngines } from "./engines.ts";
import { startServer } from "./server.ts";

const HELP = `deno task serve [options]

Serve WSD, similarity and plagiarism over HTTP (see /openapi.json, demo page at /).

  --model [NAME=]DIR  a checkpoint folder, or a run folder (its latest.json's checkpoint);
                      repeatable, the first is the default similarity model. Without it the
                      server answers with knowledge-based models only.
  --port N            port (default 8000; 0 picks a free one)
  --host ADDR         interface to bind (default 127.0.0.1; 0.0.0.0 to expose it)
  --wordnet V         WordNet: 3.1 (default), 3.0, or a dict folder
  --backend B         tfjs backend for models: cpu, wasm, webgpu, auto (default auto)
  --mfs               also serve the MFS baseline (needs the data folder's SemCor keys)
  --grace S           on SIGTERM/SIGINT, keep accepting for S seconds while /readyz is 503
                      (default 5)
  --drain-timeout S   answer 503 to what has not finished S seconds after the signal, and
                      exit (default 30)
  --header-timeout S  close a connection whose request headers take longer (default 10)
  --body-timeout S    answer 408 to a request body that takes longer (default 30)
  --idle-timeout S    close a keep-alive connection idle this long (default 30)
  --cors ORIGINS      allow these browser origins (comma-separated, or *; default none)
  -h, --help          this text`;

function seconds(flag: string, value: string): number {
  const s = Number(value);
  if (!Number.isFinite(s) || s < 0 || value.trim() === "") {
    throw new UsageError(`--${flag} must be a number of seconds (0 or more), got "${value}"`);
  }
  return Math.round(s * 1000);
}

if (import.meta.main) {
  await runCli(async () => {
    const { values } = usage(() =>
      parseArgs({
        args: Deno.args,
        options: {
          model: { type: "string", multiple: true },
          port: { type: "string", default: "8000" },
          host: { type: "string", default: "127.0.0.1" },
          wordnet: { type: "string" },
          backend: { type: "string" },
          mfs: { type: "boolean", default: false },
          grace: { type: "string", default: "5" },
          "drain-timeout": { type: "string", default: "30" },
          "header-timeout": { type: "string", default: "10" },
          "body-timeout": { type: "string", default: "30" },
          "idle-timeout": { type: "string", default: "30" },
          cors: { type: "string" },
          help: { type: "boolean", short: "h", default: false },
        },
        strict: true,
        allowPositionals: false,
      })
    );
    if (values.help) {
      console.log(HELP);
      return;
    }
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError(`--port must be an integer from 0 to 65535, got "${values.port}"`);
    }
    const drainGraceMs = seconds("grace", values.grace);
    const shutdownTimeoutMs = seconds("drain-timeout", values["drain-timeout"]);
    const headerTimeoutMs = Math.max(1, seconds("header-timeout", values["header-timeout"]));
    const idleTimeoutMs = Math.max(1, seconds("idle-timeout", values["idle-timeout"]));
    const bodyTimeoutMs = Math.max(1, seconds("body-timeout", values["body-timeout"]));
    const cors = values.cors?.split(",").map((o) => o.trim()).filter(Boolean);
    const state = new ServeState({ limits: { bodyTimeoutMs } });
    const app = createApp({ state, cors });
    const server = startServer(app, state, {
      hostname: values.host,
      port,
      drainGraceMs,
      shutdownTimeoutMs,
      headerTimeoutMs,
      idleTimeoutMs,
    });
    console.log(`listening on ${server.url}/ (loading models)`);

    let signals = 0;
    const stop = (name: string) => {
      if (++signals > 1) Deno.exit(130);
      console.log(`${name}: finishing in-flight requests`);
      server.shutdown().then(() => {
        const d = server.drain!;
        console.log(
          `drained in ${d.ms} ms: ${d.inFlightAtStart} in flight at the signal, ` +
            `${d.receivedWhileDraining} received while draining, ${d.completed} answered, ` +
            `${d.cut} answered 503 at the deadline`,
        );
        console.log(d.graceful ? "stopped" : "stopped (in-flight requests cut at the timeout)");
        Deno.exit(0);
      });
    };
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      try {
        Deno.addSignalListener(sig, () => stop(sig));
      } catch {
        // SIGTERM cannot be listened to on Windows
      }
    }

    try {
      const engines = await loadEngines({
        wordnet: values.wordnet,
        models: values.model,
        backend: values.backend,
        mfs: values.mfs,
        log: (line) => console.log(line),
      });
      state.setEngines(engines);
    } catch (e) {
      state.setLoadError((e as Error).message);
      await server.shutdown();
      throw e;
    }
    const names = state.engines!;
    console.log(
      `ready: wsd ${names.wsd.map((e) => e.name).join(", ")}; ` +
        `similarity ${names.similarity.map((e) => e.name).join(", ")}`,
    );
    await server.finished;
  });
}
