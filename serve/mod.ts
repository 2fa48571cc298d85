/**
 * @cohesive/serve
 *
 * @module
 */
export {};
