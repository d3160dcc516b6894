/**
 * Which entity types to redact and how: a policy is checked against the one schema (policy-schema.ts, which the
 * daemon's config embeds) with errors that name the bad option, then compiled into the functions the redactor calls.
 *
 * Operators: `placeholder` (alias `replace`) writes `[PERSON]`; `mask` replaces every character (or every word,
 * with mask.per = 'word') by mask.char; `hash` writes `[PERSON:3f9a1c2b]`, an HMAC-SHA256 of the canonical value
 * under hashKey, so one value links across records without being revealed or guessable without the key; `drop`
 * discards the whole segment when such an entity is found.
 */
import { createHmac } from 'node:crypto';
import { Ajv, type ErrorObject } from 'ajv';
import {
  addPolicyKeywords,
  DEFAULT_THRESHOLD,
  MIN_HASH_KEY_BYTES,
  type OperatorName,
  type PolicyOptions,
  policySchema,
  type RedactionPolicyConfig,
} from './policy-schema.js';
import type { EntityType } from './types.js';
import { showValue, valueAtPointer } from '../common/validation-errors.js';

export { DEFAULT_THRESHOLD, OPERATORS, type OperatorName, type RedactionPolicyConfig } from './policy-schema.js';

export interface RedactionPolicy {
  readonly types: ReadonlySet<EntityType>;
  readonly longNumbers: boolean;
  operatorFor(type: EntityType): Exclude<OperatorName, 'replace'>;
  threshold(type: EntityType): number;
  /** The replacement for an entity, or null when the segment is to be dropped. */
  replacement(type: EntityType, original: string, value: string): string | null;
}

export class PolicyError extends Error {
  override name = 'PolicyError';
}

// The config's ajv options (daemon/config/load.ts), so both accept exactly what the schema says; `verbose` gives each
// error its schema node, whose words the message uses.
const ajv = addPolicyKeywords(new Ajv({ useDefaults: true, allErrors: false, strict: true, allowUnionTypes: true, verbose: true }));
const checkOptions = ajv.compile<PolicyOptions>(policySchema);

/** The schema node an ajv error is about (its `title`/`mustBe` words are the message's). */
interface NodeWords {
  title?: string;
  enum?: readonly unknown[];
  mustBe?: string;
}

/** `/operators/PERSON` -> `operators.PERSON`; an array's item is named by its array. */
function dotted(pointer: string, root: unknown): string {
  const parts = pointer.split('/').slice(1);
  if (parts.length > 0 && Array.isArray(valueAtPointer(root, `/${parts.slice(0, -1).join('/')}`.replace(/^\/$/, '')))) parts.pop();
  return parts.join('.');
}

/** One ajv error in words, e.g. `operators.PERSON: unknown operator 'erase' (known: ...)`. */
function message(err: ErrorObject, root: unknown): string {
  const path = dotted(err.instancePath, root);
  const node = err.parentSchema as NodeWords | undefined;
  if (err.keyword === 'additionalProperties') {
    const key = (err.params as { additionalProperty: string }).additionalProperty;
    // The hash key is an option too, checked outside the schema (validatePolicy).
    const known = [...Object.keys((err.parentSchema as { properties: object }).properties), ...(path ? [] : ['hashKey'])];
    return `${path ? `${path}: unknown option` : 'unknown policy option'} '${key}' (known: ${known.join(', ')})`;
  }
  if (err.keyword === 'enum' && node?.title) {
    // An unknown key of a map (propertyNames) or an unknown value.
    const value = err.propertyName ?? valueAtPointer(root, err.instancePath);
    return `${path}: unknown ${node.title} '${String(value)}' (known: ${(node.enum ?? []).join(', ')})`;
  }
  const what = node?.mustBe ?? err.message ?? 'is invalid';
  return `${path || 'redaction policy'} ${what}, but received ${showValue(valueAtPointer(root, err.instancePath))}`;
}

/**
 * Checks a policy's options against the schema and returns them with the defaults filled in (the input is not
 * changed); throws PolicyError naming the bad option. The hash key is the caller's to check (`validatePolicy`).
 */
export function checkPolicyOptions(options: unknown): PolicyOptions {
  const copy = structuredClone(options);
  if (checkOptions(copy)) return copy;
  throw new PolicyError(message(checkOptions.errors![0]!, copy));
}

export function validatePolicy(config: RedactionPolicyConfig = {}): RedactionPolicy {
  // The hash key is taken out before the schema check: it may be bytes, which JSON schema cannot describe.
  const isObject = typeof config === 'object' && config !== null && !Array.isArray(config);
  const { hashKey, ...rest }: RedactionPolicyConfig = isObject ? config : {};
  const options = checkPolicyOptions(isObject ? rest : config);
  const types = new Set(options.types);
  const operators = new Map(Object.entries(options.operators) as Array<[EntityType, OperatorName]>);
  const canonical = (op: OperatorName): Exclude<OperatorName, 'replace'> => (op === 'replace' ? 'placeholder' : op);
  const operatorFor = (type: EntityType) => canonical(operators.get(type) ?? options.operator);

  const hashed = [...types].filter((t) => operatorFor(t) === 'hash');
  let key: Buffer | null = null;
  if (hashKey !== undefined) {
    if (typeof hashKey !== 'string' && !(hashKey instanceof Uint8Array)) throw new PolicyError('hashKey must be a string or bytes');
    key = Buffer.from(hashKey);
    if (key.length < MIN_HASH_KEY_BYTES) throw new PolicyError(`hashKey must be at least ${MIN_HASH_KEY_BYTES} bytes so hashes cannot be brute-forced`);
  }
  if (hashed.length > 0 && !key) throw new PolicyError(`operator 'hash' (for ${hashed.join(', ')}) needs hashKey`);

  const { char: maskChar, per: maskPer } = options.mask;
  const thresholds = new Map(Object.entries(options.thresholds) as Array<[EntityType, number]>);

  return {
    types,
    longNumbers: options.longNumbers,
    operatorFor,
    threshold: (type) => thresholds.get(type) ?? DEFAULT_THRESHOLD,
    replacement(type, original, value) {
      switch (operatorFor(type)) {
        case 'drop':
          return null;
        case 'mask':
          return maskPer === 'word'
            ? original
                .split(/\s+/)
                .filter(Boolean)
                .map(() => maskChar)
                .join(' ')
            : original.replace(/\S/g, maskChar);
        case 'hash':
          return `[${type}:${createHmac('sha256', key!).update(`${type}\0${value}`).digest('hex').slice(0, 8)}]`;
        default:
          return `[${type}]`;
      }
    },
  };
}
