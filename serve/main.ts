/**
 * `deno task serve [--model DIR] [--port N]`: start the server. It listens at once (so
 * `/healthz` answers), loads WordNet and the models, then turns ready (`/readyz`). SIGINT or
 * SIGTERM drains it: `/readyz` turns 503 at once, it keeps accepting for `--grace` seconds,
 * in-flight requests finish (those still running at `--drain-timeout` get 503), then it exits 0;
 * a second signal exits at once (130).
 *
 * @module
 */
import { defineCommand, resolveModelDir, runMain } from "@cohesive/shared";
import { createApp, ServeState } from "./app.ts";
import { loadEngines } from "./engines.ts";
import { startServer } from "./server.ts";

const ms = (s: number) => Math.round(s * 1000);

/** `deno task serve`. */
export const SERVE_COMMAND = defineCommand({
  summary: "Serve WSD, similarity and plagiarism over HTTP (see /openapi.json, demo page at /).",
  flags: {
    model: {
      type: "string",
      arg: "[NAME=]DIR",
      multiple: true,
      help: "a checkpoint folder, or a run folder (its best/ or newest checkpoint);\n" +
        "repeatable, the first is the default similarity model. Without it the server\n" +
        "answers with knowledge-based models only",
    },
    port: { type: "int", min: 0, max: 65535, default: 8000, help: "port (0 picks a free one)" },
    host: {
      type: "string",
      arg: "ADDR",
      default: "127.0.0.1",
      help: "interface to bind (0.0.0.0 to expose it)",
    },
    wordnet: { type: "string", arg: "V", defaultText: "3.1", help: "3.1, 3.0, or a dict folder" },
    backend: {
      type: "string",
      arg: "B",
      choices: ["webgpu", "wasm", "cpu", "auto"],
      defaultText: "auto",
      help: "tfjs backend for models",
    },
    mfs: { type: "boolean", help: "also serve the MFS baseline (the data folder's SemCor keys)" },
    grace: {
      type: "number",
      min: 0,
      arg: "S",
      default: 5,
      help: "on SIGTERM/SIGINT, keep accepting for S seconds while /readyz is 503",
    },
    "drain-timeout": {
      type: "number",
      min: 0,
      arg: "S",
      default: 30,
      help: "answer 503 to what has not finished S seconds after the signal, and exit",
    },
    "header-timeout": {
      type: "number",
      min: 0,
      arg: "S",
      default: 10,
      help: "close a connection whose request headers take longer",
    },
    "body-timeout": {
      type: "number",
      min: 0,
      arg: "S",
      default: 30,
      help: "answer 408 to a request body that takes longer",
    },
    "idle-timeout": {
      type: "number",
      min: 0,
      arg: "S",
      default: 30,
      help: "close a keep-alive connection idle this long",
    },
    cors: {
      type: "string",
      arg: "ORIGINS",
      help: "allow these browser origins (comma-separated, or *; default none)",
    },
  },
  run: (v) => serve(v),
});

async function serve(values: {
  model: string[];
  port: number;
  host: string;
  wordnet: string | undefined;
  backend: string | undefined;
  mfs: boolean;
  grace: number;
  "drain-timeout": number;
  "header-timeout": number;
  "body-timeout": number;
  "idle-timeout": number;
  cors: string | undefined;
}): Promise<void> {
  // Every model folder is checked before the server listens or loads anything.
  for (const spec of values.model) {
    const m = /^([\w.:/-]+)=(.+)$/.exec(spec);
    await resolveModelDir(m ? m[2] : spec);
  }
  const port = values.port;
  const drainGraceMs = ms(values.grace);
  const shutdownTimeoutMs = ms(values["drain-timeout"]);
  const headerTimeoutMs = Math.max(1, ms(values["header-timeout"]));
  const idleTimeoutMs = Math.max(1, ms(values["idle-timeout"]));
  const bodyTimeoutMs = Math.max(1, ms(values["body-timeout"]));
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
}

if (import.meta.main) await runMain("deno task serve", SERVE_COMMAND);
