/**
 * A feature of the daemon (pipeline, a source, the control socket, MQTT, ...), started and stopped by the
 * controller. As in zigbee2mqtt, one that fails is logged and reported in `status`, never fatal.
 */
export interface Feature {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface FeatureState {
  state: 'stopped' | 'running' | 'failed';
  error: string | null;
}
