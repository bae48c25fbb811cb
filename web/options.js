// Checking the options objects of the public API, so that a wrong call gets an Error naming
// what was wrong instead of a destructuring TypeError or a silently ignored typo.

/** A short description of a wrong value for messages; never runs the value's own code. */
export function describe(value) {
  switch (typeof value) {
    case 'string': return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
    case 'bigint': return `the BigInt ${value}n`;
    case 'symbol': return 'a symbol';
    case 'function': return 'a function';
    case 'object': break;
    default: return String(value);  // number, boolean, undefined
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an Array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) {
    const tag = Object.prototype.toString.call(value).slice(8, -1);
    return `a ${tag}`;
  }
  return 'an object';
}

/**
 * options merged over defaults. options may be undefined (all defaults); anything else must be
 * a plain object, and with `strict` every key must be one of the defaults' (a misspelt
 * `topk` would otherwise be ignored without a word).
 */
export function readOptions(options, defaults, method, { strict = true } = {}) {
  if (options === undefined) return { ...defaults };
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${method} options must be an object, got ${describe(options)}`);
  }
  const result = { ...defaults };
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(defaults, key)) {
      // An explicit undefined means "the default", as with destructuring.
      if (options[key] !== undefined) result[key] = options[key];
    } else if (strict) {
      throw new TypeError(`${method} has no option ${JSON.stringify(key)} (it takes ${Object.keys(defaults).join(', ')})`);
    } else {
      result[key] = options[key];
    }
  }
  return result;
}
