import { expect } from 'chai';
import { createLayout } from '../../src/layout/createLayout';
import { SectionLayout } from '../../src/layout/SectionLayout';

const ARENA = new SectionLayout([
  {
    id: 'FLOOR',
    name: 'Floor',
    category: 'vip',
    rows: [
      { label: 'A', seats: 30 },
      { label: 'B', seats: 28 },
    ],
  },
  { id: 'BALC', rows: [{ label: 'AA', seats: 5 }] },
]);

describe('layouts', () => {
  describe('the grid shorthand', () => {
    it('keeps the ids A1…J10 and puts every seat in one section', () => {
      const grid = createLayout({ rows: 10, seatsPerRow: 10 });
      expect([grid.idAt(0), grid.idAt(99)]).to.deep.equal(['A1', 'J10']);
      expect(grid.indexOf('B4')).to.equal(13);
      expect(grid.placeAt(13)).to.deep.equal({
        section: 'MAIN',
        row: 'B',
        number: 4,
        category: 'standard',
      });
      expect(grid.sections()).to.have.length(1);
      expect(grid.sections()[0]).to.include({ id: 'MAIN', seats: 100 });
      expect(grid.sections()[0].rows[9]).to.deep.equal({ label: 'J', seats: 10 });
      expect(grid.sectionRange('MAIN')).to.deep.equal({ start: 0, end: 100 });
    });
  });

  describe('sections', () => {
    it('names seats SECTION-ROW-NUMBER in section, row, seat order', () => {
      expect(ARENA.size).to.equal(63);
      expect([
        ARENA.idAt(0),
        ARENA.idAt(29),
        ARENA.idAt(30),
        ARENA.idAt(57),
        ARENA.idAt(62),
      ]).to.deep.equal(['FLOOR-A-1', 'FLOOR-A-30', 'FLOOR-B-1', 'FLOOR-B-28', 'BALC-AA-5']);
    });

    it('maps every id back to its index', () => {
      for (let i = 0; i < ARENA.size; i++) expect(ARENA.indexOf(ARENA.idAt(i))).to.equal(i);
    });

    it('knows no seat past a row’s end, in an unknown row or section, or written another way', () => {
      for (const id of [
        'FLOOR-B-29',
        'FLOOR-C-1',
        'PIT-A-1',
        'FLOOR-A-0',
        'FLOOR-A-01',
        'FLOOR-A',
        'A1',
        'FLOOR-A-1-1',
        '',
        'x'.repeat(10_000),
      ]) {
        expect(ARENA.has(id), id).to.equal(false);
      }
    });

    it('tells each seat its section, row, number and category', () => {
      expect(ARENA.placeAt(31)).to.deep.equal({
        section: 'FLOOR',
        row: 'B',
        number: 2,
        category: 'vip',
      });
      expect(ARENA.placeAt(60)).to.deep.equal({
        section: 'BALC',
        row: 'AA',
        number: 3,
        category: 'standard',
      });
    });

    it('describes its sections and rows for a client to draw', () => {
      expect(ARENA.sections()).to.deep.equal([
        {
          id: 'FLOOR',
          name: 'Floor',
          category: 'vip',
          seats: 58,
          rows: [
            { label: 'A', seats: 30 },
            { label: 'B', seats: 28 },
          ],
        },
        {
          id: 'BALC',
          name: 'BALC',
          category: 'standard',
          seats: 5,
          rows: [{ label: 'AA', seats: 5 }],
        },
      ]);
      expect(ARENA.sectionRange('BALC')).to.deep.equal({ start: 58, end: 63 });
      expect(ARENA.sectionRange('PIT')).to.equal(undefined);
    });

    it('holds a million seats in per-row arrays: ids at both ends round-trip', () => {
      const rows = Array.from({ length: 1000 }, (_, i) => ({ label: `R${i}`, seats: 1000 }));
      const stadium = new SectionLayout([{ id: 'S', rows }]);
      expect(stadium.size).to.equal(1_000_000);
      expect(stadium.idAt(999_999)).to.equal('S-R999-1000');
      expect(stadium.indexOf('S-R999-1000')).to.equal(999_999);
      expect(stadium.indexOf('S-R500-1')).to.equal(500_000);
    });
  });
});
