import type { Database } from 'better-sqlite3'
import type { DataSource } from 'typeorm'
import { openDataSource } from '../data-source.js'
import type { DatabaseTarget } from '../database-url.js'
import { checkEpoch, lockStoreWrites } from '../phases/epoch-fence.js'
import { SqlSession } from '../schema/sql-session.js'
import type { SqlDialect } from '../schema/sql-splitter.js'
import type { BatchOperations } from './batch-sync.js'
import { PostgresBatchOperations } from './postgres/postgres-batch-operations.js'
import { SqliteBatchOperations } from './sqlite/sqlite-batch-operations.js'

/**
 * The backfill's SQLite page cache. Each batch inserts its uuid keys all over the primary key's
 * index, which the default 2 MiB cache rereads page by page. On a shared, loaded machine, the
 * real-schema reference's CPU time over ours (run back to back): 200,000 records 0.69× with the
 * default, 0.98× with 64 MiB; 1,000,000 records 1.08× with 32 MiB. Each MiB of it is a MiB of
 * peak RSS (64 MiB: 344 MiB at 1M, 32 MiB: 299), against a bound of 256.
 */
const BACKFILL_CACHE_KIB = 32 * 1024

/**
 * The store's way into its database: sessions, write transactions fenced by the epoch, and on
 * SQLite the one better-sqlite3 connection TypeORM holds, whose transactions must not interleave.
 */
export class StoreConnection {
  readonly dialect: SqlDialect
  readonly #dataSource: DataSource
  /** better-sqlite3 has one connection per process: its transactions must not interleave. */
  #sqliteQueue: Promise<unknown> = Promise.resolve()
  #sqliteBatches: SqliteBatchOperations | undefined
  #backfillSync = false
  readonly #epoch: number | undefined

  private constructor(dataSource: DataSource, dialect: SqlDialect, epoch: number | undefined) {
    this.#dataSource = dataSource
    this.dialect = dialect
    this.#epoch = epoch
  }

  static async open(
    target: DatabaseTarget,
    { busyTimeoutMs, epoch }: { busyTimeoutMs?: number; epoch?: number },
  ): Promise<StoreConnection> {
    const dataSource = await openDataSource(target, { busyTimeoutMs })
    return new StoreConnection(dataSource, target.dialect, epoch)
  }

  async close(): Promise<void> {
    await this.#dataSource.destroy()
  }

  async session<T>(work: (sql: SqlSession) => Promise<T>): Promise<T> {
    const run = async () => {
      const sql = await SqlSession.open(this.#dataSource, this.dialect)
      try {
        return await work(sql)
      } finally {
        await sql.release()
      }
    }
    return this.dialect === 'sqlite' ? this.#serialised(run) : run()
  }

  /** One write transaction. */
  async write<T>(work: (sql: SqlSession) => Promise<T>): Promise<T> {
    return this.session(async (sql) => {
      await sql.begin()
      try {
        if (this.dialect === 'postgres') await lockStoreWrites(sql)
        if (this.#epoch !== undefined) await checkEpoch(sql, this.#epoch)
        const result = await work(sql)
        await sql.commit()
        return result
      } catch (error) {
        await sql.rollbackQuietly()
        throw error
      }
    })
  }

  /** Bulk reads outside a transaction, over the same operations the bulk writes use. */
  async read<T>(work: (operations: BatchOperations) => Promise<T>): Promise<T> {
    if (this.dialect === 'postgres') {
      return this.session((sql) => work(new PostgresBatchOperations(sql)))
    }
    return this.#serialised(() => work(this.#sqliteOperations()))
  }

  /**
   * One transaction around bulk operations: on SQLite over prepared statements on the connection
   * TypeORM holds (a dry run reads and rolls back), on PostgreSQL on a pooled session.
   */
  async batchTransaction<T>(
    dryRun: boolean,
    work: (operations: BatchOperations) => Promise<T>,
  ): Promise<T> {
    if (this.dialect === 'postgres') {
      return this.write((sql) => work(new PostgresBatchOperations(sql)))
    }
    return this.#serialised(async () => {
      const operations = this.#sqliteOperations()
      const database = this.sqliteConnection()
      database.exec(dryRun ? 'BEGIN' : 'BEGIN IMMEDIATE')
      try {
        const result = await work(operations)
        database.exec(dryRun ? 'ROLLBACK' : 'COMMIT')
        return result
      } catch (error) {
        if (database.inTransaction) database.exec('ROLLBACK')
        throw error
      }
    })
  }

  /** The better-sqlite3 connection TypeORM holds: prepared statements for the bulk paths. */
  sqliteConnection(): Database {
    return (this.#dataSource.driver as unknown as { databaseConnection: Database })
      .databaseConnection
  }

  /**
   * A batch of random uuid keys dirties a page per record, and WAL's defaults sync and copy those
   * pages back every 1,000 pages: measured 14 ms per commit of 1,000 records here, more than the
   * inserts. NORMAL keeps every commit atomic and survives a killed process; only a power cut can
   * lose the last commits, and a batch lost that way takes its checkpoint with it, so the next
   * run redoes it. A 64 MiB log between copies writes a hot page back once instead of once per
   * commit. Only a connection that runs the backfill relaxes this; live writes keep FULL.
   */
  relaxSyncForBackfill(): void {
    if (this.dialect !== 'sqlite' || this.#backfillSync) return
    const database = this.sqliteConnection()
    database.pragma('synchronous = NORMAL')
    database.pragma('wal_autocheckpoint = 16384')
    database.pragma(`cache_size = -${BACKFILL_CACHE_KIB}`)
    this.#backfillSync = true
  }

  #sqliteOperations(): SqliteBatchOperations {
    this.#sqliteBatches ??= new SqliteBatchOperations(this.sqliteConnection())
    return this.#sqliteBatches
  }

  async #serialised<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#sqliteQueue.then(run, run)
    this.#sqliteQueue = next.catch(() => {})
    return next
  }
}
