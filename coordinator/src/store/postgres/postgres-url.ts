/** PostgreSQL connection URLs, for messages: never the password. */

/** Whether `location` names a PostgreSQL database (postgres:// or postgresql://) rather than a SQLite file. */
export const isPostgresUrl = (location: string) => /^postgres(ql)?:\/\//i.test(location);

/** The URL with any password (user:PASSWORD@ or ?password=) replaced by ***, fit for logs and errors. */
export function redactPostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    if (u.searchParams.has('password')) u.searchParams.set('password', '***');
    return u.toString().replace('password=%2A%2A%2A', 'password=***');
  } catch {
    // Not a URL that parses: cut anything between the scheme's // and an @, and any password parameter.
    return url.replace(/\/\/[^@/]*@/, '//***@').replace(/password=[^&]*/gi, 'password=***');
  }
}
