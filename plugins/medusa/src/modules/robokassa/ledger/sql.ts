/**
 * The one thing the Postgres ledger needs from a database driver: run a parameterised statement and get rows.
 * Medusa hands every module and provider the app's shared knex pool as `__pg_connection__`; tests may pass the
 * same knex or any other client through `sqlClientFromKnex`.
 */
export interface SqlClient {
  query<Row extends Record<string, unknown>>(sql: string, params: readonly unknown[]): Promise<Row[]>;
}

/** The part of knex we call. `raw` takes `?` placeholders and returns pg's result (`{ rows }`) on Postgres. */
export interface KnexLike {
  raw(sql: string, bindings: readonly unknown[]): PromiseLike<unknown>;
}

function rowsOf<Row>(result: unknown): Row[] {
  if (result && typeof result === 'object' && Array.isArray((result as { rows?: unknown }).rows)) {
    return (result as { rows: Row[] }).rows;
  }
  throw new Error('The database client did not return pg rows (is this a Postgres connection?)');
}

export function sqlClientFromKnex(knex: KnexLike): SqlClient {
  return {
    async query<Row extends Record<string, unknown>>(sql: string, params: readonly unknown[]): Promise<Row[]> {
      return rowsOf<Row>(await knex.raw(sql, params));
    },
  };
}
