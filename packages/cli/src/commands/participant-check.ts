// `tessera participant check JOB.yaml`: whether this node's data sets can serve a job spec, and why not, locally.
import type { Command } from 'commander';
import type { JobSpec } from '@tessera/jobs';
import type { ConsentPolicy, ParticipantConfig } from '@tessera/participant';
import { DEFAULT_PARTICIPANT_CONFIG } from '../context.js';
import { printJson } from '../ui/output.js';
import { readJobSpec } from './job.js';

/** One check: what was checked, whether it passed (warn: passes, with something to know), and why. */
export interface CheckFinding {
  check: string;
  status: 'ok' | 'fail' | 'warn';
  detail: string;
}

/** Secure modes, strongest first (as SECURE_REQUIREMENTS in participant/src/config.ts). */
const STRENGTH = ['sealed', 'masked', 'none'] as const;
/** The node's default protection minimums (DEFAULT_MINIMUMS in participant/src/config.ts). */
const DEFAULT_COHORT = 2;

/** Checks a parsed job spec against a node's config and consent policy, reading only local files. */
export async function checkJob(
  spec: JobSpec,
  config: ParticipantConfig,
  policy: ConsentPolicy | undefined,
  now = Date.now(),
): Promise<CheckFinding[]> {
  const { LocalData, restrictSources, datasetRules } = await import('@tessera/participant');
  const out: CheckFinding[] = [];
  const add = (check: string, status: CheckFinding['status'], detail: string) => out.push({ check, status, detail });
  const name = spec.dataset;
  const source = config.datasets[name];
  const served = Object.keys(config.datasets);
  if (!source) {
    add(
      'data set',
      'fail',
      `this node serves no data set "${name}" (it serves: ${served.join(', ') || 'none'}): ` +
        `add datasets.${name} to the participant config`,
    );
    return out;
  }
  // Opened by the local engine (a data set of any size; closed again before returning).
  const data = new LocalData(restrictSources(config.datasets, policy));
  try {
    let columns: string[];
    try {
      await data.open();
      columns = data.servedColumns(name);
    } catch (e) {
      add('readable', 'fail', (e as Error).message);
      return out;
    }
    add('data set', 'ok', `"${name}" is served from ${data.describe(name).source}`);
    add('readable', 'ok', `${data.rowCount(name)} rows, ${columns.length} served columns`);

    const rules = policy?.datasets[name];
    if (!columns.includes(spec.label))
      add(
        'label',
        'fail',
        `label column "${spec.label}" is not served by "${name}"` +
          (rules?.columns ? ` (the policy's datasets.${name}.columns does not list it)` : '') +
          `: add the column to the data, or ask the analyst for a label this data set has`,
      );
    else if (rules?.label && rules.label !== spec.label)
      add(
        'label',
        'fail',
        `the policy allows only "${rules.label}" as the label of "${name}", the job asks "${spec.label}"`,
      );
    else add('label', 'ok', `"${spec.label}" is present`);

    const missing = (spec.features ?? []).filter((f) => !columns.includes(f));
    if (missing.length)
      add('features', 'fail', `features not served by "${name}": ${missing.join(', ')}: add them or leave this job`);
    if (columns.includes(spec.label) && !missing.length) {
      try {
        const profile = data.profile(name, spec.label, spec.exclude, spec.features ?? []);
        const dp = spec.privacy.mode !== 'none';
        const undeclared = profile.columns.filter((c) => c.kind === 'categorical' && dp && !spec.domains?.[c.name]);
        const usable = profile.columns.filter((c) => !undeclared.includes(c));
        const kinds = usable.map((c) => `${c.name} (${c.kind})`).join(', ');
        if (undeclared.length)
          add(
            'features',
            spec.features ? 'fail' : 'warn',
            `text column(s) ${undeclared.map((c) => c.name).join(', ')} need a declared domain under differential ` +
              `privacy (domains in the spec)${spec.features ? '' : '; the job leaves them out'}`,
          );
        if (usable.length) add('features', 'ok', `${usable.length} usable: ${kinds}`);
        else add('features', 'fail', `no usable feature column in "${name}" for this job`);
      } catch (e) {
        add('features', 'fail', (e as Error).message);
      }
    }

    const dp = spec.privacy.mode !== 'none';
    if (!policy)
      add('consent', 'warn', 'no consent policy in the config: this node serves every request (add policy: FILE)');
    else {
      if (!dp && !datasetRules(policy, name).allowWithoutPrivacy)
        add(
          'consent',
          'fail',
          `the job has no differential privacy and the policy requires it for "${name}" ` +
            `(datasets.${name}.allowWithoutPrivacy: true in ${policy.file} opts out)`,
        );
      const grants = policy.grants.filter(
        (g) =>
          g.purposes.includes('train') &&
          g.jobKinds.includes('train') &&
          (!g.datasets || g.datasets.includes(name)) &&
          g.expiresAt > now,
      );
      const fits = grants.filter(
        (g) => !dp || g.budget?.perJob === undefined || spec.privacy.epsilon <= g.budget.perJob,
      );
      if (!grants.length)
        add('consent', 'fail', `no unexpired grant in ${policy.file} allows training on "${name}": add one`);
      else if (!fits.length)
        add(
          'consent',
          'fail',
          `every grant for training on "${name}" caps epsilon per job below the job's ${spec.privacy.epsilon}`,
        );
      else
        add(
          'consent',
          'ok',
          `grant(s) ${fits.map((g) => `${g.id} (analysts: ${g.analysts.join(', ')})`).join('; ')} allow it ` +
            '(revocations in the ledger are checked when the task arrives)',
        );
    }
    if (dp && source.budget && spec.privacy.epsilon > source.budget.epsilon)
      add(
        'budget',
        'fail',
        `the job spends epsilon ${spec.privacy.epsilon}, the data set's budget is ${source.budget.epsilon}`,
      );

    const requirement = source.secure ?? 'masked';
    if (STRENGTH.indexOf(spec.secure.mode) > STRENGTH.indexOf(requirement))
      add(
        'protection',
        'fail',
        `the job's secure mode is ${spec.secure.mode}, datasets.${name}.secure requires ${requirement} or stronger`,
      );
    else add('protection', 'ok', `secure mode ${spec.secure.mode} meets ${requirement}`);
    const cohort = source.minimums?.cohort ?? config.minimums?.cohort ?? DEFAULT_COHORT;
    if (spec.secure.mode !== 'none' && spec.minParticipants < cohort)
      add(
        'protection',
        'warn',
        `minParticipants ${spec.minParticipants} is below this node's cohort minimum ${cohort}: ` +
          'rounds with fewer participants are refused',
      );
    return out;
  } finally {
    await data.close();
  }
}

export function registerParticipantCheck(cmd: Command): void {
  cmd
    .command('check')
    .argument('<job>', 'the job spec (YAML or JSON)')
    .description('check, locally, whether this node can serve a job spec, and why not (no coordinator contacted)')
    .option('--config <file>', 'participant config file (YAML or JSON)', DEFAULT_PARTICIPANT_CONFIG)
    .option('--json', 'print {job, dataset, ok, findings: [{check, status, detail}]} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera participant check examples/jobs/repurchase.yaml
  $ tessera participant check job.yaml --config ./node-b/participant.yaml --json

Checks the data set named, the label column, the features and their kinds, the consent policy's
grants and differential-privacy rule, the data set's budget and its protection minimums against
the job's secure mode. Exits 1 when the node would refuse the job.`,
    )
    .action(async (file: string, o: { config: string; json?: boolean }) => {
      const { loadParticipantConfig, loadConsentPolicy } = await import('@tessera/participant');
      const spec = (await readJobSpec(file)) as JobSpec;
      const config = loadParticipantConfig(o.config);
      const policy = config.policy
        ? loadConsentPolicy(config.policy, { datasets: Object.keys(config.datasets), rejectExpired: false })
        : undefined;
      const findings = await checkJob(spec, config, policy);
      const ok = findings.every((f) => f.status !== 'fail');
      if (o.json) printJson({ job: spec.name, dataset: spec.dataset, ok, findings });
      else {
        const mark = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };
        for (const f of findings) process.stdout.write(`${mark[f.status]} ${f.check}: ${f.detail}\n`);
        process.stdout.write(
          ok
            ? `participant ${config.participantId} can serve job "${spec.name}"\n`
            : `participant ${config.participantId} would refuse job "${spec.name}": fix the FAIL lines above\n`,
        );
      }
      if (!ok) process.exitCode = 1;
    });
}
