// @ts-check
// The sections as buttons beside the overview: the keyboard's (and screen reader's) way to choose
// one, each with its name and how many of its seats are free, kept live.

/** @typedef {import('./eventLayout.js').EventLayout} EventLayout */
/** @typedef {import('./seatStates.js').SeatStates} SeatStates */

export class SectionList {
  /**
   * @param {HTMLElement} list the `<ul>` to fill
   * @param {(section: number) => void} onChoose a section's button was pressed
   */
  constructor(list, onChoose) {
    this.list = list;
    this.onChoose = onChoose;
    /** @type {HTMLButtonElement[]} */
    this.buttons = [];
  }

  /**
   * One button per section of `layout`.
   * @param {EventLayout} layout
   * @param {SeatStates} states
   */
  render(layout, states) {
    this.buttons = layout.sections.map((section, s) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.section = section.id;
      button.setAttribute('aria-pressed', 'false');
      button.addEventListener('click', () => this.onChoose(s));
      return button;
    });
    this.list.replaceChildren(
      ...this.buttons.map((button) => {
        const item = document.createElement('li');
        item.append(button);
        return item;
      }),
    );
    this.layout = layout;
    layout.sections.forEach((_, s) => this.update(s, states));
  }

  /**
   * Rewrites section `s`'s counts.
   * @param {number} s
   * @param {SeatStates} states
   */
  update(s, states) {
    const button = this.buttons[s];
    const section = this.layout?.sections[s];
    if (!button || !section) return;
    const { total, available } = states.sectionCounts[s];
    button.textContent = `${section.name}: ${available.toLocaleString('en')} of ${total.toLocaleString('en')} free`;
    button.dataset.available = String(available);
  }

  /**
   * Marks section `s` as the one shown (-1: none).
   * @param {number} s
   */
  choose(s) {
    this.buttons.forEach((button, i) => button.setAttribute('aria-pressed', String(i === s)));
  }
}
