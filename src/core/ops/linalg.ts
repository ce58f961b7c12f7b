/**
 * @file linalg ops (being written).
 */
export {};
