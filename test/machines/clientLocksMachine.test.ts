import { expect } from 'chai';
import { createActor } from 'xstate';
import { clientLocksMachine } from '../../machines/clientLocksMachine';
import type { UserLocksReply } from '../../machines/userLocksMachine';
import { clientLocks } from '../../machines/run/clientLocks';

describe('clientLocksMachine (MAX_LOCKS_PER_CLIENT)', () => {
  it('counts an address’s locks like a user’s and refuses past the cap with its own code', () => {
    const address = createActor(clientLocksMachine, { input: { max: 2 } }).start();
    const replies: UserLocksReply[] = [];
    address.on('*', (reply) => replies.push(reply));
    address.send({ type: 'LOCK_TAKEN', seatId: 'A1' });
    address.send({ type: 'LOCK_TAKEN', seatId: 'A2' });
    address.send({ type: 'REQUEST_LOCK', seatId: 'A3' });
    expect(replies.at(-1)).to.deep.equal({
      type: 'user.refused',
      code: 'TOO_MANY_CLIENT_LOCKS',
      held: 2,
      max: 2,
    });
    address.send({ type: 'REQUEST_LOCK', seatId: 'A1' });
    expect(replies.at(-1)?.type, 'a retry on a seat it holds').to.equal('user.accepted');
    address.send({ type: 'LOCK_ENDED', seatId: 'A2' });
    address.send({ type: 'REQUEST_LOCK', seatId: 'A3' });
    expect(replies.at(-1)?.type).to.equal('user.accepted');
  });

  it('steps purely from a shared start, as the hosts run it', () => {
    let snapshot = clientLocks.start(1);
    [snapshot] = clientLocks.step(snapshot, { type: 'LOCK_TAKEN', seatId: 'B1' });
    const [, reply] = clientLocks.step(snapshot, { type: 'REQUEST_LOCK', seatId: 'B2' });
    expect(reply).to.deep.include({ type: 'user.refused', code: 'TOO_MANY_CLIENT_LOCKS' });
    expect(clientLocks.start(1).context.held, 'the start is never changed').to.deep.equal([]);
  });
});
