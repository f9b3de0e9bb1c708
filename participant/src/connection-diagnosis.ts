// Turns grpc-js's raw "No connection established. Last error: ..." into what happened and what to check.

/** The raw gRPC text without its boilerplate ("No connection established. Last error:", "Resolution note:"). */
function rawCause(details: string): string {
  return details
    .replace(/No connection established\.\s*(Last error:\s*)?/i, '')
    .replace(/\s*Resolution note:.*$/is, '')
    .replace(/\s*\(\d{1,2}:\d{2}:\d{2}\.\d+\)/g, '')
    .trim();
}

/**
 * One sentence on why the coordinator at `address` cannot be reached, naming what to check: a coordinator that is
 * not running (nothing listens on the port), an address that does not resolve, a host that does not answer, or a
 * connection cut during setup (usually TLS on one side only, or a pinned fingerprint that no longer matches).
 */
export function describeConnectionFailure(address: string, details: string): string {
  const cause = rawCause(details);
  if (/ECONNREFUSED/.test(details))
    return (
      `the coordinator at ${address} is not running (nothing accepts connections on that port): start it ` +
      "(tessera coordinator start), or correct the coordinator address in this node's config"
    );
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo|Name resolution failed|DNS resolution failed/i.test(details))
    return `the host name in ${address} does not resolve: check the coordinator address in this node's config`;
  if (/ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|timed out|Deadline/i.test(details))
    return (
      `no answer from ${address}: check the address, the network and any firewall between this node and the ` +
      'coordinator (the node needs one outbound port to it)'
    );
  if (/ECONNRESET|EPIPE|socket hang up|handshake|TLS|SSL|certificate/i.test(details))
    return (
      `the connection to ${address} closed during setup (${cause || 'no reason given'}): check that both sides use ` +
      "TLS, and that the node's coordinatorCa matches the coordinator's TLS fingerprint " +
      '(tessera participant pin --tls-fingerprint ...)'
    );
  return `${cause || 'no reason given'}: check the coordinator address, that the coordinator is running, and TLS`;
}
