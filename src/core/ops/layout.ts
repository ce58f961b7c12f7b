/**
 * @file layout ops (being written).
 */
export {};
