/**
 * @file ternary ops (being written).
 */
export {};
