/**
 * The cohesive runtime: backend choice, the BERT-family model, tokenizer, checkpoints and
 * training utilities.
 *
 * @module
 */
export * from "./data_dir.ts";
export * from "./atomic.ts";
