/**
 * Serving the app on a socket, with graceful shutdown: on shutdown the server turns not-ready
 * (`/readyz` 503), stops accepting connections, lets in-flight requests finish (up to a
 * timeout), then frees the models.
 *
 * @module
 */
import type { ServeApp, ServeState } from "./app.ts";
import { disposeEngines } from "./engines.ts";

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** Interface to bind. Default `127.0.0.1` (loopback only). */
  hostname?: string;
  /** Port; 0 picks a free one. Default 8000. */
  port?: number;
  /** Longest wait for in-flight requests at shutdown, in ms. Default 30,000. */
  shutdownTimeoutMs?: number;
}

/** A running server. */
export interface RunningServer {
  /** The base URL, e.g. `http://127.0.0.1:8000`. */
  url: string;
  /** The bound port. */
  port: number;
  /** Resolves once the server has stopped. */
  finished: Promise<void>;
  /**
   * Drain and stop: no new connections, in-flight requests finish (or the timeout passes), the
   * models are freed. Resolves `true` when everything finished in time. Idempotent.
   */
  shutdown(): Promise<boolean>;
}

/** Serve `app` (over `state`) on a socket. */
export function startServer(
  app: ServeApp,
  state: ServeState,
  options: StartServerOptions = {},
): RunningServer {
  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 8000,
    onListen: () => {},
  }, (req) => app.fetch(req));
  const addr = server.addr as Deno.NetAddr;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  let stopping: Promise<boolean> | undefined;
  const shutdown = () =>
    stopping ??= (async () => {
      state.drain();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<false>((r) => {
        timer = setTimeout(() => r(false), options.shutdownTimeoutMs ?? 30_000);
      });
      const graceful = await Promise.race([server.shutdown().then(() => true as const), timeout]);
      clearTimeout(timer);
      state.pool.close();
      if (state.engines) disposeEngines(state.engines);
      return graceful;
    })();
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    finished: server.finished,
    shutdown,
  };
}
