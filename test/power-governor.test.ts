/** The power governor as a pure unit: fake sysfs trees in temp dirs, a synthetic backlog and a fake clock. */
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, validateConfig } from '../daemon/config/load.js';
import type { PowerConfig } from '../daemon/config/schema.js';
import { NO_SPARSE_REASON, PowerGovernor } from '../daemon/power/governor.js';
import { expandPaths, readOnBattery, readTemperature } from '../daemon/power/sensors.js';
import { tempDir } from './fixtures/daemon/harness.js';

/** A sysfs look-alike: thermal_zone*\/temp and power_supply/*\/{online,status}. */
function sysfs(): { root: string; zone(n: number, text: string): void; supply(name: string, file: 'online' | 'status', text: string): void } {
  const root = tempDir('power-sysfs');
  return {
    root,
    zone(n, text) {
      mkdirSync(join(root, 'thermal', `thermal_zone${n}`), { recursive: true });
      writeFileSync(join(root, 'thermal', `thermal_zone${n}`, 'temp'), `${text}\n`);
    },
    supply(name, file, text) {
      mkdirSync(join(root, 'power_supply', name), { recursive: true });
      writeFileSync(join(root, 'power_supply', name, file), `${text}\n`);
    },
  };
}

function powerConfig(root: string, over: Record<string, unknown> = {}): PowerConfig {
  return validateConfig({
    power: {
      mode: 'auto',
      minDwellSec: 0,
      thermal: { paths: [join(root, 'thermal', 'thermal_zone*', 'temp')] },
      battery: { paths: [join(root, 'power_supply', '*', 'online'), join(root, 'power_supply', '*', 'status')] },
      ...over,
    },
  }).power;
}

t.test('config: defaults, and hysteresis needs leave below enter', async (t) => {
  const power = validateConfig({}).power;
  t.same(power, {
    mode: 'auto',
    intervalSec: 5,
    minDwellSec: 60,
    backlog: { enterQueued: 4, leaveQueued: 1 },
    thermal: { paths: ['/sys/class/thermal/thermal_zone*/temp'], enterC: 75, leaveC: 65 },
    battery: { paths: ['/sys/class/power_supply/*/online'], sparseOnBattery: true },
  });
  t.throws(() => validateConfig({ power: { backlog: { enterQueued: 3, leaveQueued: 3 } } }), ConfigError);
  t.throws(
    () => validateConfig({ power: { thermal: { enterC: 70, leaveC: 80 } } }),
    /power\.thermal\.leaveC: must be below power\.thermal\.enterC \(70\) \(got 80\)/,
  );
  t.throws(() => validateConfig({ power: { mode: 'turbo' } }), /power\.mode: must be one of dense, sparse, auto/);
});

t.test('fixed modes apply at once and every change is counted', async (t) => {
  const fs = sysfs();
  const g = new PowerGovernor(powerConfig(fs.root, { mode: 'sparse' }), true);
  t.match(g.state(), { mode: 'sparse', variant: 'sparse', reason: 'power mode sparse', switches: 0, lastSwitchAt: null }, 'the start is not a switch');
  t.equal(g.update(50), null, 'signals do not move a fixed mode');
  t.same(g.setMode('sparse'), null, 'same mode: no change');
  t.same(g.setMode('dense'), { previousMode: 'sparse', mode: 'dense', previousVariant: 'sparse', variant: 'dense', reason: 'power mode dense', switches: 1 });
  t.match(g.state().lastSwitchAt, /^\d{4}-\d\d-\d\dT/);
  // auto with a backlog of 50 goes sparse at once: a requested mode is not held back by the dwell time.
  g.update(50);
  t.match(g.setMode('auto'), { previousMode: 'dense', mode: 'auto', variant: 'sparse', reason: /^backlog 50 queued/, switches: 2 });
});

t.test('a model without a sparse variant always runs dense and says why', async (t) => {
  const fs = sysfs();
  fs.zone(0, '99000');
  const g = new PowerGovernor(powerConfig(fs.root, { mode: 'sparse' }), false);
  t.match(g.state(), { mode: 'sparse', variant: 'dense', reason: NO_SPARSE_REASON, sparseAvailable: false });
  t.match(g.setMode('auto'), { previousMode: 'sparse', mode: 'auto', variant: 'dense', reason: NO_SPARSE_REASON, switches: 0 });
  t.equal(g.update(100), null, 'heat and backlog change nothing');
  t.match(g.state(), { variant: 'dense', switches: 0, signals: { thermal: { celsius: 99, active: true }, backlog: { queued: 100, active: true } } });
});

t.test('backlog: enter and leave thresholds (hysteresis)', async (t) => {
  const fs = sysfs();
  const g = new PowerGovernor(powerConfig(fs.root, { backlog: { enterQueued: 4, leaveQueued: 1 } }), true);
  t.match(g.state(), { variant: 'dense', reason: /^no pressure \(backlog unknown, no cpu temperature, power source unknown\)$/ });
  t.equal(g.update(3), null, 'below enter: dense');
  t.match(g.update(4), { previousVariant: 'dense', variant: 'sparse', reason: 'backlog 4 queued (sparse from 4, dense at 1)', switches: 1 });
  t.equal(g.update(3), null, 'between the thresholds: stays sparse');
  t.equal(g.update(2), null);
  t.match(g.update(1), { previousVariant: 'sparse', variant: 'dense', reason: /^no pressure \(backlog 1 queued/, switches: 2 });
  t.equal(g.update(3), null, 'between the thresholds on the way up: stays dense');
  t.equal(g.update(null), null, 'an unknown backlog is no pressure');
  t.same(g.state().signals.backlog, { queued: null, active: false });
});

t.test('auto on a model whose default variant is the sparse one: sparse with or without pressure, never a switch', async (t) => {
  const fs = sysfs();
  const g = new PowerGovernor(powerConfig(fs.root, { backlog: { enterQueued: 4, leaveQueued: 1 } }), true, 'sparse');
  t.match(g.state(), { mode: 'auto', variant: 'sparse', switches: 0, reason: /^no pressure \(backlog unknown.*\); sparse is the model's default$/ });
  t.equal(g.update(10), null, 'pressure: already sparse');
  t.equal(g.state().reason, 'backlog 10 queued (sparse from 4, dense at 1)');
  t.equal(g.update(0), null, 'calm again: stays sparse');
  t.match(g.setMode('dense'), { previousVariant: 'sparse', variant: 'dense', switches: 1 }, 'dense on request');
  t.match(g.setMode('auto'), { previousVariant: 'dense', variant: 'sparse', switches: 2 });
  const noSparse = new PowerGovernor(powerConfig(fs.root), false, 'sparse');
  t.match(noSparse.state(), { variant: 'dense', reason: NO_SPARSE_REASON }, 'a model without a sparse variant runs dense');
});

t.test('minimum dwell time holds a switch back, then lets it through', async (t) => {
  const fs = sysfs();
  let now = 1_000_000;
  const g = new PowerGovernor(powerConfig(fs.root, { minDwellSec: 60 }), true, 'dense', () => now);
  t.match(g.update(10), { variant: 'sparse', switches: 1 }, 'the first switch needs no dwell');
  now += 10_000;
  t.equal(g.update(0), null, 'pressure gone after 10 s: held');
  t.match(g.state(), { variant: 'sparse', reason: /^no pressure \(.*\); staying sparse for 50 s more \(minDwellSec\)$/ });
  now += 49_000;
  t.equal(g.update(0), null, 'still inside the dwell');
  now += 1_000;
  t.match(g.update(0), { variant: 'dense', switches: 2 }, 'after 60 s: dense');
  now += 1_000;
  t.equal(g.update(10), null, 'pressure again 1 s later: held');
  t.match(g.state().reason, /^backlog 10 queued .*; staying dense for 59 s more/);
});

t.test('cpu temperature: hottest zone, hysteresis, unreadable zones ignored and reported once', async (t) => {
  const fs = sysfs();
  fs.zone(0, '50000');
  fs.zone(1, '80500');
  const g = new PowerGovernor(powerConfig(fs.root), true);
  t.match(g.update(0), { variant: 'sparse', reason: 'cpu 80.5 C (sparse from 75, dense at 65)' });
  t.match(g.state().signals.thermal, { celsius: 80.5, sources: 2, active: true, problems: [] });
  fs.zone(1, '70000');
  t.equal(g.update(0), null, '70 C is between the thresholds: stays sparse');
  fs.zone(1, 'garbage');
  fs.zone(2, '');
  t.match(g.update(0), { variant: 'dense', reason: /cpu 50\.0 C/ }, 'bad zones are left out; the good one (50 C) counts');
  const problems = g.state().signals.thermal.problems;
  t.equal(problems.length, 2);
  t.match(problems[0], /thermal_zone1\/temp: not a temperature in millidegrees \("garbage"\)/);
  t.same(g.newProblems(), problems, 'new problems are handed out once');
  g.update(0);
  t.same(g.newProblems(), [], 'and not again');
  fs.zone(0, '999999999');
  fs.zone(1, '-1');
  g.update(0);
  t.match(g.state().signals.thermal, { celsius: -0.001, sources: 1 });
  t.match(g.newProblems(), [/thermal_zone0\/temp: not a temperature/], 'an impossible value is a problem');
});

t.test('sensor files: missing, globs with no match, relative patterns', async (t) => {
  const fs = sysfs();
  const missing = join(fs.root, 'thermal', 'thermal_zone9', 'temp');
  const reading = readTemperature([missing, join(fs.root, 'nothing-here', '*', 'temp')]);
  t.same(reading.value, null);
  t.equal(reading.sources, 0);
  t.match(reading.problems, [`${missing}: not readable (ENOENT)`], 'a named file that is missing is reported; an empty glob is not');
  fs.zone(3, '40000');
  const cwd = process.cwd();
  process.chdir(fs.root);
  t.teardown(() => process.chdir(cwd));
  t.same(
    expandPaths(['thermal/thermal_zone*/temp', 'thermal/thermal_zone*/temp']),
    [join('thermal', 'thermal_zone3', 'temp')],
    'relative pattern, duplicates dropped',
  );
  t.match(readTemperature(['thermal/thermal_zone*/temp']), { value: 40, sources: 1 });
  const g = new PowerGovernor(powerConfig(fs.root, { thermal: { paths: [missing] } }), true);
  t.equal(g.update(0), null, 'a missing sensor is not pressure');
  t.match(g.state().signals.thermal, { celsius: null, active: false, problems: [/ENOENT/] });
});

t.test('battery: online and status files, mains wins, garbage ignored', async (t) => {
  const fs = sysfs();
  fs.supply('AC', 'online', '1');
  fs.supply('BAT0', 'status', 'Discharging');
  const g = new PowerGovernor(powerConfig(fs.root), true);
  t.equal(g.update(0), null, 'any supply on mains: not on battery');
  t.match(g.state(), { variant: 'dense', reason: /on mains\)$/, signals: { battery: { onBattery: false, sources: 2 } } });
  fs.supply('AC', 'online', '0');
  t.match(g.update(0), { variant: 'sparse', reason: 'on battery' });
  fs.supply('AC', 'online', 'yes');
  fs.supply('BAT0', 'status', 'Full');
  t.match(g.update(0), { variant: 'dense' });
  t.match(g.state().signals.battery, { onBattery: false, sources: 1, problems: [/AC\/online: not a power_supply online \(0\/1\) or status value \("yes"\)/] });
  fs.supply('BAT0', 'status', 'Unknown');
  t.match(readOnBattery([join(fs.root, 'power_supply', '*', 'status')]), { value: null, sources: 1, problems: [] }, 'Unknown says nothing');
  fs.supply('BAT0', 'status', 'Charging');
  fs.supply('AC', 'online', '0');
  t.match(
    readOnBattery([join(fs.root, 'power_supply', '*', 'online'), join(fs.root, 'power_supply', '*', 'status')]),
    { value: false, sources: 2 },
    'a charging battery means mains',
  );

  const ignoring = new PowerGovernor(
    powerConfig(fs.root, { battery: { paths: [join(fs.root, 'power_supply', '*', 'online')], sparseOnBattery: false } }),
    true,
  );
  t.equal(ignoring.update(0), null, 'sparseOnBattery false: on battery is shown, not acted on');
  t.match(ignoring.state(), { variant: 'dense', reason: /on battery\)$/, signals: { battery: { onBattery: true, active: false } } });
});

t.test('several pressures at once are all named; all must clear', async (t) => {
  const fs = sysfs();
  fs.zone(0, '90000');
  fs.supply('AC', 'online', '0');
  const g = new PowerGovernor(powerConfig(fs.root), true);
  t.match(g.update(8), { variant: 'sparse', reason: /^backlog 8 queued .*; cpu 90\.0 C .*; on battery$/ });
  t.equal(g.update(0), null, 'backlog gone, heat and battery remain');
  fs.zone(0, '60000');
  fs.supply('AC', 'online', '1');
  t.match(g.update(0), { variant: 'dense', reason: 'no pressure (backlog 0 queued, cpu 60.0 C, on mains)' });
});
