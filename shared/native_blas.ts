/**
 * Native SGEMM through Deno's FFI: OpenBLAS's `cblas_sgemm`, called directly on tensors in the
 * wasm backend's heap (no copies; transposes are BLAS flags). On the 2-core development machine it
 * runs at about 127 GFLOP/s on one thread and 254 on two, against about 42 for XNNPACK in wasm.
 * Used when an OpenBLAS library is found (Debian: `libopenblas0-pthread`); `COHESIVE_BLAS=off`
 * disables it, `COHESIVE_BLAS=/path/libopenblas.so` picks a library, `OPENBLAS_NUM_THREADS` caps the
 * threads (OpenBLAS reads it when it loads; default: every core). OpenBLAS is loaded once per
 * process and stays loaded until exit (see `pin`). Its thread pool is one per process: we never
 * resize it at run time (`openblas_set_num_threads` from several Deno workers at
 * once, as `deno test --parallel` runs them, races with their calls), and the test task runs it
 * single-threaded, since the test workers already call it concurrently.
 *
 * @module
 */

const CANDIDATES = [
  "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
  "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
  "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
  "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
  "/usr/lib/libopenblas.so.0",
  "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
  "/usr/local/opt/openblas/lib/libopenblas.dylib",
];

const SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "f32",
      "buffer",
      "i32",
    ],
    result: "void",
  },
} as const;

/** A loaded BLAS: row-major `C = A·B` with optional transposes. */
export interface NativeBlas {
  /** The library file. */
  path: string;
  /**
   * `c[M×N] = op(a)·op(b)`, row-major; `a` is `[M,K]` (or `[K,M]` when `transA`), `b` is `[K,N]`
   * (or `[N,K]` when `transB`).
   */
  sgemm(
    transA: boolean,
    transB: boolean,
    M: number,
    N: number,
    K: number,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
  ): void;
}

let loaded: NativeBlas | null | undefined;

const RTLD_NOW = 2, RTLD_NODELETE = 0x1000; // glibc's <dlfcn.h>

/**
 * Keep the library loaded until the process exits. Each Deno worker (each test file under
 * `deno test --parallel`) opens it and closes it when the worker ends; the last close unloads
 * OpenBLAS, running its destructor (which frees its buffers and stops its threads), and the next
 * worker loads and initialises it again, while other workers may be loading, calling or unloading
 * it. Pinned, OpenBLAS initialises once and its destructor runs once, at exit. glibc only (the
 * flag is glibc's); elsewhere the library is loaded as Deno loads it.
 */
function pin(path: string): void {
  if (Deno.build.os !== "linux") return;
  for (const libc of ["libc.so.6", "libdl.so.2"]) {
    try {
      const lib = Deno.dlopen(libc, {
        dlopen: { parameters: ["buffer", "i32"], result: "pointer" },
      });
      const handle = lib.symbols.dlopen(
        new TextEncoder().encode(`${path}\0`),
        RTLD_NOW | RTLD_NODELETE,
      );
      lib.close();
      if (handle !== null) return;
    } catch {
      // no glibc here: try the next name
    }
  }
}

/** OpenBLAS when available (once per process), else `null`. */
export function nativeBlas(): NativeBlas | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  const setting = Deno.env.get("COHESIVE_BLAS");
  if (setting === "off" || typeof Deno.dlopen !== "function") return loaded;
  for (const path of setting ? [setting] : CANDIDATES) {
    try {
      const lib = Deno.dlopen(path, SYMBOLS);
      pin(path);
      const f = lib.symbols.cblas_sgemm;
      loaded = {
        path,
        sgemm(transA, transB, M, N, K, a, b, c) {
          // CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112.
          f(
            101,
            transA ? 112 : 111,
            transB ? 112 : 111,
            M,
            N,
            K,
            1,
            a,
            transA ? M : K,
            b,
            transB ? K : N,
            0,
            c,
            N,
          );
        },
      };
      return loaded;
    } catch {
      // not here (or no FFI permission): try the next one
    }
  }
  return loaded;
}
