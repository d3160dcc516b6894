/**
 * Converts an ARPA LM to hushscribe's binary format (mapped by the recognizer; native/src/ngram_lm.h).
 *
 *   node dist/scripts/lm/arpa-to-binary.js --arpa LM.arpa --out lm.bin
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { arpaToBinary } from '../../daemon/lm/binary-lm-writer.js';

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { arpa: { type: 'string' }, out: { type: 'string' } } });
  if (!values.arpa || !values.out) {
    process.stderr.write('Usage: arpa-to-binary --arpa LM.arpa --out lm.bin\n');
    process.exitCode = 2;
  } else {
    process.stdout.write(`${JSON.stringify({ out: values.out, ...(await arpaToBinary(values.arpa, values.out)) })}\n`);
  }
}
