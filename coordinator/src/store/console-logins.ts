/** One-time links into the web console: who a link logs in, and until when (the store keeps only a hash of each). */
export type ConsoleRole = 'operator' | 'analyst';

export interface ConsoleLogin {
  role: ConsoleRole;
  /** The analyst a link logs in (role analyst), by name (analysts are named uniquely). */
  analystId?: string;
  expiresAt: number;
}

/** A console_logins row (either dialect) as a ConsoleLogin. */
export const loginOf = (row: {
  role: ConsoleRole;
  analyst_id: string | null;
  expires_at: string | number;
}): ConsoleLogin => ({
  role: row.role,
  ...(row.analyst_id ? { analystId: row.analyst_id } : {}),
  expiresAt: Number(row.expires_at),
});
