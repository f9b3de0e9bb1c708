import { describe, expect, it } from 'vitest';
import { assertInsecureAllowed, isLoopbackAddress, isLoopbackHost, splitAddress } from '@tessera/transport';

describe('loopback', () => {
  it('knows the loopback range, ::1 and localhost', () => {
    for (const h of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost'])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of [
      '0.0.0.0',
      '10.0.0.1',
      '128.0.0.1',
      '::',
      '::2',
      'example.com',
      'localhost.example.com',
      '1.127.0.0',
    ])
      expect(isLoopbackHost(h), h).toBe(false);
  });

  it('splits host:port addresses, IPv6 in brackets', () => {
    expect(splitAddress('127.0.0.1:7070')).toEqual({ host: '127.0.0.1', port: 7070 });
    expect(splitAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(splitAddress('dns:coordinator.example.com:443')).toEqual({ host: 'coordinator.example.com', port: 443 });
    expect(() => splitAddress('coordinator.example.com')).toThrow(/not a host:port address/);
    expect(isLoopbackAddress('[::1]:7070')).toBe(true);
  });

  it('allows plaintext on loopback only, and says how to get TLS', () => {
    expect(() => assertInsecureAllowed('127.0.0.1:7070', 'the coordinator')).not.toThrow();
    expect(() => assertInsecureAllowed('localhost:7070', 'the coordinator')).not.toThrow();
    expect(() => assertInsecureAllowed('0.0.0.0:7070', 'the coordinator')).toThrow(
      'the coordinator refuses --insecure for 0.0.0.0:7070: plaintext is allowed only on loopback',
    );
    expect(() => assertInsecureAllowed('192.0.2.1:7070', 'this participant')).toThrow(/drop --insecure to use TLS/);
  });
});

describe('several coordinator replicas in one address', () => {
  it('turns a list of IP addresses into one gRPC target of their family', async () => {
    const { grpcTarget, splitAddresses } = await import('@tessera/transport');
    expect(grpcTarget('127.0.0.1:7070')).toBe('127.0.0.1:7070');
    expect(grpcTarget('coordinator.example.com:7070')).toBe('coordinator.example.com:7070');
    expect(grpcTarget('127.0.0.1:7070, 127.0.0.2:7071')).toBe('ipv4:127.0.0.1:7070,127.0.0.2:7071');
    expect(grpcTarget('[::1]:7070,[::1]:7071')).toBe('ipv6:[::1]:7070,[::1]:7071');
    expect(splitAddresses('127.0.0.1:1,127.0.0.1:2')).toEqual([
      { host: '127.0.0.1', port: 1 },
      { host: '127.0.0.1', port: 2 },
    ]);
  });

  it('refuses a list of names or of mixed families, saying what to give instead', async () => {
    const { grpcTarget } = await import('@tessera/transport');
    expect(() => grpcTarget('a.example.com:7070,b.example.com:7070')).toThrow(/one DNS name that resolves to every/);
    expect(() => grpcTarget('127.0.0.1:7070,[::1]:7070')).toThrow(/IP addresses of one family/);
    expect(() => grpcTarget('127.0.0.1:7070,nonsense')).toThrow(/not a host:port address/);
  });

  it('allows plaintext for a list only when every replica is on loopback', async () => {
    const { isLoopbackAddress } = await import('@tessera/transport');
    expect(isLoopbackAddress('127.0.0.1:1,127.0.0.2:2')).toBe(true);
    expect(isLoopbackAddress('127.0.0.1:1,10.0.0.2:2')).toBe(false);
  });
});
