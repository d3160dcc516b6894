/**
 * Words for ajv's errors, shared by the config (daemon/config/load.ts) and the redaction policy
 * (redaction/policy.ts), which validate with the same ajv options and report in the same style.
 */

/** A value as an error message shows it: JSON, cut to 60 characters. */
export function showValue(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The value at a JSON pointer (ajv's `instancePath`) inside `root`, or undefined. */
export function valueAtPointer(root: unknown, pointer: string): unknown {
  let node = root;
  for (const part of pointer.split('/').slice(1)) node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return node;
}
