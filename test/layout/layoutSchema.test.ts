import { expect } from 'chai';
import { parseCreateEvent } from '../../src/http/eventSchemas';
import { HttpError } from '../../src/http/HttpError';

const ROWS = [{ label: 'A', seats: 30 }];

/** The detail of the 400 a body gets, or `accepted`. */
function verdict(body: unknown): string {
  try {
    parseCreateEvent(body);
    return 'accepted';
  } catch (err) {
    expect(err).to.be.instanceOf(HttpError);
    expect((err as HttpError).status).to.equal(400);
    expect((err as HttpError).code).to.equal('INVALID_REQUEST');
    return (err as HttpError).detail;
  }
}

const withLayout = (layout: unknown) => ({ name: 'Hamlet', layout });

describe('the POST /events body', () => {
  it('accepts the grid shorthand and sections', () => {
    expect(verdict(withLayout({ rows: 10, seatsPerRow: 10 }))).to.equal('accepted');
    expect(
      verdict(
        withLayout({ sections: [{ id: 'FLOOR', name: 'Floor', category: 'vip', rows: ROWS }] }),
      ),
    ).to.equal('accepted');
  });

  it('reads dates as instants and keeps the rest', () => {
    const body = parseCreateEvent({
      id: 'hamlet-1',
      name: 'Hamlet',
      salesOpenAt: '2030-01-01T00:00:00Z',
      salesCloseAt: '2030-01-02T00:00:00+01:00',
      lockTtlMs: 5000,
      layout: { rows: 1, seatsPerRow: 1 },
    });
    expect(body).to.deep.include({
      id: 'hamlet-1',
      salesOpenAt: Date.UTC(2030, 0, 1),
      salesCloseAt: Date.UTC(2030, 0, 1, 23),
      lockTtlMs: 5000,
    });
  });

  it('refuses duplicate section ids at the second one', () => {
    const layout = {
      sections: [
        { id: 'FLOOR', rows: ROWS },
        { id: 'FLOOR', rows: ROWS },
      ],
    };
    expect(verdict(withLayout(layout))).to.match(/^layout\.sections\[1\]\.id: .*unique/);
  });

  it('refuses duplicate row labels in a section (they would make duplicate seat ids)', () => {
    const layout = {
      sections: [{ id: 'FLOOR', rows: [...ROWS, { label: 'B', seats: 1 }, ...ROWS] }],
    };
    expect(verdict(withLayout(layout))).to.match(/^layout\.sections\[0\]\.rows\[2\]\.label: /);
  });

  it('refuses empty rows, sections and layouts', () => {
    expect(
      verdict(withLayout({ sections: [{ id: 'F', rows: [{ label: 'A', seats: 0 }] }] })),
    ).to.match(/^layout\.sections\[0\]\.rows\[0\]\.seats: /);
    expect(verdict(withLayout({ sections: [{ id: 'F', rows: [] }] }))).to.match(
      /^layout\.sections\[0\]\.rows: /,
    );
    expect(verdict(withLayout({ sections: [] }))).to.match(/^layout\.sections: /);
    expect(verdict(withLayout({}))).to.match(/^layout: /);
    expect(verdict(withLayout({ rows: 0, seatsPerRow: 10 }))).to.match(/^layout\.rows: /);
  });

  it('refuses more than 1,000,000 seats', () => {
    expect(verdict(withLayout({ rows: 1001, seatsPerRow: 1000 }))).to.match(
      /^layout\.rows: .*1001000 seats.*1000000/,
    );
    const rows = [{ label: 'A', seats: 600_000 }];
    const layout = {
      sections: [
        { id: 'N', rows },
        { id: 'S', rows },
      ],
    };
    expect(verdict(withLayout(layout))).to.match(/^layout\.sections: .*1200000 seats/);
    expect(verdict(withLayout({ rows: 1000, seatsPerRow: 1000 }))).to.equal('accepted');
  });

  it('refuses unknown fields, naming them', () => {
    expect(verdict({ ...withLayout({ rows: 1, seatsPerRow: 1 }), salesOpensAt: 'x' })).to.match(
      /^salesOpensAt is not a field/,
    );
    expect(verdict(withLayout({ sections: [{ id: 'F', colour: 'red', rows: ROWS }] }))).to.match(
      /^layout\.sections\[0\]\.colour is not a field/,
    );
    expect(
      verdict(withLayout({ sections: [{ id: 'F', rows: [{ label: 'A', seats: 1, x: 1 }] }] })),
    ).to.match(/^layout\.sections\[0\]\.rows\[0\]\.x is not/);
  });

  it('refuses both forms at once, and ids or labels that would break seat ids', () => {
    expect(
      verdict(withLayout({ rows: 1, seatsPerRow: 1, sections: [{ id: 'F', rows: ROWS }] })),
    ).to.match(/^layout\.sections: .*not both/);
    expect(verdict(withLayout({ sections: [{ id: 'FLO-OR', rows: ROWS }] }))).to.match(
      /^layout\.sections\[0\]\.id: /,
    );
    expect(
      verdict(withLayout({ sections: [{ id: 'F', rows: [{ label: 'A-1', seats: 1 }] }] })),
    ).to.match(/^layout\.sections\[0\]\.rows\[0\]\.label: /);
  });

  it('refuses a missing name or layout, a bad id, and a window that closes before it opens', () => {
    expect(verdict({ layout: { rows: 1, seatsPerRow: 1 } })).to.equal('name is required.');
    expect(verdict({ name: 'x' })).to.equal('layout is required.');
    expect(verdict({ ...withLayout({ rows: 1, seatsPerRow: 1 }), id: 'Not A Slug' })).to.match(
      /^id: .*slug/,
    );
    const window = { salesOpenAt: '2030-01-02T00:00:00Z', salesCloseAt: '2030-01-01T00:00:00Z' };
    expect(verdict({ ...withLayout({ rows: 1, seatsPerRow: 1 }), ...window })).to.match(
      /^salesCloseAt: /,
    );
    expect(
      verdict({ ...withLayout({ rows: 1, seatsPerRow: 1 }), salesOpenAt: 'tomorrow' }),
    ).to.match(/^salesOpenAt: .*ISO 8601/);
  });
});
