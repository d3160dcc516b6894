import t from 'tap';
import { messageFor } from '../daemon/mqtt/messages.js';
import { sanitiseDeviceId, Topics } from '../daemon/mqtt/topics.js';

t.test('device ids from hostnames are topic-safe', async (t) => {
  t.equal(sanitiseDeviceId('Kitchen-Pi.local'), 'kitchen-pi_local');
  t.equal(sanitiseDeviceId('jetson nano #2'), 'jetson_nano_2');
  t.equal(sanitiseDeviceId('+/#'), 'hushscribe', 'nothing usable left');
  t.equal(sanitiseDeviceId('x'.repeat(100)).length, 64);
});

t.test('topics are built under <base>/<device> and request actions are parsed back', async (t) => {
  const topics = new Topics('home/hushscribe', 'pi');
  t.equal(topics.availability, 'home/hushscribe/pi/availability');
  t.equal(topics.event('recording_failed'), 'home/hushscribe/pi/event/recording_failed');
  t.equal(topics.actionOf('home/hushscribe/pi/request/pause'), 'pause');
  t.equal(topics.actionOf('home/hushscribe/pi/response/pause'), null);
});

t.test('outbox events map to messages; unknown kinds are skipped; old segment events keep working', async (t) => {
  const topics = new Topics('hs', 'pi');
  const createdAt = new Date(0).toISOString();
  const legacy = messageFor(
    {
      id: 7,
      kind: 'segment',
      createdAt,
      payload: { recordingId: 'r', seq: 2, start: 1, end: 2, text: 'hi [PERSON]', entities: ['PERSON'], model: 'm', variant: 'int8' },
    },
    topics,
    'dense',
  );
  t.match(legacy, {
    topic: 'hs/pi/transcript',
    payload: { eventId: 7, segmentId: 'r:2', entities: [{ type: 'PERSON', audioStart: null, audioEnd: null }], powerMode: 'dense' },
  });
  t.match(messageFor({ id: 8, kind: 'recording.done', createdAt, payload: { recordingId: 'r' } }, topics, 'auto'), {
    topic: 'hs/pi/event/recording_finished',
    payload: { kind: 'recording_finished', data: { recordingId: 'r' } },
  });
  t.equal(messageFor({ id: 9, kind: 'something.new', createdAt, payload: {} }, topics, 'auto'), null);
});
