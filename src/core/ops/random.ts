/**
 * @file random ops (being written).
 */
export {};
