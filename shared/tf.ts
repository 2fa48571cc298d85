/**
 * The tfjs namespace with every gradient, the chained tensor methods and the wasm and webgpu
 * backends registered (and our wasm training kernels on first use of wasm). Import `tf` from here
 * (`@cohesive/shared/tf`); it is kept out of `mod.ts` so the documented API is cohesive's own.
 *
 * @module
 */
export { tf } from "./runtime.ts";
