/**
 * Serving the app on a socket, safe against slow clients and with a drain that drops nothing.
 *
 * Deno's HTTP server has no header, body or idle timeouts, so the public socket is a small
 * connection guard in front of it (`Deno.serve` listens on a loopback port of its own): per
 * connection it closes
 *
 * - a request whose headers are not complete `headerTimeoutMs` after its first byte (or after
 *   the connection opened);
 * - a keep-alive connection idle for `idleTimeoutMs` after its last answer.
 *
 * A body that trickles in is cut by the app (`bodyTimeoutMs`, answered 408). On shutdown (see
 * {@link RunningServer.shutdown}) the server turns not-ready at once (`/readyz` 503), keeps
 * accepting and answering for `drainGraceMs` (so load balancers see it), then stops accepting;
 * every request in flight completes, and what has not by `shutdownTimeoutMs` is answered 503.
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
  /** After shutdown starts, how long the listener keeps accepting, in ms. Default 5,000. */
  drainGraceMs?: number;
  /** From the start of shutdown, when unfinished requests get 503 and it ends, in ms. Default 30,000. */
  shutdownTimeoutMs?: number;
  /** Longest time from a request's first byte to the end of its headers, in ms. Default 10,000. */
  headerTimeoutMs?: number;
  /** Longest time a keep-alive connection may sit idle between requests, in ms. Default 30,000. */
  idleTimeoutMs?: number;
  /** Serve without the connection guard (no header or idle timeouts). Default false. */
  unguarded?: boolean;
}

/** What a drain did. */
export interface DrainReport {
  /** Requests in flight when shutdown started. */
  inFlightAtStart: number;
  /** Requests received during the drain (grace period included). */
  receivedWhileDraining: number;
  /** Requests answered normally during the drain. */
  completed: number;
  /** Requests answered 503 at the deadline. */
  cut: number;
  /** Milliseconds from the start of shutdown to the end. */
  ms: number;
  /** Whether everything finished before the deadline. */
  graceful: boolean;
}

/** A running server. */
export interface RunningServer {
  /** The base URL, e.g. `http://127.0.0.1:8000`. */
  url: string;
  /** The bound port. */
  port: number;
  /** Requests being answered now. */
  readonly inFlight: number;
  /** Client connections open now (guarded servers only; else 0). */
  readonly connections: number;
  /** Resolves once the server has stopped. */
  finished: Promise<void>;
  /**
   * Drain and stop (see the module's description), then free the workers and models. Resolves
   * `true` when every request finished before the deadline. Idempotent.
   */
  shutdown(): Promise<boolean>;
  /** What the drain did, once {@link shutdown} has resolved. */
  readonly drain: DrainReport | undefined;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Serve `app` (over `state`) on a socket. */
export function startServer(
  app: ServeApp,
  state: ServeState,
  options: StartServerOptions = {},
): RunningServer {
  const graceMs = Math.max(0, options.drainGraceMs ?? 5_000);
  const timeoutMs = Math.max(graceMs, options.shutdownTimeoutMs ?? 30_000);
  let inFlight = 0;
  let draining = false;
  const counts = { inFlightAtStart: 0, received: 0, completed: 0, cut: 0 };
  const deadline = Promise.withResolvers<void>();
  let deadlinePassed = false;
  const unavailable = () =>
    Response.json({ error: "shutting down; retry on another replica" }, {
      status: 503,
      headers: { "retry-after": "1", connection: "close" },
    });

  const handler = async (req: Request): Promise<Response> => {
    if (deadlinePassed) return unavailable();
    if (draining) counts.received++;
    inFlight++;
    let cut = false;
    try {
      return await Promise.race([
        Promise.resolve(app.fetch(req)),
        deadline.promise.then(() => {
          cut = true;
          return unavailable();
        }),
      ]);
    } finally {
      inFlight--;
      if (draining) cut ? counts.cut++ : counts.completed++;
    }
  };

  const guarded = !options.unguarded;
  const server = Deno.serve({
    hostname: guarded ? "127.0.0.1" : options.hostname ?? "127.0.0.1",
    port: guarded ? 0 : options.port ?? 8000,
    onListen: () => {},
  }, handler);
  const inner = server.addr as Deno.NetAddr;
  const guard = guarded
    ? new ConnectionGuard(
      Deno.listen({ hostname: options.hostname ?? "127.0.0.1", port: options.port ?? 8000 }),
      inner.port,
      options.headerTimeoutMs ?? 10_000,
      options.idleTimeoutMs ?? 30_000,
    )
    : undefined;
  const addr = guard ? guard.addr : inner;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  const finished = Promise.all([server.finished, guard?.finished]).then(() => {});

  let report: DrainReport | undefined;
  let stopping: Promise<boolean> | undefined;
  const shutdown = () =>
    stopping ??= (async () => {
      const t0 = performance.now();
      state.drain();
      draining = true;
      counts.inFlightAtStart = inFlight;
      await sleep(graceMs);
      guard?.stopAccepting();
      const timer = setTimeout(() => {
        deadlinePassed = true;
        deadline.resolve();
      }, Math.max(0, timeoutMs - (performance.now() - t0)));
      await server.shutdown();
      clearTimeout(timer);
      await guard?.close();
      state.pool.close();
      if (state.engines) disposeEngines(state.engines);
      report = {
        inFlightAtStart: counts.inFlightAtStart,
        receivedWhileDraining: counts.received,
        completed: counts.completed,
        cut: counts.cut,
        ms: Math.round(performance.now() - t0),
        graceful: counts.cut === 0,
      };
      return report.graceful;
    })();
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    get inFlight() {
      return inFlight;
    },
    get connections() {
      return guard?.connections ?? 0;
    },
    finished,
    shutdown,
    get drain() {
      return report;
    },
  };
}

const HEADER_END = [13, 10, 13, 10];

/**
 * The connection guard: accepts client connections, relays each to the inner server, and
 * closes those whose headers trickle or that sit idle.
 */
class ConnectionGuard {
  readonly addr: Deno.NetAddr;
  readonly finished: Promise<void>;
  readonly #listener: Deno.Listener;
  readonly #conns = new Map<Relay, Promise<void>>();
  #accepting = true;

  constructor(
    listener: Deno.Listener,
    readonly innerPort: number,
    readonly headerTimeoutMs: number,
    readonly idleTimeoutMs: number,
  ) {
    this.#listener = listener;
    this.addr = listener.addr as Deno.NetAddr;
    this.finished = this.#accept();
  }

  get connections(): number {
    return this.#conns.size;
  }

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.#listener) {
        const relay = new Relay(conn, this);
        this.#conns.set(relay, relay.run().finally(() => this.#conns.delete(relay)));
      }
    } catch {
      // the listener was closed
    }
  }

  /** Stop accepting connections; open ones go on. */
  stopAccepting(): void {
    if (!this.#accepting) return;
    this.#accepting = false;
    try {
      this.#listener.close();
    } catch { /* already closed */ }
  }

  /**
   * Stop accepting, let every relay flush what the inner server sent (it has closed its side),
   * then close what is left after `flushMs`.
   */
  async close(flushMs = 1000): Promise<void> {
    this.stopAccepting();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(this.#conns.values()),
      new Promise((r) => timer = setTimeout(r, flushMs)),
    ]);
    clearTimeout(timer);
    for (const r of this.#conns.keys()) r.close();
    await this.finished;
  }
}

/** One client connection relayed to the inner server. */
class Relay {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /** Waiting for the end of a request's headers (the connection starts so). */
  #inHeaders = true;
  /** How many bytes of `\r\n\r\n` the last chunk ended with. */
  #matched = 0;
  /** The inner server has answered since the last request's headers ended. */
  #answered = false;
  #upstream: Deno.TcpConn | undefined;

  constructor(readonly conn: Deno.Conn, readonly guard: ConnectionGuard) {}

  #arm(ms: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.close(), ms);
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#disarm();
    for (const c of [this.conn, this.#upstream]) {
      try {
        c?.close();
      } catch { /* already closed */ }
    }
  }

  async run(): Promise<void> {
    this.#arm(this.guard.headerTimeoutMs);
    try {
      this.#upstream = await Deno.connect({ hostname: "127.0.0.1", port: this.guard.innerPort });
      // Relay small writes at once (no Nagle delay on either side).
      this.#upstream.setNoDelay(true);
      (this.conn as Deno.TcpConn).setNoDelay?.(true);
      if (this.#closed) return this.close();
      await Promise.all([this.#clientToServer(), this.#serverToClient()]);
    } catch {
      // a reset or closed socket ends the relay
    } finally {
      this.close();
    }
  }

  /** Scan client bytes for the end of headers; a new request after an answer restarts the clock. */
  #fromClient(chunk: Uint8Array): void {
    if (!this.#inHeaders && this.#answered) {
      this.#inHeaders = true;
      this.#answered = false;
      this.#matched = 0;
      this.#arm(this.guard.headerTimeoutMs);
    } else if (this.#inHeaders && this.#timer === undefined) {
      this.#arm(this.guard.headerTimeoutMs);
    }
    if (!this.#inHeaders) return;
    for (const b of chunk) {
      this.#matched = b === HEADER_END[this.#matched] ? this.#matched + 1 : b === 13 ? 1 : 0;
      if (this.#matched === 4) {
        this.#inHeaders = false;
        this.#disarm();
        return;
      }
    }
  }

  async #clientToServer(): Promise<void> {
    const buf = new Uint8Array(16 * 1024);
    for (;;) {
      const n = await this.conn.read(buf);
      if (n === null) break;
      this.#fromClient(buf.subarray(0, n));
      await writeAll(this.#upstream!, buf.subarray(0, n));
    }
    try {
      await this.#upstream!.closeWrite();
    } catch { /* closed */ }
  }

  async #serverToClient(): Promise<void> {
    const buf = new Uint8Array(16 * 1024);
    for (;;) {
      const n = await this.#upstream!.read(buf);
      if (n === null) break;
      await writeAll(this.conn, buf.subarray(0, n));
      // An answer went out: the connection is idle until the client sends again.
      this.#answered = true;
      if (!this.#inHeaders) this.#arm(this.guard.idleTimeoutMs);
    }
    this.close();
  }
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let at = 0;
  while (at < data.length) at += await conn.write(data.subarray(at));
}
