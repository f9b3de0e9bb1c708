// A federation embedded in your own program with @tessera/sdk:
// start a coordinator, enrol and start three participant nodes (each with its own CSV file),
// submit a training job as an analyst, follow it, and score new rows with the result.
//
//   node examples/sdk/quickstart.mjs            (after npm install)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  connectLocalAnalyst,
  createEnrollmentToken,
  initParticipant,
  modelFileFrom,
  scoreCsv,
  startCoordinator,
  startParticipant,
} from '@tessera/sdk';
import { readCsvFile, selectRows, toCsv } from '@tessera/data';

const work = mkdtempSync(join(tmpdir(), 'tessera-sdk-example-'));
const data = readCsvFile(fileURLToPath(new URL('../data/breast_cancer.csv', import.meta.url)));

// 1. A coordinator on a free loopback port, its state in `work/coordinator`.
const coordinator = await startCoordinator({ dataDir: join(work, 'coordinator'), listen: '127.0.0.1:0' });

// 2. Three merchants, each with its own rows (every 4th row is kept back for scoring at the end).
const nodes = [];
for (let m = 0; m < 3; m++) {
  const rows = data.rows.map((_, i) => i).filter((i) => i % 4 !== 3 && i % 3 === m);
  const csv = join(work, `merchant-${m}.csv`);
  writeFileSync(csv, toCsv(selectRows(data, rows)));
  const token = await createEnrollmentToken(join(work, 'coordinator'), `merchant-${m}`);
  // initParticipant writes a starter consent policy (docs/privacy.md): differential privacy is
  // required unless a data set opts out. These rows are a public data set, so they opt out and the
  // job below runs without DP; with real customers leave allowWithoutPrivacy out and submit with
  // privacy: { mode: 'distributed', unit: 'record', epsilon: 8, delta: 1e-6 }.
  const { configPath } = await initParticipant({
    dir: join(work, `merchant-${m}`),
    coordinator: coordinator.address,
    token,
    name: `merchant-${m}`,
    datasets: { patients: { type: 'csv', path: csv } },
    allowWithoutPrivacy: ['patients'],
  });
  nodes.push(await startParticipant(configPath));
}

// 3. An analyst submits a job and follows it round by round. It has an identity of its own (a fresh one here; pass
// `identity: keys` for the keys of tessera keys create), registered on the coordinator's data directory as its
// operator can, with a client certificate from the coordinator's CA; it sees only its own jobs.
const analyst = await connectLocalAnalyst({
  dataDir: join(work, 'coordinator'),
  address: coordinator.address,
  security: coordinator.clientSecurity,
  name: 'quickstart',
});
const job = await analyst.submit({ dataset: 'patients', label: 'benign', rounds: 5, minParticipants: 3 });
const final = await analyst.watch(job.id, (j, message) =>
  console.log(`[${j.roundsCompleted}/${j.roundsTotal}] ${message}`),
);
console.log(`job ${final.id}: ${final.status}`);

// 4. The model, scored on rows no participant trained on.
const model = modelFileFrom(await analyst.result(job.id));
const heldOut = join(work, 'held-out.csv');
writeFileSync(
  heldOut,
  toCsv(
    selectRows(
      data,
      data.rows.map((_, i) => i).filter((i) => i % 4 === 3),
    ),
  ),
);
const { metrics } = scoreCsv(model, heldOut);
console.log(`held-out AUC ${metrics.auc.toFixed(4)}, accuracy ${metrics.accuracy.toFixed(4)}`);

analyst.close();
await Promise.all(nodes.map((n) => n.stop()));
await coordinator.stop();
rmSync(work, { recursive: true, force: true });
