/** Creates the schema and seeds products: `node dist/migrate.js`. */
import pg from 'pg'
import { settings } from './config.js'
import { MIGRATION, seedSql } from './schema.js'

const client = new pg.Client({ connectionString: settings.databaseUrl })
await client.connect()
try {
  await client.query(MIGRATION)
  const seeded = await client.query(seedSql(settings.seedProducts))
  const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM products')
  console.log(`schema ready; seeded ${seeded.rowCount ?? 0} products; ${rows[0]?.n ?? 0} in total`)
} finally {
  await client.end()
}
