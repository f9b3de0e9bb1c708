/** The report's inline stylesheet: system fonts only, nothing fetched. */
export const REPORT_CSS =
  `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d9dee7; --bar: #3b6fb6; --accent: #d9822b; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; ` +
  `font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.meta { color: var(--muted); margin: 0 0 12px; }
.sql { background: #f5f7fa; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; overflow-x: auto; ` +
  `white-space: pre-wrap; font: 13px/1.45 ui-monospace, Menlo, Consolas, monospace; }
.privacy { background: #f3f8f1; border-left: 4px solid #5a9a4b; padding: 10px 14px; margin: 0; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; padding: 8px; border: 1px solid var(--line); border-radius: 6px; max-width: 100%; }
figcaption { color: var(--muted); font-size: 12px; max-width: 560px; }
svg.chart { display: block; max-width: 100%; height: auto; font: 11px system-ui, sans-serif; }
svg .grid { stroke: #eef0f4; }
svg .axis { stroke: #9aa3b2; }
svg .bar { fill: var(--bar); }
svg .bar:hover { fill: #2a558f; }
svg .hist { fill: #5b8fd1; }
svg .topk { fill: var(--accent); }
svg .err { stroke: var(--ink); stroke-width: 1.4; }
svg .qline { fill: none; stroke: var(--bar); stroke-width: 2; }
svg .qpt { fill: #fff; stroke: var(--bar); stroke-width: 2; }
svg .tick, svg .cat { fill: var(--muted); }
svg .val { fill: var(--ink); font-size: 10px; }
svg .series { fill: var(--ink); font-weight: 600; font-size: 12px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
caption { text-align: left; color: var(--muted); padding-bottom: 6px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: right; }
th[scope=row], th.g { text-align: left; }
thead th { background: #f5f7fa; }
.sd { color: var(--muted); font-size: 12px; }
`;
