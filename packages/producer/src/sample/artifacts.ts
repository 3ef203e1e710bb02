import { utf8Encode } from '@lineage/verifier-core';
import { Drbg } from './drbg.js';

/**
 * The evidence the sample's agents "produce": plausible, deterministic from the seed,
 * small enough to read. Each is a JSON document with a stable layout.
 */
function doc(v: unknown): Uint8Array {
  return utf8Encode(`${JSON.stringify(v, null, 2)}\n`);
}

export interface SampleArtifacts {
  boundary: Uint8Array;
  inventory: Uint8Array;
  iamPolicies: Uint8Array;
  configBaselines: Uint8Array;
  scanResults: Uint8Array;
  sspSections: (evidence: Record<string, string>) => Uint8Array;
  sar: (capsuleEvidence: string[]) => Uint8Array;
  atoDecision: Uint8Array;
}

export function sampleArtifacts(seed: string, system = 'Acme Cloud Analytics (ACA)'): SampleArtifacts {
  const r = new Drbg(seed, 'artifacts');
  const services = [
    'api-gateway',
    'ingest',
    'warehouse',
    'reporting',
    'identity',
    'key-management',
    'log-archive',
  ];
  const hosts = Array.from({ length: 12 }, (_, i) => ({
    asset_id: `i-${Array.from(r.bytes(6), (b) => b.toString(16).padStart(2, '0')).join('')}`,
    hostname: `aca-${services[i % services.length]}-${Math.floor(i / services.length) + 1}`,
    os: r.pick(['Amazon Linux 2023', 'Ubuntu 24.04 LTS', 'RHEL 9.4']),
    ip: `10.${20 + (i % 3)}.${r.int(250)}.${r.int(250)}`,
    baseline: 'CIS Level 1',
    public: i === 0,
    authenticated_scan: true,
  }));
  const cves = ['CVE-2026-10101', 'CVE-2026-11873', 'CVE-2025-48211', 'CVE-2026-20412', 'CVE-2025-39977'];
  const findings = cves.map((cve, i) => ({
    id: `F-${String(i + 1).padStart(3, '0')}`,
    cve,
    asset_id: hosts[r.int(hosts.length)]!.asset_id,
    severity: (['high', 'moderate', 'moderate', 'low', 'low'] as const)[i],
    status: i === 0 ? 'remediated' : i === 1 ? 'risk_accepted' : 'open_poam',
    due: `2027-0${1 + i}-15`,
  }));
  return {
    boundary: doc({
      system,
      fips199: {
        confidentiality: 'moderate',
        integrity: 'moderate',
        availability: 'moderate',
        baseline: 'Moderate',
      },
      boundary: {
        regions: ['us-gov-west-1'],
        services,
        interconnections: ['Agency SIEM (TLS 1.3, FIPS 140-3)'],
      },
      note: 'Network ranges are committed in the approval event and not disclosed in this capsule.',
    }),
    inventory: doc({ system, generated_by: 'A2 Evidence Harvester', control: 'CM-8', assets: hosts }),
    iamPolicies: doc({
      system,
      control: 'AU-2',
      policies: [
        {
          name: 'aca-admin',
          mfa_required: true,
          principals: 3,
          actions: ['*'],
          condition: 'aws:MultiFactorAuthPresent',
        },
        { name: 'aca-operator', mfa_required: true, principals: 9, actions: ['ec2:Describe*', 'logs:*'] },
        {
          name: 'aca-auditor',
          mfa_required: true,
          principals: 2,
          actions: ['cloudtrail:LookupEvents', 'logs:Get*'],
        },
      ],
      audit_events: ['ConsoleLogin', 'AssumeRole', 'PutBucketPolicy', 'DeleteTrail', 'CreateAccessKey'],
    }),
    configBaselines: doc({
      system,
      control: 'CM-8',
      benchmark: 'CIS Level 1',
      hosts: hosts.map((h) => ({
        asset_id: h.asset_id,
        passed: 180 + r.int(20),
        failed: r.int(4),
        not_applicable: 12,
      })),
    }),
    scanResults: doc({
      system,
      controls: ['RA-5', 'SI-2'],
      scanner: 'authenticated infrastructure + container scan',
      scanned_assets: hosts.length,
      findings,
    }),
    sspSections: (evidence) =>
      doc({
        system,
        document: 'System Security Plan, selected sections',
        sections: [
          {
            control: 'CM-8',
            text: 'The inventory is generated daily by the Evidence Harvester.',
            evidence: evidence.inventory,
          },
          {
            control: 'AU-2',
            text: 'Audited events are defined in the IAM and CloudTrail policy set.',
            evidence: evidence.iam,
          },
          {
            control: 'RA-5',
            text: 'Authenticated scans run monthly; findings are tracked in the POA&M.',
            evidence: evidence.scan,
          },
          {
            control: 'PL-2',
            text: 'This SSP is maintained by the SSP Packager and approved by the compliance lead.',
            evidence: evidence.boundary,
          },
        ],
      }),
    sar: (capsuleEvidence) =>
      doc({
        system,
        document: 'Security Assessment Report (summary)',
        assessor: '3PAO',
        result: 'Recommended for authorization with POA&M',
        evidence_events: capsuleEvidence,
        risk_summary: { high: 0, moderate: 1, low: 2, risk_accepted: 1 },
      }),
    atoDecision: doc({
      system,
      decision: 'Authorized',
      term_months: 36,
      conditions: ['Monthly continuous monitoring'],
    }),
  };
}
