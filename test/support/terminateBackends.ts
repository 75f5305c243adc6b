import { Client } from 'pg';

/**
 * Kills every connection of the service to the database at `adminUrl` (`pg_terminate_backend` on
 * the backends whose `application_name` is `applicationName`, as the store names its pools), the
 * way a proxy, a failover or an administrator cuts them. Resolves to how many it killed.
 *
 * @example
 * ```ts
 * await terminateBackends(db.url, 'seat-booking-service'); // 11
 * ```
 */
export async function terminateBackends(
  adminUrl: string,
  applicationName: string,
): Promise<number> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ killed: boolean }>(
      `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
       WHERE application_name = $1 AND pid <> pg_backend_pid()`,
      [applicationName],
    );
    return rows.filter((row) => row.killed).length;
  } finally {
    await client.end().catch(() => undefined);
  }
}
