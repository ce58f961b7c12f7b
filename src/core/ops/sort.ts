/**
 * @file sort ops (being written).
 */
export {};
