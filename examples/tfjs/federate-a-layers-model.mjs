// Federated training of your own TensorFlow.js model, in one process: three "participants" hold a third of the
// digits data each, train the shared LayersModel locally, and a plain FedAvg loop averages their parameter deltas.
// What this example does NOT do: no coordinator, no gRPC, no secure aggregation, no differential privacy - a real
// job sends the topology (topologyOf) and the flat parameters to participant processes and sums their deltas
// securely. It shows the part that is yours: the model, wrapped by tfjsModel, trained over flat parameters.
//
//   npm run build && node examples/tfjs/federate-a-layers-model.mjs
import { readFileSync } from 'node:fs';
import { seededRandom, takeRows, trainModel } from '@tessera/ml';
import { tf, tfjsModel, tfl, topologyOf } from '@tessera/tfjs';

// tfjs's CPU backend prints an "install tfjs-node" banner on first use; production mode silences it.
tf.enableProdMode();

const ROUNDS = 10;
const PARTICIPANTS = 3;
const LOCAL = { learningRate: 0.1, batchSize: 32, epochs: 2, optimiser: 'sgd' };

/** digits.csv: 64 pixel columns, then the digit; standardised with the pooled mean and std for brevity (a real
 * job computes them from securely summed moments). */
function loadDigits() {
  const [, ...lines] = readFileSync(new URL('../data/digits.csv', import.meta.url), 'utf8')
    .trim()
    .split('\n');
  const rows = lines.map((l) => l.split(',').map(Number));
  const n = rows.length;
  const d = rows[0].length - 1;
  const x = new Float64Array(n * d);
  const y = new Float64Array(n);
  rows.forEach((r, i) => {
    x.set(r.slice(0, d), i * d);
    y[i] = r[d];
  });
  for (let j = 0; j < d; j++) {
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < n; i++) sum += x[i * d + j];
    const mean = sum / n;
    for (let i = 0; i < n; i++) squares += (x[i * d + j] - mean) ** 2;
    const std = Math.sqrt(squares / n) || 1;
    for (let i = 0; i < n; i++) x[i * d + j] = (x[i * d + j] - mean) / std;
  }
  return { x, y, n, d };
}

function accuracy(model, params, data) {
  const p = model.predict(params, data);
  let right = 0;
  for (let i = 0; i < data.n; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (p[i * 10 + c] > p[i * 10 + best]) best = c;
    if (best === data.y[i]) right++;
  }
  return right / data.n;
}

// Your model, defined in code.
const net = tfl.sequential({
  layers: [
    tfl.layers.dense({ inputShape: [64], units: 32, activation: 'relu' }),
    tfl.layers.dense({ units: 10, activation: 'softmax' }),
  ],
});
const model = tfjsModel(net, { task: 'multiclass' });
console.log(`model: ${model.size} parameters; topology ${JSON.stringify(topologyOf(net)).length} bytes of JSON`);

// A held-out fifth for evaluation; the rest dealt to the participants.
const rng = seededRandom('federate-a-layers-model');
const all = loadDigits();
const order = Array.from({ length: all.n }, (_, i) => i);
rng.shuffle(order);
const cut = Math.round(all.n * 0.8);
const test = takeRows(all, order.slice(cut));
const shards = Array.from({ length: PARTICIPANTS }, (_, k) =>
  takeRows(
    all,
    order.slice(0, cut).filter((_, i) => i % PARTICIPANTS === k),
  ),
);

let global = model.init(rng); // Glorot-uniform from the job's seed: every participant could draw the same
for (let round = 1; round <= ROUNDS; round++) {
  const sum = new Float64Array(model.size);
  let rows = 0;
  shards.forEach((data, k) => {
    // Each participant: local training from the global parameters, then the delta weighted by its row count.
    const local = trainModel(model, global, data, LOCAL, seededRandom(`participant ${k} round ${round}`));
    for (let j = 0; j < model.size; j++) sum[j] += data.n * (local.params[j] - global[j]);
    rows += data.n;
  });
  // FedAvg: the global model moves by the row-weighted mean delta.
  global = global.map((w, j) => w + sum[j] / rows);
  console.log(`round ${round}: held-out accuracy ${accuracy(model, global, test).toFixed(3)}`);
}
console.log(`final accuracy ${accuracy(model, global, test).toFixed(3)} on ${test.n} held-out rows`);
