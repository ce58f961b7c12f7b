/**
 * @file mlx-ts/nn (being written).
 */
export {};
