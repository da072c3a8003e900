import { AddressGuard, isNonPublicAddress } from './address-guard';
import { FetchError } from './http-fetcher';

describe('isNonPublicAddress', () => {
  it.each([
    ['127.0.0.1', true], ['10.1.2.3', true], ['172.16.0.1', true], ['172.31.255.255', true], ['192.168.1.1', true],
    ['169.254.169.254', true], ['0.0.0.0', true], ['100.64.0.1', true], ['::1', true], ['fe80::1', true], ['fd00::1', true],
    ['::ffff:127.0.0.1', true], ['::ffff:10.0.0.1', true], ['not an ip', true],
    ['8.8.8.8', false], ['172.32.0.1', false], ['114.114.114.114', false], ['2400:3200::1', false], ['::ffff:1.2.3.4', false],
  ])('%s → %s', (address, expected) => {
    expect(isNonPublicAddress(address)).toBe(expected);
  });
});

describe('AddressGuard', () => {
  it('allows only listed private addresses and ranges', () => {
    const guard = new AddressGuard(['127.0.0.1', '10.8.0.0/16', '::1']);
    expect(guard.refusal('127.0.0.1')).toBeUndefined();
    expect(guard.refusal('::ffff:127.0.0.1')).toBeUndefined();
    expect(guard.refusal('::1')).toBeUndefined();
    expect(guard.refusal('10.8.3.4')).toBeUndefined();
    expect(guard.refusal('10.9.0.1')).toMatch(/private, loopback or link-local/);
    expect(guard.refusal('127.0.0.2')).toMatch(/127\.0\.0\.2/);
    expect(guard.refusal('8.8.8.8')).toBeUndefined();
  });

  it('checks what a name resolves to, not only literal addresses', async () => {
    const guard = new AddressGuard([]);
    await expect(guard.check(new URL('http://localhost:1/'))).rejects.toMatchObject({ code: 'blocked_address' });
    await expect(guard.check(new URL('http://127.0.0.1:1/'))).rejects.toBeInstanceOf(FetchError);
    await expect(guard.check(new URL('http://[::1]:1/'))).rejects.toMatchObject({ code: 'blocked_address' });
    await expect(new AddressGuard(['127.0.0.1', '::1']).check(new URL('http://localhost:1/'))).resolves.toBeUndefined();
  });

  it('refuses in the connect-time lookup too (DNS rebinding)', (done) => {
    new AddressGuard([]).lookup('localhost', { all: true }, (error) => {
      expect(error).toMatchObject({ code: 'EBLOCKEDADDRESS' });
      done();
    });
  });
});
