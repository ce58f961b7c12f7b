/**
 * @file mx.compile (being written).
 */
export {};
