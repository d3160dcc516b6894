/** The redaction stage's contract: a raw transcript (RAM only) in, redacted text and entity spans out. */

export const ENTITY_TYPES = [
  'PERSON',
  'PHONE_NUMBER',
  'EMAIL_ADDRESS',
  'CREDIT_CARD',
  'US_SSN',
  'IBAN_CODE',
  'BANK_ACCOUNT',
  'STREET_ADDRESS',
  'ZIP_CODE',
  'LOCATION',
  'DATE_OF_BIRTH',
  'AGE',
  'IP_ADDRESS',
  'US_DRIVER_LICENSE',
  'PASSPORT',
  'URL',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export interface RedactedEntity {
  type: EntityType;
  /** Character offsets of the entity in the input text (never stored with the input). */
  start: number;
  end: number;
  /** Character offsets of its replacement in the redacted text (what the store keeps). */
  redactedStart: number;
  redactedEnd: number;
  replacement: string;
  /** 0..1 */
  score: number;
  /** Which recognizer found it, e.g. 'rule:credit_card', 'gazetteer:person'. */
  source: string;
}

export interface RedactionResult {
  text: string;
  entities: RedactedEntity[];
  /** True when policy says the whole segment must be dropped. */
  dropped: boolean;
}

export interface Redactor {
  redact(text: string): RedactionResult;
}

/** Redacts consecutive segments of one session (SessionRedactor); async because the neural tagger may run. */
export interface SegmentRedactor {
  redact(text: string): Promise<RedactionResult>;
  /** A partial of the segment being spoken: redacted recall-first, leaving the session's context untouched. */
  preview(text: string): Promise<RedactionResult>;
  /** Whether `text`, after the session's earlier words, ends in what may be the first half of an entity (unfinished.ts). */
  endsUnfinished(text: string): boolean;
  /** Look-ahead: holds this segment and returns the one held before, redacted with this one as right context (null at first). */
  push(text: string): Promise<RedactionResult | null>;
  /** Look-ahead: the held segment, redacted without right context (null when none is held). */
  flush(): Promise<RedactionResult | null>;
}
