import { MemoryEventRegistry } from '../../../src/store/memory/MemoryEventRegistry';
import { runEventRegistryContract } from '../eventRegistryContract';

runEventRegistryContract({
  name: 'memory',
  newRegistry: async () => ({ registry: new MemoryEventRegistry(), close: async () => {} }),
});
