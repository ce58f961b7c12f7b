/**
 * @file matmul ops (being written).
 */
export {};
