// Who calls the analyst service: the analyst a client certificate from the coordinator's CA proves (TLS), or, on a
// plaintext loopback coordinator, the analyst whose identity signed the call. Either must be registered and active.
import * as grpc from '@grpc/grpc-js';
import { ANALYST_CALL_METADATA } from '@tessera/proto';
import { analystRefusal } from '../analysts/analyst-rules.js';
import { SignedCalls } from '../analysts/signed-calls.js';
import { certifiesKey, type ClientCertificates } from '../identity/client-certificates.js';
import type { AnalystRecord, Store } from '../store/store.js';

const grpcError = (code: grpc.status, details: string): grpc.ServiceError =>
  Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });

/** What a call shows of itself: its metadata and its TLS peer. */
export type AnalystCall = Pick<grpc.ServerUnaryCall<unknown, unknown>, 'metadata' | 'getAuthContext'>;

const JOIN =
  'join with the invitation the coordinator operator gave you (tessera analyst join INVITATION --keys FILE), ' +
  'then pass the same --keys FILE';

export class AnalystAuth {
  private readonly signed = new SignedCalls();

  constructor(
    private readonly store: Store,
    private readonly certificates: ClientCertificates | undefined,
  ) {}

  /** The calling analyst (active), or the error that refuses the call of `method` (its path). */
  async authenticate(call: AnalystCall, method: string): Promise<AnalystRecord | grpc.ServiceError> {
    const who = this.certificates ? await this.byCertificate(call) : await this.bySignature(call, method);
    if (who instanceof Error) return who;
    const refusal = analystRefusal(who);
    return refusal ? grpcError(grpc.status.PERMISSION_DENIED, refusal) : who;
  }

  private async byCertificate(call: AnalystCall): Promise<AnalystRecord | grpc.ServiceError> {
    const peer = this.certificates!.peerOf(call, 'analyst');
    if ('problem' in peer)
      return grpcError(
        grpc.status.UNAUTHENTICATED,
        'this coordinator authenticates each analyst by the client certificate its CA issues when the analyst ' +
          `joins, and ${peer.problem}; ${JOIN}`,
      );
    const analyst = await this.store.getAnalyst(peer.identity.id);
    if (!analyst?.publicKey)
      return grpcError(
        grpc.status.UNAUTHENTICATED,
        `the client certificate names analyst ${peer.identity.id}, who is not registered at this coordinator; ${JOIN}`,
      );
    if (!certifiesKey(peer.identity, analyst.publicKey))
      return grpcError(
        grpc.status.PERMISSION_DENIED,
        `the client certificate was issued for another identity key than analyst ${analyst.name}'s: ` +
          'renew it with the key file you joined with (tessera analyst join --keys FILE)',
      );
    return analyst;
  }

  private async bySignature(call: AnalystCall, method: string): Promise<AnalystRecord | grpc.ServiceError> {
    const checked = this.signed.check(method, call.metadata.get(ANALYST_CALL_METADATA)[0]?.toString());
    if ('problem' in checked) return grpcError(grpc.status.UNAUTHENTICATED, checked.problem);
    const analyst = await this.store.analystByKey(checked.identity);
    if (!analyst)
      return grpcError(
        grpc.status.UNAUTHENTICATED,
        `identity ${Buffer.from(checked.identity).toString('hex')} is not a registered analyst at this coordinator; ` +
          JOIN,
      );
    return analyst;
  }
}
