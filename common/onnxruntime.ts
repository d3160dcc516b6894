/**
 * onnxruntime-node for every model here (the recogniser, the tagger, and the Silero VAD package, which resolves the
 * same copy). Its log level is set before the first session is created: the graph optimiser's notes (unused
 * initializers in the bundled VAD) stay off stderr and the journal; errors still reach them.
 */
import * as ort from 'onnxruntime-node';

ort.env.logLevel = 'error';

export { ort };
