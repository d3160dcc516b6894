export * from './store.js';
export { recordingIdForFile, recordingIdForStream } from './ids.js';
