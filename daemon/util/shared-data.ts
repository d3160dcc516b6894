import { join } from 'node:path';
import { packageRoot } from '../../common/package-root.js';

/** The training/evaluation speech kept beside the checkout (../shared/data), or $HUSHSCRIBE_SPEECH_DIR. */
export function sharedSpeechDir(): string {
  return process.env.HUSHSCRIBE_SPEECH_DIR ?? join(packageRoot(), '..', 'shared', 'data');
}
