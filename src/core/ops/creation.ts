/**
 * @file creation ops (being written).
 */
export {};
