/**
 * The server's domain errors and the one table that maps them to HTTP status codes (used by the
 * app's single `onError`). Every client mistake is one of these, so it becomes a 4xx JSON answer
 * `{"error": "<message>"}`; anything else is a bug and becomes a 500.
 *
 * @module
 */

/** A malformed request: bad JSON, a wrong type, an empty text, an unknown field (HTTP 400). */
export class BadRequestError extends TypeError {
  /** Create the error; `message` is shown to the client. */
  constructor(message: string) {
    super(message);
    this.name = "BadRequestError";
  }
}

/** A method a route does not take (HTTP 405, with the `Allow` header). */
export class MethodNotAllowedError extends TypeError {
  /** The method the route takes. */
  readonly allow: string;
  /** Create the error for `method` on `path`, which takes `allow`. */
  constructor(method: string, path: string, allow: string) {
    super(`${method} is not allowed on ${path}; use ${allow}`);
    this.name = "MethodNotAllowedError";
    this.allow = allow;
  }
}

/** A request body that is not JSON (HTTP 415). */
export class UnsupportedMediaTypeError extends TypeError {
  /** Create the error; `message` is shown to the client. */
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedMediaTypeError";
  }
}

/** A request beyond the server's limits: body size, text length, number of texts (HTTP 413). */
export class PayloadTooLargeError extends RangeError {
  /** Create the error; `message` is shown to the client. */
  constructor(message: string) {
    super(message);
    this.name = "PayloadTooLargeError";
  }
}

/** A request naming a model the server does not serve (HTTP 404). */
export class UnknownModelError extends RangeError {
  /** Create the error; `message` is shown to the client. */
  constructor(message: string) {
    super(message);
    this.name = "UnknownModelError";
  }
}

/** The server cannot answer now: models still loading, or shutting down (HTTP 503). */
export class NotReadyError extends Error {
  /** Create the error; `message` is shown to the client. */
  constructor(message: string) {
    super(message);
    this.name = "NotReadyError";
  }
}

/** Too much work queued; the client should retry shortly (HTTP 503 with `Retry-After`). */
export class OverloadedError extends RangeError {
  /** Create the error; `message` is shown to the client. */
  constructor(message: string) {
    super(message);
    this.name = "OverloadedError";
  }
}

/** The client sent its request too slowly (HTTP 408; the connection is closed). */
export class RequestTimeoutError extends RangeError {
  /** Create the error; `message` is shown to the client. */
  constructor(message: string) {
    super(message);
    this.name = "RequestTimeoutError";
  }
}

/** The client went away before its answer was ready (HTTP 499, never actually delivered). */
export class ClientClosedError extends Error {
  /** Create the error. */
  constructor(message = "the client closed the request") {
    super(message);
    this.name = "ClientClosedError";
  }
}

/**
 * The HTTP status for an error: 400, 404, 405, 408, 413, 415, 499 or 503 for the domain errors above,
 * the error's own `status` when it carries a 4xx one (Hono's `HTTPException`), else 500.
 */
export function httpStatusOf(err: unknown): number {
  if (err instanceof BadRequestError) return 400;
  if (err instanceof UnknownModelError) return 404;
  if (err instanceof MethodNotAllowedError) return 405;
  if (err instanceof RequestTimeoutError) return 408;
  if (err instanceof PayloadTooLargeError) return 413;
  if (err instanceof UnsupportedMediaTypeError) return 415;
  if (err instanceof ClientClosedError) return 499;
  if (err instanceof NotReadyError || err instanceof OverloadedError) return 503;
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === "number" && status >= 400 && status < 500) return status;
  return 500;
}
