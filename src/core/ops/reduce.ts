/**
 * @file reduce ops (being written).
 */
export {};
