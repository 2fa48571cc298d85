/**
 * @cohesive/distill
 *
 * @module
 */
export {};
