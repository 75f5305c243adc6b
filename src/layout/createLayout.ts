import { Venue } from '../venue';
import type { Layout } from './Layout';
import type { LayoutSpec } from './layoutSchema';
import { SectionLayout } from './SectionLayout';

/**
 * The layout a (validated) layout body describes: a grid for the shorthand, sections otherwise.
 *
 * @example
 * ```ts
 * createLayout({ rows: 10, seatsPerRow: 10 }).idAt(99); // 'J10'
 * createLayout({ sections: [{ id: 'FLOOR', rows: [{ label: 'A', seats: 30 }] }] }).idAt(0); // 'FLOOR-A-1'
 * ```
 */
export function createLayout(spec: LayoutSpec): Layout {
  return 'sections' in spec
    ? new SectionLayout(spec.sections)
    : new Venue(spec.rows, spec.seatsPerRow);
}
