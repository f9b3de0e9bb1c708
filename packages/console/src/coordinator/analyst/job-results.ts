/**
 * The parts of a job's page below its live section: the privacy it spent (per participant epsilon and the
 * guarantee it was calibrated to) and a summary of its result, with links to the report, payouts and model.
 */
import { table } from '../../http/page.js';
import { esc, fmt } from '../../report/svg.js';
import type { JobData } from './job-data.js';

/** Per participant epsilon spent in the job, and the guarantee (privacyJson), or that the job ran without DP. */
export function privacySection(d: JobData, names: ReadonlyMap<string, string>): string {
  const spend = (d.message.privacySpend ?? []).map((p) => {
    const id = p.participantId ?? '';
    return [
      esc(names.get(id) ?? id),
      `<span data-testid="epsilon-${esc(id)}">${esc(fmt(Number(p.epsilon ?? 0)))}</span>`,
      esc(String(p.rounds ?? 0)),
      esc(String(p.statisticsReleases ?? 0)),
    ];
  });
  let guarantee = '<p class="meta" data-testid="privacy-guarantee">This job ran without differential privacy.</p>';
  if (d.message.privacyJson) {
    const v = JSON.parse(d.message.privacyJson) as {
      mode?: string;
      unit?: string;
      epsilon?: number;
      delta?: number;
      spentEpsilon?: number;
      protectsAgainst?: string;
    };
    guarantee =
      `<p data-testid="privacy-guarantee">${esc(v.mode ?? '')} differential privacy per ${esc(v.unit ?? 'record')}: ` +
      `target ε = ${esc(fmt(Number(v.epsilon)))}, δ = ${esc(String(v.delta))}; spent so far ` +
      `ε = <span data-testid="privacy-spent">${esc(fmt(Number(v.spentEpsilon ?? 0)))}</span>.</p>` +
      (v.protectsAgainst ? `<p class="meta">Protects against ${esc(v.protectsAgainst)}.</p>` : '');
  }
  return `<h2>Privacy spend</h2>
${guarantee}
${table(['Participant', 'ε spent', 'Rounds charged', 'Statistics releases'], spend, 'no participant was charged')}`;
}

/** What the job produced so far, with links to the full report, the payout and the model file. */
export function resultSection(d: JobData): string {
  const { job, kind, message } = d;
  const base = `/jobs/${encodeURIComponent(job.id)}`;
  const links: string[] = [];
  const lines: string[] = [];
  if (message.resultJson) {
    const result = JSON.parse(message.resultJson) as { rows?: unknown[]; suppressed?: unknown[] };
    if (kind === 'query') {
      lines.push(
        `${esc(String(result.rows?.length ?? 0))} result rows` +
          (result.suppressed?.length ? `, ${esc(String(result.suppressed.length))} groups suppressed` : ''),
      );
      links.push(`<a href="${esc(base)}/report" data-testid="report-link">Query report</a>`);
    } else lines.push(`<pre class="meta" data-testid="result-json">${esc(preview(message.resultJson))}</pre>`);
  }
  if (kind === 'train' || kind === 'score' || kind === 'vertical') {
    const fit = [...d.history].reverse().find((h) => h.stage === 'fit' && h.status === 'completed');
    if (fit) {
      const metrics = Object.entries(fit.metrics).map(([k, v]) => `${esc(k)} ${esc(fmt(v))}`);
      lines.push(`model of round ${esc(String(fit.round))}${metrics.length ? `: ${metrics.join(', ')}` : ''}`.trim());
      if (kind === 'train') links.push(`<a href="${esc(base)}/model" data-testid="model-link">Download the model</a>`);
    }
  }
  if (message.payoutsJson) {
    const p = JSON.parse(message.payoutsJson) as { status?: string; reason?: string };
    lines.push(`payout ${esc(p.status ?? '')}${p.reason ? `: ${esc(p.reason)}` : ''}`);
    links.push(`<a href="${esc(base)}/payouts" data-testid="payouts-link">Payouts and ledger</a>`);
  }
  const summary = lines.length
    ? lines.map((l) => `<p data-testid="result-summary">${l}</p>`).join('\n')
    : '<p class="empty" data-testid="result-summary">no result yet</p>';
  return `<h2>Result</h2>
${summary}
${links.length ? `<p>${links.join(' · ')}</p>` : ''}`;
}

/** A result's JSON, indented and cut to a page's worth. */
function preview(json: string): string {
  const pretty = JSON.stringify(JSON.parse(json), null, 2);
  return pretty.length > 4000 ? `${pretty.slice(0, 4000)}\n…` : pretty;
}
