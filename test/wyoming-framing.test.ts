// Wyoming framing: what the Python library writes is read back whole however the bytes are split; every length is
// bounded before it is buffered; the server's own frames are what the Python reader expects.
import t from 'tap';
import { DEFAULT_FRAMING_LIMITS, encodeEvent, EventReader, WyomingFrameError } from '../daemon/wyoming/framing.js';
import { parseWyomingUri } from '../daemon/wyoming/address.js';
import { PcmConverter, pcmFormatProblem } from '../daemon/wyoming/pcm.js';
import { renderLive } from '../daemon/cli/commands/listen.js';
import { pythonFrame } from '../scripts/bench/wyoming-client.js';

t.test('Python-framed events are read whole, byte by byte or all at once', async (t) => {
  const payload = Buffer.from([1, 2, 3, 4, 5, 6]);
  const stream = Buffer.concat([
    pythonFrame('describe'),
    pythonFrame('audio-chunk', { rate: 16000, width: 2, channels: 1, timestamp: 0 }, payload),
    pythonFrame('transcribe', { language: 'en', name: 'ünïcode' }),
    Buffer.from('{"type": "audio-start", "data": {"rate": 8000}, "data_length": 12}\n{"width": 2}'),
  ]);
  for (const step of [1, 7, stream.length]) {
    const reader = new EventReader();
    const events = [];
    for (let at = 0; at < stream.length; at += step) events.push(...reader.push(stream.subarray(at, at + step)));
    t.same(
      events.map((e) => e.type),
      ['describe', 'audio-chunk', 'transcribe', 'audio-start'],
      `chunks of ${step}`,
    );
    t.same(events[1]!.payload, payload);
    t.same(events[1]!.data, { rate: 16000, width: 2, channels: 1, timestamp: 0 });
    t.equal(events[2]!.data.name, 'ünïcode');
    t.same(events[3]!.data, { rate: 8000, width: 2 }, 'the data block is merged into inline data');
    t.equal(reader.bufferedBytes, 0);
  }
});

t.test('encodeEvent writes what the Python reader expects', async (t) => {
  const frame = encodeEvent('transcript', { text: 'call [PERSON]' });
  const newline = frame.indexOf(0x0a);
  const header = JSON.parse(frame.subarray(0, newline).toString()) as Record<string, unknown>;
  t.match(header, { type: 'transcript', version: String, data_length: Number });
  t.notOk('data' in header, 'data moved into the data block');
  t.same(JSON.parse(frame.subarray(newline + 1).toString()), { text: 'call [PERSON]' });
  t.equal(encodeEvent('transcript-stop').toString(), `{"type":"transcript-stop","version":"${JSON.parse(encodeEvent('x').toString()).version}"}\n`);
  const withPayload = new EventReader().push(encodeEvent('audio-chunk', { rate: 16000 }, Buffer.from([9, 9])));
  t.same(withPayload[0]!.payload, Buffer.from([9, 9]));
});

t.test('lengths are checked before anything is buffered for them', async (t) => {
  const bad = (text: string | Buffer, code: string) =>
    t.throws(() => new EventReader().push(Buffer.from(text)), new WyomingFrameError(code as WyomingFrameError['code'], ''), code);
  bad(`{"type": "audio-chunk", "payload_length": ${DEFAULT_FRAMING_LIMITS.maxPayloadBytes + 1}}\n`, 'PAYLOAD_TOO_LONG');
  bad(`{"type": "x", "data_length": ${DEFAULT_FRAMING_LIMITS.maxDataBytes + 1}}\n`, 'DATA_TOO_LONG');
  bad('{"type": "x", "payload_length": 1.5}\n', 'BAD_HEADER');
  bad('{"type": "x", "data": [1]}\n', 'BAD_HEADER');
  bad('{"type": ""}\n', 'BAD_HEADER');
  bad('nonsense\n', 'BAD_HEADER');
  bad('{"type": "x", "data_length": 3}\n[1]', 'BAD_DATA');
  bad(Buffer.alloc(DEFAULT_FRAMING_LIMITS.maxHeaderBytes + 1, 0x20), 'HEADER_TOO_LONG');
  const reader = new EventReader();
  t.same(reader.push(Buffer.from('{"type": "audio-chunk", "payload_length": 1000}\nabc')), []);
  t.equal(reader.bufferedBytes, 3, 'only the bytes received are held');
});

t.test('addresses', async (t) => {
  t.same(parseWyomingUri('tcp://0.0.0.0:10300'), { kind: 'tcp', host: '0.0.0.0', port: 10300 });
  t.same(parseWyomingUri('tcp://appliance.local'), { kind: 'tcp', host: 'appliance.local', port: 10300 });
  t.same(parseWyomingUri('tcp://[::1]:1234'), { kind: 'tcp', host: '::1', port: 1234 });
  t.same(parseWyomingUri('unix:///run/hs.sock'), { kind: 'unix', path: '/run/hs.sock' });
  t.throws(() => parseWyomingUri('udp://x:1'), /Expected tcp:\/\/HOST:PORT or unix:\/\/PATH for wyoming.uri but received "udp:\/\/x:1"/);
  t.throws(() => parseWyomingUri('tcp://x:99999'), /Expected a port 0..65535/);
});

t.test('PCM formats: validation, channel averaging, a frame split across chunks', async (t) => {
  t.equal(pcmFormatProblem({ rate: 16000, width: 2, channels: 1 }), null);
  t.match(pcmFormatProblem({ rate: 100, width: 2, channels: 1 }), /Expected integer 4000..192000 for rate but received 100/);
  t.match(pcmFormatProblem({ rate: 16000, width: 3, channels: 1 }), /Expected 1, 2 or 4 for width/);
  t.match(pcmFormatProblem({ rate: 16000, width: 2, channels: 0 }), /Expected integer 1..8 for channels/);
  const stereo = new PcmConverter({ rate: 16000, width: 2, channels: 2 });
  const frame = Buffer.alloc(4);
  frame.writeInt16LE(16384, 0);
  frame.writeInt16LE(-16384 / 2, 2);
  t.same([...stereo.push(frame.subarray(0, 3))], [], 'half a frame waits');
  t.same([...stereo.push(frame.subarray(3))], [0.125]);
  const u8 = new PcmConverter({ rate: 16000, width: 1, channels: 1 });
  t.same([...u8.push(Buffer.from([128, 255, 0]))], [0, 127 / 128, -1]);
  const resampled = new PcmConverter({ rate: 48000, width: 4, channels: 1 });
  const n = resampled.push(Buffer.alloc(4 * 4800)).length + resampled.flush().length;
  t.ok(Math.abs(n - 1600) <= 2, `48 kHz -> 16 kHz: ${n} samples for 0.1 s`);
});

t.test('listen rewrites the current line for a partial and ends it with the final', async (t) => {
  const base = { source: 'mic' as const, recordingId: 's1', seq: 0, start: 0, end: 1, text: 'my name is [PERSON]' };
  t.equal(renderLive({ ...base, counter: 0, final: false }), '\r\x1b[2Kmy name is [PERSON]');
  t.equal(renderLive({ ...base, final: true }), '\r\x1b[2Kmy name is [PERSON]\n');
});
