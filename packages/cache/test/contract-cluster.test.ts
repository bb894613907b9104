/** The contract suite against a 3-master Redis Cluster that the test starts on free ports and removes after. */
import { contractSuite } from './contract.js'
import { TestCluster } from './support/redis.js'

contractSuite('cluster', async () => {
  const cluster = await TestCluster.start()
  return { client: () => cluster.client(), teardown: () => cluster.stop() }
})
