import { z } from 'zod';
import type { SectionSpec } from './SectionLayout';

/** Most seats one event may have (the issue's bound: beyond it, a layout is refused). */
export const MAX_EVENT_SEATS = 1_000_000;

/**
 * What a client sends as an event's `layout`: the grid shorthand, or named sections of labelled
 * rows. `createLayout` turns it into a {@link Layout}.
 */
export type LayoutSpec = { rows: number; seatsPerRow: number } | { sections: SectionSpec[] };

// Letters, digits and `_` only: `-` separates the parts of a seat id (`FLOOR-A-12`).
const NAME_PART = /^[A-Za-z0-9_]+$/;
const count = (what: string) =>
  z
    .number({ error: `${what} must be a whole number.` })
    .int({ error: `${what} must be a whole number.` })
    .min(1, { error: `${what} must be at least 1.` })
    .max(MAX_EVENT_SEATS, { error: `${what} must be at most ${MAX_EVENT_SEATS}.` });

const rowSchema = z
  .strictObject(
    {
      label: z
        .string({ error: 'A row label must be a string such as "A".' })
        .min(1, { error: 'A row label must not be empty.' })
        .max(8, { error: 'A row label must be at most 8 characters.' })
        .regex(NAME_PART, { error: 'A row label may hold letters, digits and _ only.' }),
      seats: count('A row’s seats').meta({ description: 'How many seats the row has (≥ 1).' }),
    },
    { error: 'A row must be an object such as {"label": "A", "seats": 30}.' },
  )
  .meta({ id: 'LayoutRow' });

const sectionSchema = z
  .strictObject(
    {
      id: z
        .string({ error: 'A section id must be a string such as "FLOOR".' })
        .min(1, { error: 'A section id must not be empty.' })
        .max(32, { error: 'A section id must be at most 32 characters.' })
        .regex(NAME_PART, { error: 'A section id may hold letters, digits and _ only.' })
        .meta({ description: 'Prefix of its seat ids: `FLOOR` gives `FLOOR-A-12`.' }),
      name: z
        .string({ error: 'A section name must be a string.' })
        .min(1, { error: 'A section name must not be empty.' })
        .max(100, { error: 'A section name must be at most 100 characters.' })
        .optional()
        .meta({ description: 'Shown on the seat map; the id when left out.' }),
      category: z
        .string({ error: 'A category must be a string.' })
        .min(1, { error: 'A category must not be empty.' })
        .max(32, { error: 'A category must be at most 32 characters.' })
        .regex(NAME_PART, { error: 'A category may hold letters, digits and _ only.' })
        .optional()
        .meta({ description: 'Price category of every seat in it; `standard` when left out.' }),
      rows: z
        .array(rowSchema, { error: 'rows must be an array of rows.' })
        .min(1, { error: 'A section must have at least one row.' }),
    },
    { error: 'A section must be an object such as {"id": "FLOOR", "rows": [...]}.' },
  )
  .superRefine((section, ctx) => {
    const seen = new Map<string, number>();
    section.rows.forEach((row, i) => {
      const first = seen.get(row.label);
      if (first === undefined) seen.set(row.label, i);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['rows', i, 'label'],
          message: `Row "${row.label}" is already row ${first} of section ${section.id}; row labels must be unique in a section.`,
        });
    });
  })
  .meta({ id: 'LayoutSection' });

/**
 * An event's layout: either `{"rows": 10, "seatsPerRow": 10}` (seat ids `A1`…`J10`), or
 * `{"sections": [...]}` (seat ids `FLOOR-A-12`). Refused, with the path of the offending field:
 * unknown fields, both forms or neither, an empty section or row, duplicate section ids or row
 * labels (which would make duplicate seat ids), more than {@link MAX_EVENT_SEATS} seats.
 */
export const layoutSchema = z
  .strictObject(
    {
      rows: count('rows').optional().meta({ description: 'Grid shorthand: number of rows.' }),
      seatsPerRow: count('seatsPerRow')
        .optional()
        .meta({ description: 'Grid shorthand: seats in every row.' }),
      sections: z
        .array(sectionSchema, { error: 'sections must be an array of sections.' })
        .min(1, { error: 'A layout must have at least one section.' })
        .optional(),
    },
    {
      error:
        'layout must be an object: {"rows": 10, "seatsPerRow": 10} or {"sections": [{"id": "FLOOR", "rows": [{"label": "A", "seats": 30}]}]}.',
    },
  )
  .superRefine((layout, ctx) => {
    const grid = layout.rows !== undefined || layout.seatsPerRow !== undefined;
    if (grid && layout.sections !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['sections'],
        message: 'Give either rows and seatsPerRow, or sections, not both.',
      });
      return;
    }
    if (!grid && layout.sections === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'layout needs rows and seatsPerRow, or sections.',
      });
      return;
    }
    if (grid) {
      for (const key of ['rows', 'seatsPerRow'] as const) {
        if (layout[key] === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `${key} is required with the grid shorthand.`,
          });
          return;
        }
      }
      const seats = layout.rows! * layout.seatsPerRow!;
      if (seats > MAX_EVENT_SEATS) ctx.addIssue(tooMany(seats, ['rows']));
      return;
    }
    const sections = layout.sections!;
    const seen = new Map<string, number>();
    let seats = 0;
    sections.forEach((section, i) => {
      const first = seen.get(section.id);
      if (first === undefined) seen.set(section.id, i);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['sections', i, 'id'],
          message: `Section id "${section.id}" is already section ${first}'s; section ids must be unique.`,
        });
      for (const row of section.rows) seats += row.seats;
    });
    if (seats > MAX_EVENT_SEATS) ctx.addIssue(tooMany(seats, ['sections']));
  })
  .transform((layout) => layout as LayoutSpec)
  .meta({
    id: 'Layout',
    description:
      'Either the grid shorthand {"rows", "seatsPerRow"} (seat ids A1…) or {"sections"} (seat ids SECTION-ROW-NUMBER).',
  });

function tooMany(seats: number, path: (string | number)[]) {
  return {
    code: 'custom' as const,
    path,
    message: `The layout has ${seats} seats; an event may have at most ${MAX_EVENT_SEATS}.`,
  };
}
