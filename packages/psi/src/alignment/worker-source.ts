/**
 * The source of one blinding worker, run with `new Worker(source, { eval: true })` so that it needs no build step
 * (the tests run this package from its TypeScript sources). It loads libsodium from the path in `workerData`,
 * and for each job multiplies 32-byte inputs by the job's scalar: 'hash' inputs are salted keys, hashed to
 * ristretto255 first (RFC 9380 expand_message_xmd with SHA-512, as group.ts's `expandMessageXmd64`); 'mult'
 * inputs are points, validated first. The scalar copy is zeroised after each job.
 */
export const BLINDING_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const sodium = require(workerData.sodiumPath);
const expanders = new Map();
function expander(dst) {
  let e = expanders.get(dst);
  if (e === undefined) {
    let d = Buffer.from(dst, 'utf8');
    if (d.length > 255) d = createHash('sha512').update('H2C-OVERSIZE-DST-').update(d).digest();
    const dstPrime = Buffer.concat([d, Buffer.from([d.length])]);
    e = { dstPrime, zPad: createHash('sha512').update(Buffer.alloc(128)) };
    expanders.set(dst, e);
  }
  return e;
}
const LIB_STR = Buffer.from([0, 64, 0]);
const ONE = Buffer.from([1]);
function xmd(msg, dst) {
  const e = expander(dst);
  const b0 = e.zPad.copy().update(msg).update(LIB_STR).update(e.dstPrime).digest();
  return createHash('sha512').update(b0).update(ONE).update(e.dstPrime).digest();
}
function isIdentity(p) {
  let acc = 0;
  for (let i = 0; i < 32; i++) acc |= p[i];
  return acc === 0;
}
function run(job) {
  const { op, input, scalar, dst } = job;
  const n = input.length / 32;
  const out = new Uint8Array(input.length);
  for (let i = 0; i < n; i++) {
    const x = input.subarray(i * 32, (i + 1) * 32);
    let p = x;
    if (op === 'hash') p = sodium.crypto_core_ristretto255_from_hash(xmd(x, dst));
    else if (isIdentity(x) || !sodium.crypto_core_ristretto255_is_valid_point(x)) return { bad: i };
    out.set(sodium.crypto_scalarmult_ristretto255(scalar, p), i * 32);
  }
  return { output: out };
}
sodium.ready.then(() => {
  parentPort.on('message', (job) => {
    let reply;
    try {
      reply = run(job);
    } catch (e) {
      reply = { error: String((e && e.message) || e) };
    } finally {
      job.scalar.fill(0);
    }
    parentPort.postMessage(reply, reply.output ? [reply.output.buffer] : []);
  });
  parentPort.postMessage({ ready: true });
});
`;
