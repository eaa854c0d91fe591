import { TailBuffer } from './tail-buffer';

describe('TailBuffer: the last bytes of a stream', () => {
  it.each([
    ['everything while it fits', 10, ['abc', 'def'], 'abcdef', 0],
    ['the end when it does not', 4, ['abc', 'def'], 'cdef', 2],
    ['across many small chunks', 3, ['a', 'b', 'c', 'd', 'e'], 'cde', 2],
    ['from a chunk larger than the limit', 3, ['abcdefgh'], 'fgh', 5],
  ])('keeps %s', (_case, max, chunks, text, dropped) => {
    const tail = new TailBuffer(max);
    for (const chunk of chunks) tail.push(Buffer.from(chunk));

    expect(tail.text()).toBe(text);
    expect(tail.dropped).toBe(dropped);
  });

  it('starts at a whole character when the cut falls inside one', () => {
    const tail = new TailBuffer(5);
    tail.push(Buffer.from('a€€')); // 1 + 3 + 3 bytes: the cut leaves one byte of the first €

    expect(tail.text()).toBe('€');
  });
});
