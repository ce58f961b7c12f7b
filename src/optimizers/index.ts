/**
 * @file mlx-ts/optimizers (being written).
 */
export {};
