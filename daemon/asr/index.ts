/** Speech recognition: 16 kHz samples in, timed words out (see types.ts for the contract). */
export type * from './types.js';
export { ModelLoadError, isModelLoadError, type ModelLoadErrorCode } from './errors.js';
export { loadRecognizer, resolveDecoding, DEFAULT_BEAM_SIZE, DEFAULT_LM_WEIGHT, type ResolvedDecoding } from './recognizer.js';
export { readManifest, verifyModelFiles, MANIFEST_FILE, type ModelManifest, type VariantCheck } from './manifest.js';
export { resolveModel, type ModelLayout, type ModelSpec } from './model-layout.js';
export { ArpaLm } from './arpa.js';
export { ContextGraph, DEFAULT_HOTWORD_BOOST, phraseTokens, type Hotword } from './context-graph.js';
export { loadWordLm } from './recognizer.js';
export { parseHotwords, readHotwords, HotwordFileError } from './hotword-file.js';
export { parseRequestHotwords, HotwordRequestError, MAX_REQUEST_HOTWORDS } from './request-hotwords.js';
