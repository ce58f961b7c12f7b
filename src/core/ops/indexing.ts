/**
 * @file indexing ops (being written).
 */
export {};
