import type { experimental } from '@grpc/grpc-js';

type Provider = experimental.CertificateProvider;
type CaListener = experimental.CaCertificateUpdateListener;
type IdentityListener = experimental.IdentityCertificateUpdateListener;

/**
 * Certificates held in memory for grpc-js's certificate-provider server credentials: the CA whose client
 * certificates the server asks for, and the server's own chain and key. `update` swaps them on a running server
 * (certificate rotation without a restart).
 */
export class MemoryCertificateProvider implements Provider {
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();

  constructor(
    private ca: Buffer,
    private identity: { certificate: Buffer; privateKey: Buffer },
  ) {}

  update(ca: Buffer, identity: { certificate: Buffer; privateKey: Buffer }): void {
    this.ca = ca;
    this.identity = identity;
    for (const l of this.caListeners) l({ caCertificate: ca });
    for (const l of this.identityListeners) l(identity);
  }

  // grpc-js registers its listeners before the server's watcher: the first update must come after that, as
  // grpc-js's own file-watching provider delivers it, or the server never learns its certificates.
  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    queueMicrotask(() => this.caListeners.has(listener) && listener({ caCertificate: this.ca }));
  }
  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }
  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    queueMicrotask(() => this.identityListeners.has(listener) && listener(this.identity));
  }
  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }
}
