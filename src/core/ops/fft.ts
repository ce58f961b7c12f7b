/**
 * @file fft ops (being written).
 */
export {};
