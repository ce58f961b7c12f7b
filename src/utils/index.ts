/**
 * @file mlx-ts/utils (being written).
 */
export {};
