/** Cuts a sample stream into frames of a fixed size. */
export class Framer {
  private frame: Float32Array;
  private fill = 0;

  constructor(private readonly size: number) {
    this.frame = new Float32Array(size);
  }

  *push(samples: Float32Array): Generator<Float32Array> {
    let at = 0;
    while (at < samples.length) {
      const take = Math.min(this.size - this.fill, samples.length - at);
      this.frame.set(samples.subarray(at, at + take), this.fill);
      this.fill += take;
      at += take;
      if (this.fill === this.size) {
        yield this.frame;
        this.frame = new Float32Array(this.size);
        this.fill = 0;
      }
    }
  }

  flush(): Float32Array | undefined {
    return this.fill > 0 ? this.frame.slice(0, this.fill) : undefined;
  }
}
