/** The contract suite against the shared standalone Redis on 6379 (random key prefixes). */
import { contractSuite } from './contract.js'
import { sharedRedis } from './support/redis.js'

contractSuite('standalone', async () => ({ client: () => sharedRedis(), teardown: async () => {} }))
