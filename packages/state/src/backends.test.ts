import { inMemoryFactory, levelDbFactory } from './contract/harness.js';
import { keyValueContract } from './contract/key-value-contract.js';
import { sessionContract } from './contract/session-contract.js';
import { windowContract } from './contract/window-contract.js';

// One contract, every backend, with and without the caching layer (Kafka's AbstractKeyValueStoreTest).
for (const factory of [levelDbFactory, inMemoryFactory]) {
  for (const caching of [true, false]) {
    keyValueContract(factory, caching);
    windowContract(factory, caching);
    sessionContract(factory, caching);
  }
}
