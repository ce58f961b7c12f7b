/**
 * @file cumulative ops (being written).
 */
export {};
