/**
 * The one schema of the redaction policy, written with TypeBox: the library validates a policy against it
 * (policy.ts), and the daemon's config embeds its options in the `redaction` section (daemon/config/schema.ts), so
 * the two accept and reject the same values. The TypeScript types are derived from it (`Static`), and the operators
 * are listed here only.
 *
 * Unions are JSON-schema `enum`s and `type` lists (Type.Unsafe with the TypeScript type beside them), as in the
 * config schema, so that ajv reports the option itself. Each option carries `description` (docs) and `mustBe`, the
 * words the library's error messages use for a value of the wrong shape (an annotation, registered with ajv by
 * `addPolicyKeywords`).
 *
 * The hash key is not here: it may be bytes, which JSON schema cannot describe, and the daemon reads it from a file
 * (`redaction.hashKeyFile`). It is the one library-only option, typed beside the schema (`RedactionPolicyConfig`)
 * and checked in policy.ts.
 */
import { type Static, type TObject, type TSchema, Type } from '@sinclair/typebox';
import type { Ajv } from 'ajv';
import { ENTITY_TYPES, type EntityType } from './types.js';

/**
 * `placeholder` (alias `replace`) writes `[PERSON]`; `mask` replaces every character (or every word, with mask.per =
 * 'word') by mask.char; `hash` writes `[PERSON:3f9a1c2b]`, an HMAC-SHA256 of the canonical value under the hash key;
 * `drop` discards the whole segment when such an entity is found.
 */
export const OPERATORS = ['placeholder', 'replace', 'mask', 'hash', 'drop'] as const;
export type OperatorName = (typeof OPERATORS)[number];
export const MASK_UNITS = ['character', 'word'] as const;
export type MaskUnit = (typeof MASK_UNITS)[number];

export const DEFAULT_THRESHOLD = 0.5;
export const MIN_HASH_KEY_BYTES = 16;

/** The annotation keywords of this schema, for an ajv in strict mode. */
export function addPolicyKeywords(ajv: Ajv): Ajv {
  return ajv.addKeyword({ keyword: 'mustBe', schemaType: 'string' });
}

/** One entity type name; `title` names what an unknown value is in error messages. */
const entityTypeSchema = { enum: [...ENTITY_TYPES], title: 'entity type' };
/** One operator name. */
export const operatorSchema = { enum: [...OPERATORS], title: 'operator' };

/** entity type -> operator, as `operators` (and the daemon's `wyoming.redact.operators`) take it. */
export type OperatorMap = Partial<Record<EntityType, OperatorName>>;
export const operatorMapSchema = { type: 'object', propertyNames: entityTypeSchema, additionalProperties: operatorSchema } as const;

/** The policy's options, each with its default and description: the library's input, the config's `redaction`. */
export const policyOptions = {
  types: Type.Unsafe<readonly EntityType[]>({
    type: 'array',
    items: entityTypeSchema,
    uniqueItems: true,
    default: [...ENTITY_TYPES],
    description: 'Entity types to redact; the others are left in the text.',
    mustBe: 'must be an array of entity type names, without repeats',
  }),
  operator: Type.Unsafe<OperatorName>({
    ...operatorSchema,
    default: 'placeholder',
    description: `Operator for every type without its own entry in \`operators\` (${OPERATORS.join(', ')}).`,
  }),
  operators: Type.Unsafe<Readonly<OperatorMap>>({
    ...operatorMapSchema,
    default: {},
    description: 'Operator per entity type; unlisted types get `operator`.',
    mustBe: 'must map entity types to operators',
  }),
  mask: Type.Object(
    {
      char: Type.String({
        pattern: '^\\S$',
        default: '*',
        description: 'The character a masked character (or word) becomes.',
        mustBe: 'must be one visible character',
      }),
      per: Type.Unsafe<MaskUnit>({
        enum: [...MASK_UNITS],
        default: 'character',
        description: "'character': every character of an entity is masked (keeps its shape); 'word': every word becomes one mask.char.",
        mustBe: `must be ${MASK_UNITS.map((unit) => `'${unit}'`).join(' or ')}`,
      }),
    },
    { additionalProperties: false, default: {}, description: 'How the mask operator writes an entity.', mustBe: 'must be an object { char, per }' },
  ),
  thresholds: Type.Unsafe<Readonly<Partial<Record<EntityType, number>>>>({
    type: 'object',
    propertyNames: entityTypeSchema,
    additionalProperties: { type: 'number', minimum: 0, maximum: 1, mustBe: 'must be a number from 0 to 1' },
    default: {},
    description: `Least score (0..1) per entity type for a finding to be redacted; unlisted types: ${DEFAULT_THRESHOLD}.`,
    mustBe: 'must map entity types to numbers',
  }),
  longNumbers: Type.Boolean({
    default: false,
    description:
      'Also redact every run of 8 or more digits said one by one or in pairs that no rule could validate (as BANK_ACCOUNT, the nearest type), unless an ordinary-reference word ("order", "ticket", "page") is near. For recognised speech, where the words that name a number are often misheard.',
    mustBe: 'must be true or false',
  }),
} satisfies Record<string, TSchema>;

/** The names of the policy's options, in schema order. */
export const POLICY_OPTION_NAMES = Object.keys(policyOptions) as Array<keyof typeof policyOptions>;

/** The policy as the library takes it: every option may be left out (its default applies). */
export const policySchema = Type.Partial(Type.Object(policyOptions, { additionalProperties: false, mustBe: 'must be an object' }));

/** A policy's options with their defaults filled in. */
export type PolicyOptions = Static<TObject<typeof policyOptions>>;

/** What `validatePolicy` takes: the schema's options, and the library-only hash key (a string or bytes). */
export type RedactionPolicyConfig = Static<typeof policySchema> & {
  /** Secret for the hash operator (at least MIN_HASH_KEY_BYTES bytes). Required when any redacted type is hashed. */
  hashKey?: string | Uint8Array;
};
