import { parseServerList } from './server-list';

describe('parseServerList (NATS_URL)', () => {
  it.each([
    ['nats://127.0.0.1:4222', ['nats://127.0.0.1:4222']],
    [
      'nats://a:4222,nats://b:4222, nats://c:4222',
      ['nats://a:4222', 'nats://b:4222', 'nats://c:4222'],
    ],
    ['a:4222,,b:4222,', ['a:4222', 'b:4222']],
    ['tls://nats.example:4443', ['tls://nats.example:4443']],
  ])('reads %s', (value, expected) => {
    expect(parseServerList(value)).toEqual(expected);
  });

  it('takes an array whose items may themselves be lists', () => {
    expect(parseServerList(['a:1,b:2', 'c:3'])).toEqual(['a:1', 'b:2', 'c:3']);
  });

  it.each([
    ['', 'NATS_URL names no server'],
    [' , ', 'NATS_URL names no server'],
    ['http://a:4222', 'NATS_URL: "http://a:4222" has scheme http: (expected nats:// or tls://)'],
    ['nats://', 'NATS_URL: "nats://" names no host'],
    ['nats://a b:1', 'NATS_URL: "nats://a b:1" is not a server address (nats://host:port)'],
  ])('refuses %j', (value, message) => {
    expect(() => parseServerList(value)).toThrow(message);
  });
});
