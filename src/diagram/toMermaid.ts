import type { AnyStateMachine } from 'xstate';

type Guard = string | { type?: string } | ((...args: never[]) => unknown) | undefined;

/** `holdsLock`, `lockIsDue and holdsLock`, `not isLockHolder`: a guard as a reader wants it. */
function guardLabel(guard: Guard): string | undefined {
  if (guard === undefined) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const parts = ((guard as { guards?: Guard[] }).guards ?? []).map(guardLabel);
    const joiner = guard.name === 'checkOr' ? ' or ' : ' and ';
    return guard.name === 'checkNot' ? `not ${parts[0]}` : parts.join(joiner);
  }
  return guard.type;
}

/** `expireLock`, `refuse SEAT_LOCKED`; the plain `accept` reply is left out as noise. */
function actionLabel(action: unknown): string | undefined {
  if (typeof action === 'string') return action === 'accept' ? undefined : action;
  const { type, params } = (action ?? {}) as { type?: string; params?: { code?: string } };
  if (type === 'refuse' && params?.code) return `refuse ${params.code}`;
  return type;
}

/** `LOCK`, or `after lockTtl` for a delayed transition. */
function eventLabel(eventType: string, delay: unknown): string {
  return eventType.startsWith('xstate.after.') ? `after ${String(delay)}` : eventType;
}

/**
 * Draws a machine's top-level states and every transition as a Mermaid state diagram, straight
 * from the machine definition: events, guards (in brackets) and actions (after a slash).
 * Targetless transitions (a retried request, a refusal) are drawn as loops.
 *
 * @example
 * ```ts
 * toMermaid(seatMachine);
 * // stateDiagram-v2
 * //   [*] --> available
 * //   available --> locked: LOCK / takeLock
 * //   ...
 * ```
 */
export function toMermaid(machine: AnyStateMachine): string {
  const { initial } = machine.config;
  const initialState = typeof initial === 'object' ? initial.target : initial;
  const lines = ['stateDiagram-v2', `  [*] --> ${String(initialState)}`];
  for (const node of Object.values(machine.root.states)) {
    for (const [eventType, transitions] of node.transitions) {
      for (const transition of transitions) {
        const delay = (transition as { delay?: unknown }).delay;
        const target = transition.target?.[0]?.key ?? node.key;
        const guard = guardLabel(transition.guard);
        const actions = transition.actions.map(actionLabel).filter(Boolean).join(', ');
        const reenter =
          transition.reenter && target === node.key ? ' (re-enter, re-arms timer)' : '';
        const label =
          eventLabel(eventType, delay) +
          (guard ? ` [${guard}]` : '') +
          (actions ? ` / ${actions}` : '') +
          reenter;
        lines.push(`  ${node.key} --> ${target}: ${label}`);
      }
    }
  }
  return lines.join('\n');
}
