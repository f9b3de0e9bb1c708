import { describe, expect, it } from 'vitest';
import { CHUNK_VALUES, tessera } from '@tessera/proto';
import { Uploader, type Body, type Upload } from '../src/uploader.js';

const pb = tessera.v1;
const ref = (round: number): tessera.v1.ITaskRef => ({ jobId: 'job-u', round, stage: pb.Stage.FIT, attempt: 1 });

/** An outbox that records what the uploader sends. */
function outbox() {
  const sent: Body[] = [];
  return {
    sent,
    send: async (b: Body) => {
      sent.push(b);
    },
  };
}

/** The body kinds sent, in order ("update", "masked", ...). */
const kinds = (sent: Body[]) => sent.map((b) => Object.keys(b).find((k) => b[k as keyof Body] !== undefined));

describe('Uploader: the one chunked upload of plain, masked and sealed vectors', () => {
  const n = 2 * CHUNK_VALUES + 7;

  it('announces a plain update with its length, waits for the grant, then every value in order and done', async () => {
    const values = Float64Array.from({ length: n }, (_, i) => i + 0.5);
    const { sent, send } = outbox();
    const u = new Uploader();
    const done = { task: ref(1), numExamples: 12, metrics: [{ name: 'train_loss', value: 0.25 }] };
    await u.offer({ send, ref: ref(1), upload: { kind: 'update', values }, done });
    expect(sent).toEqual([{ ready: { task: ref(1), total: n } }]);

    await u.grant(ref(2)); // another task's grant sends nothing
    expect(sent).toHaveLength(1);
    await u.grant(ref(1));
    expect(kinds(sent)).toEqual(['ready', 'update', 'update', 'update', 'done']);
    const chunks = sent.slice(1, 4).map((b) => b.update!.chunk!);
    expect(chunks.map((c) => [c.offset, c.total, (c.values as unknown as Float64Array).length])).toEqual([
      [0, n, CHUNK_VALUES],
      [CHUNK_VALUES, n, CHUNK_VALUES],
      [2 * CHUNK_VALUES, n, 7],
    ]);
    const joined = chunks.flatMap((c) => [...(c.values as unknown as Float64Array)]);
    expect(joined).toEqual([...values]);
    expect(sent[4]).toEqual({ done });

    await u.grant(ref(1)); // a grant is used once
    expect(sent).toHaveLength(5);
  });

  it('sends masked words in chunks and sealed ciphertexts one per message, each followed by done', async () => {
    const words = Uint32Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 0);
    const ciphertexts = [Uint8Array.of(1, 2), Uint8Array.of(3), Uint8Array.of(4, 5, 6)];
    const cases: [Upload, number, string][] = [
      [{ kind: 'masked', words }, n, 'masked'],
      [{ kind: 'sealed', ciphertexts }, 3, 'sealed'],
    ];
    for (const [upload, total, kind] of cases) {
      const { sent, send } = outbox();
      const u = new Uploader();
      await u.offer({ send, ref: ref(3), upload, done: { task: ref(3), numExamples: 0 } });
      await u.grant(ref(3));
      expect(sent[0]).toEqual({ ready: { task: ref(3), total } });
      expect(kinds(sent)).toEqual(['ready', kind, kind, kind, 'done']);
      if (kind === 'masked') {
        const got = sent.slice(1, 4).flatMap((b) => [...(b.masked!.chunk!.words as unknown as Uint32Array)]);
        expect(got).toEqual([...words]);
        expect(sent.slice(1, 4).map((b) => b.masked!.chunk!.offset)).toEqual([0, CHUNK_VALUES, 2 * CHUNK_VALUES]);
      } else {
        expect(sent.slice(1, 4).map((b) => [b.sealed!.index, b.sealed!.total, b.sealed!.ciphertext])).toEqual(
          ciphertexts.map((c, i) => [i, 3, c]),
        );
      }
      expect(sent[4]).toEqual({ done: { task: ref(3), numExamples: 0 } });
    }
  });

  it('stops sending when the task is cancelled mid-upload, and sends no done', async () => {
    const values = new Float64Array(n);
    const { sent, send } = outbox();
    let cancelled = false;
    const sendThenCancel = async (b: Body) => {
      await send(b);
      if (b.update) cancelled = true; // the task is cancelled while its first chunk is on the wire
    };
    const u = new Uploader();
    await u.offer({
      send: sendThenCancel,
      ref: ref(4),
      upload: { kind: 'update', values },
      done: { task: ref(4) },
      cancelled: () => cancelled,
    });
    await u.grant(ref(4));
    expect(kinds(sent)).toEqual(['ready', 'update']);
  });

  it('holds one upload at a time: a new offer replaces the one waiting, and clear forgets it', async () => {
    const { sent, send } = outbox();
    const u = new Uploader();
    await u.offer({
      send,
      ref: ref(5),
      upload: { kind: 'sealed', ciphertexts: [Uint8Array.of(5)] },
      done: { task: ref(5) },
    });
    await u.offer({
      send,
      ref: ref(6),
      upload: { kind: 'sealed', ciphertexts: [Uint8Array.of(6)] },
      done: { task: ref(6) },
    });
    await u.grant(ref(5));
    expect(kinds(sent)).toEqual(['ready', 'ready']);
    u.clear();
    await u.grant(ref(6));
    expect(kinds(sent)).toEqual(['ready', 'ready']);
  });
});
