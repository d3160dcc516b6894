// Every test covers the project sources it imports (no per-file mapping).
export default () => ['daemon/**', 'redaction/**', 'native/**/*.ts'];
