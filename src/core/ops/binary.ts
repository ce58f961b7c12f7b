/**
 * @file binary ops (being written).
 */
export {};
