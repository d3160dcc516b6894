/**
 * Which entity types to redact and how. Config is validated up front with errors that name the bad field.
 *
 * Operators: `placeholder` (alias `replace`) writes `[PERSON]`; `mask` replaces every character (or every word,
 * with mask.per = 'word') by mask.char; `hash` writes `[PERSON:3f9a1c2b]`, an HMAC-SHA256 of the canonical value
 * under hashKey, so one value links across records without being revealed or guessable without the key; `drop`
 * discards the whole segment when such an entity is found.
 */
import { createHmac } from 'node:crypto';
import { ENTITY_TYPES, type EntityType } from './types.js';

export const OPERATORS = ['placeholder', 'replace', 'mask', 'hash', 'drop'] as const;
export type OperatorName = (typeof OPERATORS)[number];

export interface RedactionPolicyConfig {
  /** Types to redact; default all. Others are left in the text. */
  types?: readonly string[];
  /** Operator for every type without its own entry in `operators`; default 'placeholder'. */
  operator?: string;
  operators?: Readonly<Record<string, string>>;
  /** Secret for the hash operator (at least 16 bytes). Required when any type is hashed. */
  hashKey?: string | Uint8Array;
  mask?: { char?: string; per?: string };
  /** Minimum score (0..1) per type; default 0.5. */
  thresholds?: Readonly<Record<string, number>>;
  /**
   * Also redact every run of 8 or more digits said one by one or in pairs that no rule could validate (as
   * BANK_ACCOUNT, the nearest type), unless an ordinary-reference context ("order", "ticket", "page") is near;
   * default false. For recognised speech, where the words that name a number are often misheard.
   */
  longNumbers?: boolean;
}

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

export const DEFAULT_THRESHOLD = 0.5;
const MIN_KEY_BYTES = 16;

function checkType(name: string, where: string): EntityType {
  if (!(ENTITY_TYPES as readonly string[]).includes(name)) {
    throw new PolicyError(`${where}: unknown entity type '${name}' (known: ${ENTITY_TYPES.join(', ')})`);
  }
  return name as EntityType;
}

function checkOperator(name: unknown, where: string): Exclude<OperatorName, 'replace'> {
  if (typeof name !== 'string' || !(OPERATORS as readonly string[]).includes(name)) {
    throw new PolicyError(`${where}: unknown operator '${String(name)}' (known: ${OPERATORS.join(', ')})`);
  }
  return name === 'replace' ? 'placeholder' : (name as Exclude<OperatorName, 'replace'>);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function validatePolicy(config: RedactionPolicyConfig = {}): RedactionPolicy {
  if (!isRecord(config)) throw new PolicyError('redaction policy must be an object');
  const known = new Set(['types', 'operator', 'operators', 'hashKey', 'mask', 'thresholds', 'longNumbers']);
  for (const key of Object.keys(config)) if (!known.has(key)) throw new PolicyError(`unknown policy option '${key}' (known: ${[...known].join(', ')})`);

  if (config.types !== undefined && !Array.isArray(config.types)) throw new PolicyError('types must be an array of entity type names');
  const types = new Set((config.types ?? ENTITY_TYPES).map((t) => checkType(String(t), 'types')));
  const fallback = checkOperator(config.operator ?? 'placeholder', 'operator');
  if (config.operators !== undefined && !isRecord(config.operators)) throw new PolicyError('operators must map entity types to operators');
  const operators = new Map<EntityType, Exclude<OperatorName, 'replace'>>();
  for (const [type, op] of Object.entries(config.operators ?? {})) operators.set(checkType(type, 'operators'), checkOperator(op, `operators.${type}`));
  const operatorFor = (type: EntityType) => operators.get(type) ?? fallback;

  const hashed = [...types].filter((t) => operatorFor(t) === 'hash');
  let key: Buffer | null = null;
  if (config.hashKey !== undefined) {
    if (typeof config.hashKey !== 'string' && !(config.hashKey instanceof Uint8Array)) throw new PolicyError('hashKey must be a string or bytes');
    key = Buffer.from(config.hashKey);
    if (key.length < MIN_KEY_BYTES) throw new PolicyError(`hashKey must be at least ${MIN_KEY_BYTES} bytes so hashes cannot be brute-forced`);
  }
  if (hashed.length > 0 && !key) throw new PolicyError(`operator 'hash' (for ${hashed.join(', ')}) needs hashKey`);

  if (config.mask !== undefined && !isRecord(config.mask)) throw new PolicyError('mask must be an object { char, per }');
  const maskChar = config.mask?.char ?? '*';
  if (typeof maskChar !== 'string' || [...maskChar].length !== 1 || /\s/.test(maskChar)) throw new PolicyError('mask.char must be one visible character');
  const maskPer = config.mask?.per ?? 'character';
  if (maskPer !== 'character' && maskPer !== 'word') throw new PolicyError(`mask.per must be 'character' or 'word', not '${String(maskPer)}'`);

  if (config.thresholds !== undefined && !isRecord(config.thresholds)) throw new PolicyError('thresholds must map entity types to numbers');
  const thresholds = new Map<EntityType, number>();
  for (const [type, value] of Object.entries(config.thresholds ?? {})) {
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new PolicyError(`thresholds.${type} must be a number from 0 to 1`);
    thresholds.set(checkType(type, 'thresholds'), value);
  }

  if (config.longNumbers !== undefined && typeof config.longNumbers !== 'boolean') throw new PolicyError('longNumbers must be true or false');

  return {
    types,
    longNumbers: config.longNumbers ?? false,
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
