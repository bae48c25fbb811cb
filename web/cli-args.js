// Option parsing shared by the command line's commands (cli.js, cli-head.js): a wrong option
// is a UsageError, which the command line prints with the usage text.

export class UsageError extends Error {}

// --precision: float32 (default) or int8 (the quantized model with integer arithmetic).
export function precisionOption(text) {
  if (text !== 'float32' && text !== 'int8') throw new UsageError(`--precision must be float32 or int8, got ${text}`);
  return text;
}

export function positiveInteger(text, name) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} must be a positive integer, got ${text}`);
  return value;
}

export function fraction(text, name) {
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value <= 1)) throw new UsageError(`--${name} must be a number in [0, 1], got ${text}`);
  return value;
}

// --crop: the central fraction of each side, in (0, 1].
export function cropOption(text) {
  const crop = Number(text);
  if (!(crop > 0 && crop <= 1)) throw new UsageError(`--crop must be in (0, 1], got ${text}`);
  return crop;
}
