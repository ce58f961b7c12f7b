/**
 * @file io ops (being written).
 */
export {};
