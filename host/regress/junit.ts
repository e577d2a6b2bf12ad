// The JUnit XML of a regression run, in the schema CI servers read: one
// <testsuite> per suite, a <testcase> per test and backend with <failure>,
// <error> or <skipped>, and <properties> (backend, hashes, cycles, duration,
// reused, flaky, the host/pid that ran it); a suite's `hostname` lists the
// hosts that ran its tests.
import type { RegressRun, TestRecord } from './runner.js';

/** Control characters XML 1.0 does not allow. */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

const escapeXml = (s: string): string => s.replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function testcase(t: TestRecord): string {
  const props: [string, string][] = [
    ['backend', t.backend],
    ['entryHash', t.entryHash],
    ['backendHash', t.backendHash],
    ['cycles', t.cycles === null ? '' : String(t.cycles)],
    ['durationMs', t.durationMs.toFixed(1)],
    ['reused', String(t.reused)],
    ['flaky', String(t.flaky)],
    ['attempts', String(t.attempts)],
    ['tags', t.tags.join(',')],
    ['host', t.host ?? ''],
  ];
  const body = [`      <properties>`, ...props.map(([n, v]) => `        <property name="${n}" value="${escapeXml(v)}"/>`), `      </properties>`];
  const detail = `expected: ${JSON.stringify(t.expected)}\nactual:   ${JSON.stringify(t.actual)}\nreproduce: ${t.reproduce}`;
  if (t.status === 'fail') body.push(`      <failure message="${escapeXml(t.message ?? 'failed')}" type="mismatch">${escapeXml(detail)}</failure>`);
  if (t.status === 'error') body.push(`      <error message="${escapeXml(t.message ?? 'error')}" type="${escapeXml(t.code ?? 'E_INTERNAL')}">${escapeXml(detail)}</error>`);
  if (t.status === 'skipped') body.push(`      <skipped message="${escapeXml(t.message ?? '')}"/>`);
  return [`    <testcase classname="${escapeXml(`${t.suite}.${t.backend}`)}" name="${escapeXml(t.id)}" time="${(t.durationMs / 1000).toFixed(3)}">`, ...body, '    </testcase>'].join('\n');
}

export function junitXml(run: RegressRun): string {
  const suites = [...new Set(run.tests.map((t) => t.suite))];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="cax regress" tests="${run.counts.total}" failures="${run.counts.failed}" errors="${run.counts.errors}" skipped="${run.counts.skipped}" time="${(run.durationMs / 1000).toFixed(3)}">`,
  ];
  for (const suite of suites) {
    const tests = run.tests.filter((t) => t.suite === suite);
    const n = (s: TestRecord['status']): number => tests.filter((t) => t.status === s).length;
    const time = tests.reduce((a, t) => a + t.durationMs, 0) / 1000;
    const hosts = [...new Set(tests.flatMap((t) => (t.host === undefined ? [] : [t.host.replace(/\/\d*$/, '')])))].sort().join(',');
    lines.push(
      `  <testsuite name="${escapeXml(suite)}" tests="${tests.length}" failures="${n('fail')}" errors="${n('error')}" skipped="${n('skipped')}" time="${time.toFixed(3)}" hostname="${escapeXml(hosts)}">`,
    );
    lines.push(...tests.map(testcase));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}
