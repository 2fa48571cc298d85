/**
 * @cohesive/eval
 *
 * @module
 */
export {};
