/**
 * @cohesive/lexical
 *
 * @module
 */
export {};
