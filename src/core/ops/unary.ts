/**
 * @file unary ops (being written).
 */
export {};
