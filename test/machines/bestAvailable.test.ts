import { expect } from 'chai';
import fc from 'fast-check';
import { bestAvailable, type RowRuns } from '../../machines/bestAvailable';

/** Rows from pictures: `.` free, `x` taken; the first string is the front row. */
function rows(...pictures: string[]): RowRuns[] {
  return pictures.map((picture, row) => ({ row, length: picture.length, runs: runsOf(picture) }));
}

function runsOf(picture: string): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (let i = 0; i < picture.length; i++) {
    if (picture[i] !== '.') continue;
    const start = i;
    while (i < picture.length && picture[i] === '.') i++;
    runs.push([start, i]);
  }
  return runs;
}

/** The row picture with the placement drawn as `#`. */
function draw(pictures: string[], count: number): string | null {
  const placement = bestAvailable(rows(...pictures), count);
  if (!placement) return null;
  const picture = pictures[placement.row];
  return (
    `${placement.row}:` +
    picture.slice(0, placement.start) +
    '#'.repeat(count) +
    picture.slice(placement.start + count)
  );
}

describe('bestAvailable', () => {
  it('puts the block in the middle of an empty front row', () => {
    expect(draw(['..........', '..........'], 4)).to.equal('0:...####...');
  });

  it('prefers the front row to a better-centred block further back', () => {
    expect(draw(['xxxxxx....', '..........'], 4)).to.equal('0:xxxxxx####');
  });

  it('never strands a single seat when another choice exists in the same row', () => {
    // The centred block would leave seat 4 alone between a taken seat and the block.
    expect(draw(['xxxx......x'], 4)).to.equal('0:xxxx####..x');
  });

  it('skips a row where every fit strands a seat, for a later row that strands none', () => {
    expect(draw(['xx.....xxxx', 'xxx....xxxx'], 4)).to.equal('1:xxx####xxxx');
  });

  it('strands a seat only when nothing else fits anywhere, still front first', () => {
    expect(draw(['x.....xxxx', 'xx.....xxx'], 4)).to.equal('0:x.####xxxx');
  });

  it('needs the seats adjacent: free seats split by a taken one do not fit', () => {
    expect(draw(['..x..x..', '...x...'], 3)).to.equal('1:###x...');
    expect(draw(['..x..x..'], 3)).to.equal(null);
  });

  it('answers null when no row has enough free seats', () => {
    expect(draw(['xxxx', 'x..x'], 3)).to.equal(null);
  });

  it('agrees with a brute-force search on random rows (fast-check)', () => {
    const row = fc
      .array(fc.boolean(), { minLength: 1, maxLength: 14 })
      .map((seats) => seats.map((free) => (free ? '.' : 'x')).join(''));
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 5 }),
        (pictures, count) => {
          expect(bestAvailable(rows(...pictures), count)).to.deep.equal(
            bruteForce(pictures, count),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
});

/** Every start of every row, ranked by the rules: strands nothing, front row, centre, left. */
function bruteForce(pictures: string[], count: number) {
  type Choice = { row: number; start: number; strandsSeat: boolean; distance: number };
  const choices: Choice[] = [];
  pictures.forEach((picture, row) => {
    for (let start = 0; start + count <= picture.length; start++) {
      if (
        !picture
          .slice(start, start + count)
          .split('')
          .every((c) => c === '.')
      )
        continue;
      const leftAlone = picture[start - 1] === '.' && picture[start - 2] !== '.';
      const rightAlone = picture[start + count] === '.' && picture[start + count + 1] !== '.';
      const distance = Math.abs(start - (picture.length - count) / 2);
      choices.push({ row, start, strandsSeat: leftAlone || rightAlone, distance });
    }
  });
  choices.sort(
    (p, q) =>
      Number(p.strandsSeat) - Number(q.strandsSeat) ||
      p.row - q.row ||
      p.distance - q.distance ||
      p.start - q.start,
  );
  const best = choices[0];
  return best ? { row: best.row, start: best.start, strandsSeat: best.strandsSeat } : null;
}
