/**
 * The source of one SecureBoost host worker thread, run with `new Worker(source, { eval: true })` so that it needs no
 * build step (the tests run this package from its TypeScript sources), as psi's blinding workers do.
 *
 * The worker loads node-seal once, opens the BFV context of the parameters in `workerData` and loads the Galois key
 * once. It holds its share of the gradient chunks' row rotations rot(v, d) in NTT form: a range of steps d of each
 * chunk assigned to it (a chunk may be split between two workers). For a histogram job it builds the hybrid-diagonal
 * selection plaintexts of its chunks only (host-crypto.ts explains the method) and returns its partial sum, still in
 * NTT form and unmasked, to the host's main thread, which adds the partial sums of every worker and masks the total.
 * Nothing here leaves the host.
 *
 * Replies are synchronous for the main thread: the worker posts on its MessagePort, then raises a shared flag and
 * notifies; the main thread waits on the flag (Atomics.wait) and takes the reply with receiveMessageOnPort.
 */
export const HOST_WORKER_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const { port, signal, sealPath, params, galoisKey } = workerData;
const flag = new Int32Array(signal);
let s, context, evaluator, encoder, galois, parmsId;
/** chunk index -> { from, to, rotations }: rot(v, d) in NTT form for from <= d < to */
const chunks = new Map();

function reply(message, transfer) {
  port.postMessage(message, transfer || []);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

function clearChunks() {
  for (const held of chunks.values()) for (const c of held.rotations) c.delete();
  chunks.clear();
}

function setGradients(list) {
  clearChunks();
  for (const { index, bytes, from, to } of list) {
    const rotations = [];
    chunks.set(index, { from, to, rotations });
    const current = s.CipherText();
    try {
      current.loadArray(context, bytes);
      if (current.size !== 2) throw new Error('a gradient ciphertext has ' + current.size + ' components, expected 2');
      for (let d = 0; d < to; d++) {
        if (d > 0) evaluator.rotateRows(current, 1, galois, current);
        if (d < from) continue;
        const ntt = s.CipherText();
        rotations.push(ntt);
        evaluator.cipherTransformToNtt(current, ntt);
        if (parmsId === undefined) parmsId = ntt.parmsId;
      }
    } finally {
      current.delete();
    }
  }
}

/** The partial bin sums of this worker's chunks for rows (sorted global indices) and bins (one column per feature). */
function histogram(rows, bins, slotsPerFeature) {
  const n = params.polyModulusDegree;
  const m = n / 2;
  const k = params.classes;
  const acc = s.CipherText();
  const plain = s.PlainText();
  const plainNtt = s.PlainText();
  const product = s.CipherText();
  try {
    let empty = true;
    const diagonals = new Map();
    let at = 0;
    const indices = [...chunks.keys()].sort((a, b) => a - b);
    for (const c of indices) {
      const start = c * n;
      const end = start + n;
      while (at < rows.length && rows[at] < start) at++;
      diagonals.clear();
      const held = chunks.get(c);
      for (; at < rows.length && rows[at] < end; at++) {
        const row = rows[at];
        const local = row - start;
        const half = local >= m ? m : 0;
        const j = local - half;
        for (let f = 0; f < bins.length; f++) {
          const cls = f * slotsPerFeature + bins[f][row];
          const d = (((j - cls) % k) + k) % k;
          if (d < held.from || d >= held.to) continue;
          let diag = diagonals.get(d);
          if (!diag) diagonals.set(d, (diag = new Uint32Array(n)));
          diag[half + ((j - d + m) % m)] = 1;
        }
      }
      for (const [d, diag] of diagonals) {
        const rotated = held.rotations[d - held.from];
        encoder.encode(diag, plain);
        evaluator.plainTransformToNtt(plain, parmsId, plainNtt);
        if (empty) {
          evaluator.multiplyPlain(rotated, plainNtt, acc);
          empty = false;
        } else {
          evaluator.multiplyPlain(rotated, plainNtt, product);
          evaluator.add(acc, product, acc);
        }
      }
    }
    return empty ? undefined : acc.saveArray(s.ComprModeType.none);
  } finally {
    acc.delete();
    plain.delete();
    plainNtt.delete();
    product.delete();
  }
}

port.on('message', (job) => {
  try {
    if (job.op === 'gradients') {
      setGradients(job.chunks);
      reply({ ok: true });
    } else if (job.op === 'histogram') {
      const partial = histogram(job.rows, job.bins, job.slotsPerFeature);
      if (partial === undefined) reply({ ok: true });
      else reply({ ok: true, partial });
    } else if (job.op === 'close') {
      clearChunks();
      if (parmsId !== undefined) parmsId.delete();
      galois.delete();
      encoder.delete();
      evaluator.delete();
      context.delete();
      reply({ ok: true });
      port.close();
    } else {
      throw new Error('unknown job ' + job.op);
    }
  } catch (e) {
    reply({ error: e instanceof Error ? e.message : String(e) });
  }
});

(async () => {
  try {
    const load = require(sealPath);
    s = await (load.default || load)();
    const parms = s.EncryptionParameters(s.SchemeType.bfv);
    const coeff = s.CoeffModulus.BFVDefault(params.polyModulusDegree, s.SecurityLevel.tc128);
    const plainModulus = s.Modulus(BigInt(params.plainModulus));
    try {
      parms.setPolyModulusDegree(params.polyModulusDegree);
      parms.setCoeffModulus(coeff);
      parms.setPlainModulus(plainModulus);
      context = s.Context(parms, true, s.SecurityLevel.tc128);
    } finally {
      parms.delete();
      coeff.delete();
      plainModulus.delete();
    }
    if (!context.parametersSet()) throw new Error('SEAL refused the SecureBoost BFV parameters');
    evaluator = s.Evaluator(context);
    encoder = s.BatchEncoder(context);
    galois = s.GaloisKeys();
    galois.loadArray(context, galoisKey);
    reply({ ready: true });
  } catch (e) {
    reply({ error: e instanceof Error ? e.message : String(e) });
  }
})();
`;
