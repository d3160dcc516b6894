// Resampler: tones keep amplitude and frequency, content above the new Nyquist frequency is rejected,
// images of upsampling are suppressed, and chunked processing equals one call on the whole signal.
import t from 'tap';
import { NativeOptionError, RESAMPLER_RATES, Resampler } from '../native/index.js';

function tone(rate: number, hz: number, seconds: number, amplitude: number): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / rate);
  return out;
}

/** Amplitude of the component at hz (single-bin DFT), over a window away from the edges. */
function amplitudeAt(samples: Float32Array, rate: number, hz: number): number {
  const start = Math.floor(samples.length * 0.2);
  const end = Math.floor(samples.length * 0.8);
  let re = 0;
  let im = 0;
  for (let i = start; i < end; i++) {
    const angle = (2 * Math.PI * hz * i) / rate;
    re += samples[i]! * Math.cos(angle);
    im -= samples[i]! * Math.sin(angle);
  }
  return (2 * Math.hypot(re, im)) / (end - start);
}

function rms(samples: Float32Array): number {
  const start = Math.floor(samples.length * 0.2);
  const end = Math.floor(samples.length * 0.8);
  let sum = 0;
  for (let i = start; i < end; i++) sum += samples[i]! ** 2;
  return Math.sqrt(sum / (end - start));
}

function whole(fromRate: number, toRate: number, input: Float32Array): Float32Array {
  const resampler = new Resampler(fromRate, toRate);
  const head = resampler.process(input);
  const tail = resampler.flush();
  const out = new Float32Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}

for (const fromRate of RESAMPLER_RATES) {
  t.test(`${fromRate} Hz -> 16000 Hz`, async (t) => {
    const input = tone(fromRate, 1000, 0.5, 0.5);
    const output = whole(fromRate, 16000, input);
    t.equal(output.length, Math.ceil((input.length * 16000) / fromRate), 'ceil(n * to / from) output samples');
    const amplitude = amplitudeAt(output, 16000, 1000);
    t.ok(Math.abs(amplitude - 0.5) < 0.005, `1 kHz tone keeps amplitude 0.5 (got ${amplitude.toFixed(4)})`);
    t.ok(amplitudeAt(output, 16000, 1100) < 0.01, 'and its frequency: nothing at 1.1 kHz');
    t.ok(Math.abs(rms(output) - 0.5 / Math.SQRT2) < 0.005, 'no other energy appears');
    const high = tone(fromRate, Math.min(6500, 0.4 * fromRate), 0.5, 0.5);
    t.ok(
      Math.abs(amplitudeAt(whole(fromRate, 16000, high), 16000, Math.min(6500, 0.4 * fromRate)) - 0.5) < 0.02,
      'pass band reaches 6.5 kHz (or 0.4 x input rate)',
    );

    if (fromRate > 16000) {
      // 10 kHz (and 0.45 x input rate) are above the new Nyquist frequency: they must not alias into the output.
      for (const hz of [10000, 0.45 * fromRate]) {
        const aliased = whole(fromRate, 16000, tone(fromRate, hz, 0.5, 0.5));
        t.ok(rms(aliased) < 0.5e-3, `${hz} Hz is rejected by > 60 dB (rms ${rms(aliased).toExponential(2)})`);
      }
    } else if (fromRate < 16000) {
      // Upsampling: the image of a 3 kHz tone (at fromRate - 3 kHz) must be suppressed.
      const up = whole(fromRate, 16000, tone(fromRate, 3000, 0.5, 0.5));
      t.ok(amplitudeAt(up, 16000, fromRate - 3000) < 0.5e-3, `image at ${fromRate - 3000} Hz suppressed`);
    }

    const noise = new Float32Array(fromRate);
    let state = 5;
    for (let i = 0; i < noise.length; i++) {
      state = (state * 48271) % 2147483647;
      noise[i] = state / 2147483647 - 0.5;
    }
    const reference = whole(fromRate, 16000, noise);
    const chunked = new Resampler(fromRate);
    const parts: Float32Array[] = [];
    for (let offset = 0, size = 1; offset < noise.length; offset += size, size = (size * 7 + 3) % 1500) {
      parts.push(chunked.process(noise.subarray(offset, offset + size)));
    }
    parts.push(chunked.flush());
    const joined = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const part of parts) {
      joined.set(part, offset);
      offset += part.length;
    }
    t.ok(Buffer.from(joined.buffer).equals(Buffer.from(reference.buffer)), 'streaming in uneven chunks gives the same bits');
  });
}

t.test('identity, reuse after flush, other target rates, validation', async (t) => {
  const input = tone(16000, 440, 0.1, 0.3);
  const identity = new Resampler(16000);
  t.same(Array.from(identity.process(input)), Array.from(input), '16 kHz passes through unchanged');
  t.equal(identity.flush().length, 0);
  const resampler = new Resampler(48000, 16000);
  const first = whole(48000, 16000, tone(48000, 440, 0.1, 0.3));
  const again = resampler.process(tone(48000, 440, 0.1, 0.3));
  const rest = resampler.flush();
  t.equal(again.length + rest.length, first.length, 'a flushed resampler starts a new stream');
  const down = whole(16000, 8000, tone(16000, 1000, 0.5, 0.5));
  t.ok(Math.abs(amplitudeAt(down, 8000, 1000) - 0.5) < 0.005, '16 kHz -> 8 kHz works too');
  t.equal(resampler.fromRate, 48000);
  t.equal(resampler.toRate, 16000);
  t.throws(() => new Resampler(0), /fromRate = 0 is invalid; allowed: an integer in \[1000, 384000\]/);
  t.throws(() => new Resampler(44100.5), NativeOptionError);
  t.throws(() => new Resampler(48000, 1e6), /toRate = 1000000/);
  t.throws(() => new Resampler(44101, 16000), /toRate = 16000 is invalid; allowed: a rate whose ratio to fromRate \(44101\) reduces to a numerator <= 4096/);
  t.throws(() => new Resampler(383999, 4096), /toRate = 4096 is invalid; allowed: a rate whose ratio to fromRate \(383999\) needs at most 4M filter taps/);
  t.throws(() => resampler.process(new Float32Array([Number.NaN])), /samples\[0\] is nan/);
  t.throws(() => resampler.process([1] as unknown as Float32Array), /samples = \[object Array\]/);
});
