import type { PoolClient } from 'pg'
import type { DataSource, QueryRunner } from 'typeorm'
import { numberPlaceholders, type SqlDialect } from './sql-splitter.js'

/**
 * One dedicated connection with the few operations the runner needs. Bookkeeping queries are
 * written with `?` placeholders; PostgreSQL gets them numbered. Migration SQL runs as written.
 */
export class SqlSession {
  constructor(
    readonly dialect: SqlDialect,
    readonly dataSource: DataSource,
    private readonly runner: QueryRunner,
  ) {}

  static async open(dataSource: DataSource, dialect: SqlDialect): Promise<SqlSession> {
    const runner = dataSource.createQueryRunner()
    await runner.connect()
    return new SqlSession(dialect, dataSource, runner)
  }

  /** Rows of a bookkeeping query; `?` placeholders. */
  async rows<T>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    const result = await this.runner.query(this.#placeholders(sql), parameters)
    return Array.isArray(result) ? (result as T[]) : []
  }

  /** One statement of migration SQL, exactly as written. */
  async execute(statement: string): Promise<void> {
    await this.runner.query(statement)
  }

  /** PostgreSQL: the pg client this session holds, for what TypeORM cannot send (COPY). */
  async pgClient(): Promise<PoolClient> {
    return (await this.runner.connect()) as PoolClient
  }

  async begin(): Promise<void> {
    // IMMEDIATE takes SQLite's write lock up front, so a concurrent writer waits (busy timeout)
    // instead of failing halfway through the migration with "database is locked".
    await this.runner.query(this.dialect === 'sqlite' ? 'BEGIN IMMEDIATE' : 'BEGIN')
  }

  async commit(): Promise<void> {
    await this.runner.query('COMMIT')
  }

  /** Rolls back when a transaction is open; a failure to do so is recorded by the caller's error. */
  async rollbackQuietly(): Promise<void> {
    try {
      await this.runner.query('ROLLBACK')
    } catch {
      // No transaction was open (the failing statement ended it, or it never began): nothing to undo.
    }
  }

  /** Gives the connection back; the DataSource stays open for its owner to destroy. */
  async release(): Promise<void> {
    await this.runner.release()
  }

  #placeholders(sql: string): string {
    return this.dialect === 'sqlite' ? sql : numberPlaceholders(sql)
  }
}
