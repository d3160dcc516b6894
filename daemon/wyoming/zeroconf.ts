/**
 * Announces the Wyoming server as `_wyoming._tcp` over mDNS, so Home Assistant's Wyoming integration discovers
 * it. bonjour-service is used rather than hand-written mDNS: it is maintained, typed, and built on the widely
 * used multicast-dns package (responds to queries, re-announces, sends goodbye packets on stop).
 */
import Bonjour from 'bonjour-service';

export class ZeroconfAnnouncer {
  private bonjour: Bonjour | null = null;
  private service: Bonjour.Service | null = null;

  constructor(
    private readonly name: string,
    private readonly port: number,
  ) {}

  start(onError: (err: Error) => void): void {
    this.bonjour = new Bonjour({}, onError);
    this.service = this.bonjour.publish({ name: this.name, type: 'wyoming', protocol: 'tcp', port: this.port, txt: { asr: 'hushscribe' } });
    this.service.on('error', onError);
  }

  async stop(): Promise<void> {
    const bonjour = this.bonjour;
    this.bonjour = null;
    if (!bonjour) return;
    await new Promise<void>((done) => bonjour.unpublishAll(() => done()));
    bonjour.destroy();
  }
}
