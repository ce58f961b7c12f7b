/**
 * @file The one place where TypeScript property names meet checkpoint names. Modules keep camelCase properties
 * (`queryProj`); MLX and Hugging Face checkpoints use snake_case (`query_proj`). Only a lowercase letter or digit
 * followed by an uppercase letter gets an underscore, so names like `Wx`, `bhn` or `layer_1` pass through unchanged.
 */

/**
 * The checkpoint name of a dotted property path: each camelCase part becomes snake_case.
 *
 * @example
 * ```ts
 * weightName('layers.0.queryProj.weight'); // 'layers.0.query_proj.weight'
 * ```
 */
export function weightName(path: string): string {
  return path.replace(/([a-z0-9])([A-Z])/g, (_, a: string, b: string) => `${a}_${b.toLowerCase()}`);
}

/**
 * The camelCase property path of a snake_case checkpoint name (the inverse of `weightName` on its outputs).
 *
 * @example
 * ```ts
 * propertyPath('blocks.1.running_mean'); // 'blocks.1.runningMean'
 * ```
 */
export function propertyPath(name: string): string {
  return name.replace(/([a-z0-9])_([a-z])/g, (_, a: string, b: string) => `${a}${b.toUpperCase()}`);
}
