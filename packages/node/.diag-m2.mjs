import mysql from 'mysql2/promise'
import { trace } from '@opentelemetry/api'
import { createRequire } from 'node:module'
const core = createRequire(import.meta.url)('mysql2')
const pool = mysql.createPool({ host: '127.0.0.1', port: 3306, user: 'root', database: 'test', connectionLimit: 1 })
console.log('own', Object.hasOwn(core.Pool.prototype, 'getConnection'), pool.pool.getConnection.name, Object.getPrototypeOf(pool.pool) === core.Pool.prototype)
const tracer = trace.getTracer('t')
const run = (name) => tracer.startActiveSpan(name, async (span) => { console.log(name, span.spanContext().spanId); await pool.query(`SELECT SLEEP(0.02), '${name}'`); span.end() })
await Promise.all(['a', 'b', 'c', 'd'].map(run))
await pool.end()
