export * from './schema.js';
export { CONFIG_SETTINGS, HOT_RELOADABLE } from './settings.js';
export * from './load.js';
export { ENV_OPTIONS } from './env.js';
export { setConfigValue, type ConfigChange } from './edit.js';
