/**
 * Home Assistant MQTT discovery: one retained config per entity under `<prefix>/<component>/<node>/<object>/config`.
 * Every entity shares the availability topic and the device block, so Home Assistant groups them as one device
 * and greys them out when the daemon is offline.
 */
import { POWER_MODES } from '../config/schema.js';
import type { Topics } from './topics.js';

export interface DiscoveryConfig {
  name: string;
  unique_id: string;
  state_topic?: string;
  value_template?: string;
  command_topic?: string;
  command_template?: string;
  payload_press?: string;
  options?: string[];
  icon?: string;
  state_class?: string;
  unit_of_measurement?: string;
  availability: { topic: string; value_template: string; payload_available: string; payload_not_available: string }[];
  device: { identifiers: string[]; name: string; model: string; manufacturer: string; sw_version: string };
}

export interface DiscoveryMessage {
  topic: string;
  payload: DiscoveryConfig;
}

export function discoveryMessages(topics: Topics, prefix: string, version: string): DiscoveryMessage[] {
  const node = `hushscribe_${topics.device}`;
  const common = {
    availability: [{ topic: topics.availability, value_template: '{{ value_json.state }}', payload_available: 'online', payload_not_available: 'offline' }],
    device: { identifiers: [node], name: `hushscribe ${topics.device}`, model: 'hushscribe', manufacturer: 'hushscribe', sw_version: version },
  };
  const entity = (component: string, object: string, fields: Omit<DiscoveryConfig, 'unique_id' | 'availability' | 'device'>): DiscoveryMessage => ({
    topic: `${prefix}/${component}/${node}/${object}/config`,
    payload: { ...fields, unique_id: `${node}_${object}`, ...common },
  });
  return [
    entity('sensor', 'status', { name: 'Status', state_topic: topics.state, value_template: '{{ value_json.status }}', icon: 'mdi:microphone-message' }),
    // A sensor's state is at most 255 characters; the full redacted text stays in the transcript payload.
    entity('sensor', 'last_transcript', {
      name: 'Last transcript',
      state_topic: topics.transcript,
      value_template: '{{ value_json.text | truncate(250) }}',
      icon: 'mdi:text',
    }),
    entity('sensor', 'queue_depth', {
      name: 'Queue depth',
      state_topic: topics.state,
      value_template: '{{ value_json.queueDepth }}',
      state_class: 'measurement',
      unit_of_measurement: 'recordings',
      icon: 'mdi:tray-full',
    }),
    entity('sensor', 'power_mode', { name: 'Power mode', state_topic: topics.state, value_template: '{{ value_json.powerMode }}', icon: 'mdi:flash' }),
    entity('select', 'power_mode_select', {
      name: 'Power mode',
      state_topic: topics.state,
      value_template: '{{ value_json.powerMode }}',
      command_topic: topics.request('set_power_mode'),
      command_template: '{"mode": "{{ value }}"}',
      options: [...POWER_MODES],
      icon: 'mdi:flash',
    }),
    entity('button', 'pause', { name: 'Pause', command_topic: topics.request('pause'), payload_press: '{}', icon: 'mdi:pause' }),
    entity('button', 'resume', { name: 'Resume', command_topic: topics.request('resume'), payload_press: '{}', icon: 'mdi:play' }),
  ];
}
